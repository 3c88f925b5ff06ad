"""Secret values: from the environment or a dotenv file at synth time, never from the repository.

Each key's value comes from the environment variable named like the key, else from the
``--env-file``. An empty value counts as missing. A Secret with any value missing is not
rendered; :class:`MissingSecret` says which keys are missing and how to create it with kubectl.
An ``external`` Secret is never rendered: something outside the chart creates it.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from pathlib import Path
from typing import NamedTuple

from constructs.app_secret import SecretValue

from .inputs import InputError, read_text_bounded
from .model import SecretValues

__all__ = ["EnvFileError", "MissingSecret", "read_env_file", "resolve_secrets"]


class EnvFileError(ValueError):
    """A dotenv file that cannot be read or parsed. The message never includes a value."""


class MissingSecret(NamedTuple):
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


def read_env_file(path: Path) -> dict[str, SecretValue]:
    """Parse a dotenv file. Errors name the file and line, never the value."""
    from dotenv.parser import parse_stream

    try:
        text = read_text_bounded(path, what="env file")
    except InputError as error:
        raise EnvFileError(str(error)) from None
    values: dict[str, SecretValue] = {}
    for binding in parse_stream(io.StringIO(text)):
        if binding.error:
            raise EnvFileError(f"{path}:{binding.original.line}: not a KEY=VALUE line")
        if binding.key is not None and binding.value is not None:
            values[binding.key] = SecretValue(binding.value)
    return values


def resolve_secrets(
    secrets: Mapping[str, SecretValues],
    *,
    namespace: str,
    environ: Mapping[str, str],
    env_file: Mapping[str, SecretValue] | None = None,
) -> tuple[dict[str, dict[str, SecretValue]], list[MissingSecret]]:
    """Split the declared Secrets into those with every value given and the rest.

    The environment wins over the env file (as with docker compose).
    """
    complete: dict[str, dict[str, SecretValue]] = {}
    missing: list[MissingSecret] = []
    for name, secret in secrets.items():
        if secret.external:
            missing.append(MissingSecret(name, namespace, tuple(secret.keys), tuple(secret.keys), external=True))
            continue
        found: dict[str, SecretValue] = {}
        for key in secret.keys:
            value = environ.get(key) or (env_file or {}).get(key, SecretValue("")).reveal()
            if value:
                found[key] = SecretValue(value)
        absent = tuple(key for key in secret.keys if key not in found)
        if absent:
            missing.append(MissingSecret(name, namespace, tuple(secret.keys), absent))
        else:
            complete[name] = found
    return complete, missing
