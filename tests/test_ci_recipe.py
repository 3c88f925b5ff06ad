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


FRONTEND_DIGEST, BACKEND_DIGEST = "sha256:" + "a" * 64, "sha256:" + "b" * 64


def as_ci_runs(command: str) -> str:
    """The step's command as Actions expands it, for a commit whose short SHA is all digits."""
    return (
        command.replace("${{ github.sha }}", "0123456")
        .replace("${{ steps.digests.outputs.todo-frontend }}", FRONTEND_DIGEST)
        .replace("${{ steps.digests.outputs.todo-backend }}", BACKEND_DIGEST)
    )


def test_the_render_step_renders_staging_and_production_for_a_commit(tmp_path: Path) -> None:
    command = as_ci_runs(step("render", "Render staging and production").get("run", ""))
    argv = shlex.split(command)
    assert argv[:3] == [".venv/bin/python", "main.py", "envs"]
    argv[argv.index("--outdir") + 1] = str(tmp_path / "dist")
    env = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "JSII_NODE")}
    result = subprocess.run([sys.executable, *argv[1:]], cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    for name in ("staging", "production"):
        app = (tmp_path / "dist" / name / "20-app.k8s.yaml").read_text()
        assert f"image: ghcr.io/example/todo-backend:0123456@{BACKEND_DIGEST}\n" in app
        assert f"image: ghcr.io/example/todo-frontend:0123456@{FRONTEND_DIGEST}\n" in app


def test_image_tags_are_set_as_strings() -> None:
    for name in ("Render staging and production", "What would change in production"):
        argv = shlex.split(step("render", name).get("run", ""))
        tags = [(flag, value) for flag, value in itertools.pairwise(argv) if ".image.tag=" in value]
        assert len(tags) == 3, name
        assert all(flag == "--set-string" for flag, _ in tags), tags  # a SHA of digits stays a tag
        digests = [value for flag, value in itertools.pairwise(argv) if flag == "--set-string" and ".image.digest=" in value]
        assert len(digests) == 3, name  # production's audit reason says images are pinned by digest
        assert "digest=null" not in " ".join(argv)


def test_it_validates_uploads_and_deploys_server_side() -> None:
    assert step("render", "Validate").get("run") == "make validate OUTDIR=dist"
    upload = next(s for s in WORKFLOW["jobs"]["render"]["steps"] if s.get("uses", "").startswith("actions/upload-artifact"))
    assert upload["with"]["path"] == "dist/"
    deploy = WORKFLOW["jobs"]["deploy"]
    assert deploy["needs"] == "render"
    assert "kubectl apply --server-side -f dist/production/" in step("deploy", "Apply").get("run", "")
