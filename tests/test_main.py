"""main.py, as a user runs it: exit codes, messages, CDK8S_OUTDIR."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


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


def test_invalid_values_exit_1_without_traceback(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("release: Demo\nappVersion: '1'\nservices: {}\n")
    result = run("--values", str(bad), "--outdir", str(tmp_path / "out"))
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.splitlines() == [
        f"error: {bad}:1: release: 'Demo' is not allowed here (a DNS-1123 label: lowercase letters, digits and '-', "
        "starting and ending alphanumeric, at most 63)",
        f"error: {bad}:3: services: is empty; it needs at least one entry",
    ]
    assert not (tmp_path / "out").exists()


def test_bad_usage_exits_2(tmp_path: Path) -> None:
    result = run("--no-such-flag")
    assert result.returncode == 2
    assert "usage:" in result.stderr


def test_cdk8s_outdir_and_env_file(tmp_path: Path) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text("DATABASE_URL=postgres://fake\nGEMINI_API_KEY=fake\nSECRET_KEY=fake\n")
    result = run(
        "--values",
        str(ROOT / "values/004-k8s-deployment.yaml"),
        "--env-file",
        str(env_file),
        env={"CDK8S_OUTDIR": str(tmp_path / "o")},
    )
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in (tmp_path / "o").iterdir()) == ["10-secrets.secret.yaml", "20-app.k8s.yaml"]
    assert "postgres://fake" not in result.stderr
