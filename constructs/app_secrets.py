"""Secrets: values from the environment or a dotenv file at synth time, never from the repo.

Each key's value comes from the environment variable named like the key, else from the
``--env-file``. An empty value counts as missing. A Secret with any value missing is not
rendered; :class:`MissingSecret` says which keys are missing and how to create it with kubectl.
An ``external`` Secret is never rendered: something outside the chart creates it.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from dotenv.parser import parse_stream
from pydantic import SecretStr

from constructs import Construct
from constructs.manifest import Manifest, chart_namespace, object_meta
from constructs.values import SecretProps

__all__ = ["AppSecrets", "EnvFileError", "MissingSecret", "read_env_file", "resolve_secrets"]


class EnvFileError(ValueError):
    """A dotenv file that cannot be read or parsed. The message never includes a value."""


@dataclass(frozen=True)
class MissingSecret:
    """A Secret that the chart does not render: external, or with values missing."""

    name: str
    namespace: str
    keys: tuple[str, ...]
    missing: tuple[str, ...]
    """The keys without a value (all keys for an external Secret)."""
    external: bool = False

    def kubectl_command(self) -> str:
        """The command that creates the Secret from environment variables of the same names.

        It names the variables, never their values.
        """
        literals = " ".join(f'--from-literal={key}="${key}"' for key in self.keys)
        return f"kubectl create secret generic {self.name} --namespace {self.namespace} {literals}"

    def message(self) -> str:
        if self.external:
            return f"Secret {self.name} is external (not rendered); create it before deploying:\n  {self.kubectl_command()}"
        return (
            f"Secret {self.name} not rendered: no value for {', '.join(self.missing)} "
            f"(set the environment variables or pass --env-file). To create it by hand:\n  {self.kubectl_command()}"
        )


def read_env_file(path: Path) -> dict[str, SecretStr]:
    """Parse a dotenv file. Errors name the file and line, never the value."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise EnvFileError(f"{path}: no such env file") from None
    except (OSError, UnicodeDecodeError) as error:
        raise EnvFileError(f"{path}: cannot read env file ({type(error).__name__})") from None
    values: dict[str, SecretStr] = {}
    for binding in parse_stream(io.StringIO(text)):
        if binding.error:
            raise EnvFileError(f"{path}:{binding.original.line}: not a KEY=VALUE line")
        if binding.key is not None and binding.value is not None:
            values[binding.key] = SecretStr(binding.value)
    return values


def resolve_secrets(
    secrets: Mapping[str, SecretProps],
    *,
    namespace: str,
    environ: Mapping[str, str],
    env_file: Mapping[str, SecretStr] | None = None,
) -> tuple[dict[str, dict[str, SecretStr]], list[MissingSecret]]:
    """Split the declared Secrets into those with every value given and the rest.

    The environment wins over the env file (as with docker compose).
    """
    complete: dict[str, dict[str, SecretStr]] = {}
    missing: list[MissingSecret] = []
    for name, secret in secrets.items():
        if secret.external:
            missing.append(MissingSecret(name, namespace, tuple(secret.keys), tuple(secret.keys), external=True))
            continue
        found: dict[str, SecretStr] = {}
        for key in secret.keys:
            value = environ.get(key) or (env_file or {}).get(key, SecretStr("")).get_secret_value()
            if value:
                found[key] = SecretStr(value)
        absent = tuple(key for key in secret.keys if key not in found)
        if absent:
            missing.append(MissingSecret(name, namespace, tuple(secret.keys), absent))
        else:
            complete[name] = found
    return complete, missing


class AppSecrets(Construct):
    """One Opaque Secret per entry of ``secrets``; the data is base64, as in ``kubectl get -o yaml``."""

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        secrets: Mapping[str, Mapping[str, SecretStr]],
        labels: Mapping[str, str],
        annotations: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(scope, id)
        namespace = chart_namespace(scope)
        self.secrets = {
            name: Manifest(
                self,
                name,
                {
                    "apiVersion": "v1",
                    "kind": "Secret",
                    "metadata": object_meta(name, namespace=namespace, labels=labels, annotations=annotations),
                    "type": "Opaque",
                    "data": {key: base64.b64encode(value.get_secret_value().encode()).decode() for key, value in data.items()},
                },
            )
            for name, data in secrets.items()
        }
