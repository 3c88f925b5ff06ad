"""The CI recipe (.github/workflows/render.yml): its render step works here as written, with a
fake commit, and needs no cluster; its deploy step is a server-side apply of an environment."""

from __future__ import annotations

import itertools
import os
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
WORKFLOW: dict[str, Any] = yaml.safe_load((ROOT / ".github" / "workflows" / "render.yml").read_text())


def step(job: str, name: str) -> dict[str, Any]:
    found: dict[str, Any] = next(s for s in WORKFLOW["jobs"][job]["steps"] if s.get("name", "").startswith(name))
    return found


def test_the_render_step_renders_staging_and_production_for_a_commit(tmp_path: Path) -> None:
    command = step("render", "Render staging and production").get("run", "").replace("${{ github.sha }}", "0123abc")
    argv = shlex.split(command)
    assert argv[:3] == [".venv/bin/python", "main.py", "envs"]
    argv[argv.index("--outdir") + 1] = str(tmp_path / "dist")
    env = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "JSII_NODE")}
    result = subprocess.run([sys.executable, *argv[1:]], cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    for name in ("staging", "production"):
        app = (tmp_path / "dist" / name / "20-app.k8s.yaml").read_text()
        assert "image: ghcr.io/example/todo-backend:0123abc\n" in app
        assert "image: ghcr.io/example/todo-frontend:0123abc\n" in app


def test_image_tags_are_set_as_strings() -> None:
    for name in ("Render staging and production", "What would change in production"):
        argv = shlex.split(step("render", name).get("run", ""))
        tags = [(flag, value) for flag, value in itertools.pairwise(argv) if ".image.tag=" in value]
        assert len(tags) == 3, name
        assert all(flag == "--set-string" for flag, _ in tags), tags  # a SHA of digits stays a tag


def test_it_validates_uploads_and_deploys_server_side() -> None:
    assert step("render", "Validate").get("run") == "make validate OUTDIR=dist"
    upload = next(s for s in WORKFLOW["jobs"]["render"]["steps"] if s.get("uses", "").startswith("actions/upload-artifact"))
    assert upload["with"]["path"] == "dist/"
    deploy = WORKFLOW["jobs"]["deploy"]
    assert deploy["needs"] == "render"
    assert "kubectl apply --server-side -f dist/production/" in step("deploy", "Apply").get("run", "")
