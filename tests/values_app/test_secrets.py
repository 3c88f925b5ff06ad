"""Secret values: from the environment or a dotenv file; a Secret is rendered only when complete."""

from __future__ import annotations

from pathlib import Path

import pytest

from values_app.model import SecretValues
from values_app.secrets import EnvFileError, MissingSecret, read_env_file, read_env_files, resolve_secrets
from webapp_constructs._app_secret import SecretValue

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
    env.write_text(
        '# comment\nDATABASE_URL="postgres://x"\nexport API_TOKEN=abc\n\n  # indented\n'
        "CERT='line 1\nline 2'\nEMPTY=\n_X1=y # trailing comment\n"
    )
    values = read_env_file(env)
    assert {k: v.reveal() for k, v in values.items()} == {
        "DATABASE_URL": "postgres://x",
        "API_TOKEN": "abc",
        "CERT": "line 1\nline 2",
        "EMPTY": "",
        "_X1": "y",
    }
    assert "postgres" not in repr(values)


def env_errors(tmp_path: Path, text: str) -> list[str]:
    env = tmp_path / "bad.env"
    env.write_text(text)
    with pytest.raises(EnvFileError) as error:
        read_env_file(env)
    return [line.removeprefix(f"{env}:") for line in str(error.value).splitlines()]


def test_env_file_errors_name_file_and_line_without_the_value(tmp_path: Path) -> None:
    assert env_errors(tmp_path, "GOOD=1\nthis is not an assignment s3cr3t\n") == ["2: not a KEY=VALUE line, a comment or blank"]
    with pytest.raises(EnvFileError, match="no such env file"):
        read_env_file(tmp_path / "absent.env")


def test_a_file_of_no_key_value_line_is_every_line_an_error(tmp_path: Path) -> None:
    shadow = "root:$6$s3cr3tsalt$hash:19000:0:99999:7:::\ndaemon:*:19000:0:99999:7:::\n\nhunter2\n"
    found = env_errors(tmp_path, shadow)
    assert found == [
        "1: no '=' after the name; a line is KEY=VALUE (KEY= for an empty value)",
        "2: no '=' after the name; a line is KEY=VALUE (KEY= for an empty value)",
        "4: no '=' after the name; a line is KEY=VALUE (KEY= for an empty value)",
    ]
    assert not any(secret in line for line in found for secret in ("s3cr3t", "hunter2", "root", "daemon"))


@pytest.mark.parametrize("line", ["9LIVES=x", "MY-KEY=x", "'A B'=x", "export 1=x", "K.EY=x"])
def test_a_key_is_an_environment_variable_name(tmp_path: Path, line: str) -> None:
    assert env_errors(tmp_path, f"GOOD=1\n\n\n{line}\n") == [
        "4: the name before '=' is not an environment variable name: letters, digits and '_', not starting with a digit"
    ]


def test_a_nul_byte_is_one_error_at_its_line(tmp_path: Path) -> None:
    assert env_errors(tmp_path, "A=1\nB=2\x00s3cr3t\n" + "\x00\n" * 1000) == [
        "2: a NUL byte; an env file is text, KEY=VALUE lines"
    ]


def test_every_problem_at_once(tmp_path: Path) -> None:
    assert env_errors(tmp_path, 'A=1\nKEY\n2B=x\nC=ok\nD="unterminated\n') == [
        "2: no '=' after the name; a line is KEY=VALUE (KEY= for an empty value)",
        "3: the name before '=' is not an environment variable name: letters, digits and '_', not starting with a digit",
        "5: not a KEY=VALUE line, a comment or blank",
    ]


def test_env_files_are_layered_in_order(tmp_path: Path) -> None:
    first, second = tmp_path / "a.env", tmp_path / "b.env"
    first.write_text("DATABASE_URL=from-a\nAPI_TOKEN=token-a\n")
    second.write_text("DATABASE_URL=from-b\n")
    values = read_env_files([first, second])
    assert {k: v.reveal() for k, v in values.items()} == {"DATABASE_URL": "from-b", "API_TOKEN": "token-a"}
    assert read_env_files([]) == {}
    bad = tmp_path / "bad.env"
    bad.write_text("oops\n")
    with pytest.raises(EnvFileError) as error:
        read_env_files([bad, tmp_path / "absent.env", first])
    assert str(error.value).splitlines() == [
        f"{bad}:1: no '=' after the name; a line is KEY=VALUE (KEY= for an empty value)",
        f"{tmp_path / 'absent.env'}: no such env file",
    ]
