"""Secrets: values from the environment or a dotenv file; rendered only when complete."""

from __future__ import annotations

import base64
from pathlib import Path

import cdk8s
import pytest
from pydantic import SecretStr

from constructs.app_secrets import AppSecrets, EnvFileError, MissingSecret, read_env_file, resolve_secrets
from constructs.values import SecretProps
from tests.helpers import one

SECRETS = {"app-secrets": SecretProps(keys=["DATABASE_URL", "API_TOKEN"])}


def test_renders_base64_data_that_decodes_to_the_values(chart: cdk8s.Chart) -> None:
    AppSecrets(chart, "secrets", secrets={"s": {"K": SecretStr("välue with spaces")}}, labels={"a": "b"})
    secret = one(cdk8s.Testing.synth(chart), "Secret", "s")
    assert secret["type"] == "Opaque"
    assert "stringData" not in secret
    assert base64.b64decode(secret["data"]["K"]).decode() == "välue with spaces"
    assert secret["metadata"]["namespace"] == "test"


def test_complete_when_every_key_has_a_value() -> None:
    complete, missing = resolve_secrets(SECRETS, namespace="ns", environ={"DATABASE_URL": "db", "API_TOKEN": "tok"})
    assert missing == []
    assert {k: v.get_secret_value() for k, v in complete["app-secrets"].items()} == {
        "DATABASE_URL": "db",
        "API_TOKEN": "tok",
    }


def test_environment_wins_over_env_file_and_empty_counts_as_missing() -> None:
    env_file = {"DATABASE_URL": SecretStr("from-file"), "API_TOKEN": SecretStr("file-token")}
    complete, _ = resolve_secrets(SECRETS, namespace="ns", environ={"DATABASE_URL": "from-env"}, env_file=env_file)
    assert complete["app-secrets"]["DATABASE_URL"].get_secret_value() == "from-env"
    assert complete["app-secrets"]["API_TOKEN"].get_secret_value() == "file-token"
    complete, missing = resolve_secrets(SECRETS, namespace="ns", environ={"DATABASE_URL": "db", "API_TOKEN": ""})
    assert complete == {}
    assert missing == [MissingSecret("app-secrets", "ns", ("DATABASE_URL", "API_TOKEN"), ("API_TOKEN",))]


def test_missing_secret_message_names_keys_and_command_but_no_value() -> None:
    _, missing = resolve_secrets(SECRETS, namespace="ns", environ={"DATABASE_URL": "postgres://user:hunter2@db/x"})
    text = missing[0].message()
    assert "no value for API_TOKEN" in text
    assert (
        'kubectl create secret generic app-secrets --namespace ns --from-literal=DATABASE_URL="$DATABASE_URL" '
        '--from-literal=API_TOKEN="$API_TOKEN"'
    ) in text
    assert "hunter2" not in text


def test_external_secret_is_never_rendered() -> None:
    external = {"ext": SecretProps(keys=["DATABASE_URL"], external=True)}
    complete, missing = resolve_secrets(external, namespace="ns", environ={"DATABASE_URL": "db"})
    assert complete == {}
    assert missing[0].external
    assert "is external" in missing[0].message()


def test_env_file_parsing(tmp_path: Path) -> None:
    env = tmp_path / ".env"
    env.write_text('# comment\nDATABASE_URL="postgres://x"\nexport API_TOKEN=abc\n\n')
    values = read_env_file(env)
    assert {k: v.get_secret_value() for k, v in values.items()} == {"DATABASE_URL": "postgres://x", "API_TOKEN": "abc"}
    assert "postgres" not in repr(values)


def test_env_file_errors_name_file_and_line_without_the_value(tmp_path: Path) -> None:
    env = tmp_path / "bad.env"
    env.write_text("GOOD=1\nthis is not an assignment s3cr3t\n")
    with pytest.raises(EnvFileError) as error:
        read_env_file(env)
    assert str(error.value) == f"{env}:2: not a KEY=VALUE line"
    with pytest.raises(EnvFileError, match="no such env file"):
        read_env_file(tmp_path / "absent.env")
