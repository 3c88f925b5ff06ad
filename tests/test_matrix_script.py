"""scripts/test-matrix (make test-matrix): what it says before it builds anything. (Its legs
themselves run in CI's matrix job: each builds a venv, minutes, not a test of `make test`.)"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from tests.helpers import ROOT

SCRIPT = ROOT / "scripts" / "test-matrix"


def _run(*args: str, path: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {"PATH": path if path is not None else os.environ["PATH"], "JSII_NODE": sys.executable}
    bash = shutil.which("bash")
    assert bash is not None
    return subprocess.run([bash, str(SCRIPT), *args], env=env, capture_output=True, text=True, check=False)


def test_an_unknown_leg_is_bad_usage() -> None:
    result = _run("--setup", "py314")
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == "test-matrix: unknown leg 'py314' (legs: pyyaml py313 lowest)\n"


def test_without_python_3_13_it_says_so_and_builds_nothing(tmp_path: Path) -> None:
    """A PATH with no python3.13 and no pyenv on it: the leg is not set up, and the way out is named."""
    tools = tmp_path / "bin"
    tools.mkdir()
    for tool in ("dirname", "mkdir"):
        found = shutil.which(tool)
        assert found is not None
        (tools / tool).symlink_to(found)
    before = sorted((ROOT / "build" / "matrix").glob("*")) if (ROOT / "build" / "matrix").is_dir() else []
    result = _run("--setup", "py313", path=str(tools))
    assert result.returncode == 2
    assert result.stderr.startswith("test-matrix: no Python 3.13 found (tried $PYTHON313, python3.13 on PATH, pyenv's versions)")
    assert "PYTHON313=/path/to/python3.13" in result.stderr
    assert result.stdout.splitlines()[-1] == "py313: not set up"
    after = sorted((ROOT / "build" / "matrix").glob("*")) if (ROOT / "build" / "matrix").is_dir() else []
    assert after == before
