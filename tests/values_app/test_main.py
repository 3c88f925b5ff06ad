"""main.py, as a user runs it: exit codes, messages, CDK8S_OUTDIR."""

from __future__ import annotations

import base64
import io
import os
import subprocess
import sys
from pathlib import Path

import pytest

import main
from tests.helpers import yaml_load
from values_app import cli

ROOT = Path(__file__).resolve().parents[2]


def run(*args: str, env: dict[str, str] | None = None, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "JSII_NODE", "SYSTEMROOT")}
    return subprocess.run(
        [sys.executable, str(ROOT / "main.py"), *args],
        env={**base, **(env or {})},
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
    )


def main_py(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    """``main.py <args>`` in this process (exit status, stderr): what it prints and returns is what
    a new process would (the exit codes of a real process are tested by the tests that need one)."""
    capsys.readouterr()
    status = main.main(list(args))
    return status, capsys.readouterr().err


def test_invalid_values_exit_1_without_traceback(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("release: Demo\nappVersion: '1'\nservices: {}\n")
    status, stderr = main_py(capsys, "--values", str(bad), "--outdir", str(tmp_path / "out"))
    assert status == 1
    assert "Traceback" not in stderr
    assert stderr.splitlines() == [
        f"error: {bad}:1: release: 'Demo' is not a DNS-1123 label: lowercase letters, digits and '-', "
        "starting and ending alphanumeric, at most 63 characters",
        f"error: {bad}:3: services: is empty; it needs at least one entry",
    ]
    assert not (tmp_path / "out").exists()


def test_bad_usage_exits_2(tmp_path: Path) -> None:
    result = run("--no-such-flag")
    assert result.returncode == 2
    assert "usage:" in result.stderr


def test_cdk8s_outdir_and_env_file(tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text("DATABASE_URL=postgres://fake\nGEMINI_API_KEY=fake\nSECRET_KEY=fake\n")
    monkeypatch.setenv("CDK8S_OUTDIR", str(tmp_path / "o"))
    for key in ("DATABASE_URL", "GEMINI_API_KEY", "SECRET_KEY"):
        monkeypatch.delenv(key, raising=False)
    status, stderr = main_py(capsys, "--values", str(ROOT / "values/004-k8s-deployment.yaml"), "--env-file", str(env_file))
    assert status == 0, stderr
    assert sorted(p.name for p in (tmp_path / "o").iterdir()) == [".cdk8s-synth", "10-secrets.secret.yaml", "20-app.k8s.yaml"]
    assert "postgres://fake" not in stderr


def test_a_failed_synth_leaves_the_previous_output_exactly(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "dist"
    assert main_py(capsys, "--outdir", str(out))[0] == 0
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    bad = tmp_path / "bad.yaml"
    bad.write_text((ROOT / "values/003-local-k8s-deployment.yaml").read_text().replace("port: 8000", "port: 70000", 1))
    status, stderr = main_py(capsys, "--values", str(bad), "--outdir", str(out))
    assert status == 1
    assert "70000 is not a valid port (1-65535)" in stderr
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.yaml", "dist"]


def test_output_is_byte_for_byte_deterministic(tmp_path: Path) -> None:
    secrets = {"DATABASE_URL": "fake-db", "BETTER_AUTH_SECRET": "fake-auth", "OPENAI_API_KEY": "fake", "CHATKIT_WORKFLOW_ID": "w"}
    outputs = []
    for seed in ("1", "4242"):
        out = tmp_path / f"out-{seed}"
        assert run("--outdir", str(out), env={"PYTHONHASHSEED": seed, **secrets}).returncode == 0
        outputs.append({p.name: p.read_bytes() for p in sorted(out.iterdir())})
    assert outputs[0] == outputs[1]
    assert sorted(outputs[0]) == [".cdk8s-synth", "00-namespace.k8s.yaml", "10-secrets.secret.yaml", "20-app.k8s.yaml"]


def in_process(*args: str, environ: dict[str, str] | None = None) -> tuple[int, str]:
    """main.py's work without a new process (for messages; exit codes are tested above)."""
    parsed = main.parse_args(list(args))
    stderr = io.StringIO()
    status = cli.run(
        values=[Path(v) for v in parsed.values or [main.DEFAULT_VALUES]],
        outdir=Path(parsed.outdir),
        env_file=[Path(file) for file in parsed.env_file],
        require_secrets=parsed.require_secrets,
        environ=environ or {},
        stderr=stderr,
    )
    return status, stderr.getvalue()


def test_require_secrets_fails_without_writing(tmp_path: Path) -> None:
    out = tmp_path / "dist"
    status, stderr = in_process(
        "--require-secrets", "--outdir", str(out), environ={"DATABASE_URL": "postgres://user:hunter2@db/x"}
    )
    assert status == 1
    assert stderr.splitlines() == [
        "error: Secret todo-chatbot-secrets: no value for BETTER_AUTH_SECRET, OPENAI_API_KEY, CHATKIT_WORKFLOW_ID"
    ]
    assert not out.exists()


def test_env_file_errors_never_echo_values(tmp_path: Path) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text("DATABASE_URL=postgres://user:hunter2@db/x\nOPENAI_API_KEY sk-live-123\n")
    status, stderr = in_process("--env-file", str(env_file), "--outdir", str(tmp_path / "o"))
    assert status == 1
    assert stderr == f"error: {env_file}:2: not a KEY=VALUE line, a comment or blank\n"
    assert "sk-live" not in stderr


def test_env_file_repeats_later_files_win_and_the_environment_over_all(tmp_path: Path) -> None:
    first, second = tmp_path / "a.env", tmp_path / "b.env"
    first.write_text("DATABASE_URL=fake-a\nBETTER_AUTH_SECRET=fake-a\nOPENAI_API_KEY=fake-a\nCHATKIT_WORKFLOW_ID=w\n")
    second.write_text("DATABASE_URL=fake-b\nBETTER_AUTH_SECRET=fake-b\n")
    out = tmp_path / "o"
    args = ("--env-file", str(first), "--env-file", str(second), "--outdir", str(out), "--require-secrets")
    assert main.parse_args(list(args)).env_file == [str(first), str(second)]
    status, stderr = in_process(*args, environ={"BETTER_AUTH_SECRET": "fake-env"})
    assert status == 0, stderr
    secret = yaml_load((out / "10-secrets.secret.yaml").read_text())
    decoded = {key: base64.b64decode(value).decode() for key, value in secret["data"].items()}
    assert decoded == {
        "DATABASE_URL": "fake-b",
        "BETTER_AUTH_SECRET": "fake-env",
        "OPENAI_API_KEY": "fake-a",
        "CHATKIT_WORKFLOW_ID": "w",
    }


def test_an_env_file_without_a_key_value_line_is_an_error(tmp_path: Path) -> None:
    shadow = tmp_path / "shadow"
    shadow.write_text("root:$6$s3cr3t$hash:19000:0:99999:7:::\n")
    status, stderr = in_process("--env-file", str(shadow), "--outdir", str(tmp_path / "o"))
    assert (status, stderr) == (1, f"error: {shadow}:1: no '=' after the name; a line is KEY=VALUE (KEY= for an empty value)\n")
    assert not (tmp_path / "o").exists()


def test_secret_values_never_reach_the_output_log(tmp_path: Path) -> None:
    secrets = {
        "DATABASE_URL": "postgres://user:hunter2@db/x",
        "BETTER_AUTH_SECRET": "s3cr3t-auth",
        "OPENAI_API_KEY": "sk-live-123",
    }
    status, stderr = in_process("--outdir", str(tmp_path / "o"), environ=secrets)
    assert status == 0
    for value in secrets.values():
        assert value not in stderr
        assert value not in (tmp_path / "o" / "20-app.k8s.yaml").read_text()


def test_unwritable_output_is_a_clean_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    status, stderr = in_process("--outdir", str(blocker / "dist"))
    assert status == 1
    assert stderr.startswith(f"error: cannot write {blocker / 'dist'}: ")
