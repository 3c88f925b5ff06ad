"""Secret values: from the environment or a dotenv file at synth time, never from the repository.

Each key's value comes from the environment variable named like the key, else from the
``--env-file`` files (repeatable: a later file's value wins). An empty value counts as missing. A
Secret with any value missing is not rendered; :class:`MissingSecret` says which keys are missing
and how to create it with kubectl.
An ``external`` Secret is never rendered: something outside the chart creates it; one with an
``externalSecret`` is made by the External Secrets Operator from a secret store, and its values are
never asked for either.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import NamedTuple

from webapp_constructs import SecretValue, rules

from .inputs import InputError, read_text_bounded
from .model import SecretValues

__all__ = ["EnvFileError", "MissingSecret", "SecretValueError", "read_env_file", "read_env_files", "resolve_secrets"]


class EnvFileError(ValueError):
    """A dotenv file that cannot be read or parsed. The message never includes a value."""


class SecretValueError(ValueError):
    """Secret values that cannot be used; ``lines`` is one line per problem, naming the variable,
    never its value."""

    def __init__(self, lines: list[str]) -> None:
        self.lines = lines
        super().__init__("\n".join(lines))


def _utf8(value: str) -> bool:
    """Whether ``value`` is text (an environment variable of bytes that are not UTF-8 holds lone
    surrogates once Python has read it)."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


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
    """Parse a dotenv file: each line ``KEY=VALUE`` (python-dotenv's syntax: an optional ``export``,
    quoted values, which may span lines), a comment or blank. A KEY is an environment variable name
    (:func:`webapp_constructs.rules.env_var_name`). Raises :class:`EnvFileError` with one line per problem,
    each naming the file and line, never the line itself: it may hold a secret."""
    from dotenv.parser import parse_stream

    try:
        text = read_text_bounded(path, what="env file")
    except InputError as error:
        raise EnvFileError(str(error)) from None
    if "\0" in text:  # not text at all: one line, at the first
        line = text.count("\n", 0, text.index("\0")) + 1
        raise EnvFileError(f"{path}:{line}: a NUL byte; an env file is text, KEY=VALUE lines")
    values: dict[str, SecretValue] = {}
    problems: list[str] = []
    for binding in parse_stream(io.StringIO(text)):
        written = binding.original.string
        line = binding.original.line + written[: len(written) - len(written.lstrip())].count("\n")  # blank lines before it
        if binding.error:
            problems.append(f"{path}:{line}: not a KEY=VALUE line, a comment or blank")
        elif binding.key is None:
            continue  # a comment or blank
        elif binding.value is None:
            problems.append(f"{path}:{line}: no '=' after the name; a line is KEY=VALUE (KEY= for an empty value)")
        elif rules.env_var_name(binding.key):
            problems.append(
                f"{path}:{line}: the name before '=' is not an environment variable name: letters, digits and '_', "
                "not starting with a digit"
            )
        else:
            values[binding.key] = SecretValue(binding.value)
    if problems:
        raise EnvFileError("\n".join(problems))
    return values


def read_env_files(paths: Sequence[Path]) -> dict[str, SecretValue]:
    """The values of the dotenv files ``paths``, layered in order: a later file's value of a key wins.
    Raises :class:`EnvFileError` with every problem of every file, one line each."""
    values: dict[str, SecretValue] = {}
    problems: list[str] = []
    for path in paths:
        try:
            values.update(read_env_file(path))
        except EnvFileError as error:
            problems += str(error).splitlines()
    if problems:
        raise EnvFileError("\n".join(problems))
    return values


def resolve_secrets(
    secrets: Mapping[str, SecretValues],
    *,
    namespace: str,
    environ: Mapping[str, str],
    env_file: Mapping[str, SecretValue] | None = None,
) -> tuple[dict[str, dict[str, SecretValue]], list[MissingSecret]]:
    """Split the declared Secrets into those with every value given and the rest.

    The environment wins over the env files (as with docker compose).
    """
    complete: dict[str, dict[str, SecretValue]] = {}
    missing: list[MissingSecret] = []
    unreadable = [
        key
        for key in dict.fromkeys(k for secret in secrets.values() if _asked(secret) for k in secret.keys)
        if not _utf8(environ.get(key, ""))
    ]
    if unreadable:
        raise SecretValueError(
            [
                f"environment variable {key}: its value is not UTF-8 text (a Secret holds text here; the value is not shown)"
                for key in unreadable
            ]
        )
    for name, secret in secrets.items():
        if secret.external_secret is not None:
            continue  # the External Secrets Operator makes it: no value is ever asked for
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


def _asked(secret: SecretValues) -> bool:
    """Whether the synth asks the environment for the values of ``secret``."""
    return not secret.external and secret.external_secret is None
