"""Secret values: from the environment or a dotenv file; a Secret is rendered only when complete."""

from __future__ import annotations

from pathlib import Path

import pytest

from constructs.app_secret import SecretValue
from values_app.model import SecretValues
from values_app.secrets import EnvFileError, MissingSecret, read_env_file, resolve_secrets

SECRETS = {"app-secrets": SecretValues(keys=["DATABASE_URL", "API_TOKEN"])}


def test_complete_when_every_key_has_a_value() -> None:
    complete, missing = resolve_secrets(SECRETS, namespace="ns", environ={"DATABASE_URL": "db", "API_TOKEN": "tok"})
    assert missing == []
    assert {k: v.reveal() for k, v in complete["app-secrets"].items()} == {
        "DATABASE_URL": "db",
        "API_TOKEN": "tok",
    }


def test_environment_wins_over_env_file_and_empty_counts_as_missing() -> None:
    env_file = {"DATABASE_URL": SecretValue("from-file"), "API_TOKEN": SecretValue("file-token")}
    complete, _ = resolve_secrets(SECRETS, namespace="ns", environ={"DATABASE_URL": "from-env"}, env_file=env_file)
    assert complete["app-secrets"]["DATABASE_URL"].reveal() == "from-env"
    assert complete["app-secrets"]["API_TOKEN"].reveal() == "file-token"
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
    external = {"ext": SecretValues(keys=["DATABASE_URL"], external=True)}
    complete, missing = resolve_secrets(external, namespace="ns", environ={"DATABASE_URL": "db"})
    assert complete == {}
    assert missing[0].external
    assert "is external" in missing[0].message()


def test_env_file_parsing(tmp_path: Path) -> None:
    env = tmp_path / ".env"
    env.write_text('# comment\nDATABASE_URL="postgres://x"\nexport API_TOKEN=abc\n\n')
    values = read_env_file(env)
    assert {k: v.reveal() for k, v in values.items()} == {"DATABASE_URL": "postgres://x", "API_TOKEN": "abc"}
    assert "postgres" not in repr(values)


def test_env_file_errors_name_file_and_line_without_the_value(tmp_path: Path) -> None:
    env = tmp_path / "bad.env"
    env.write_text("GOOD=1\nthis is not an assignment s3cr3t\n")
    with pytest.raises(EnvFileError) as error:
        read_env_file(env)
    assert str(error.value) == f"{env}:2: not a KEY=VALUE line"
    with pytest.raises(EnvFileError, match="no such env file"):
        read_env_file(tmp_path / "absent.env")
