"""The CI recipes: .github/workflows/render.yml (its render step works here as written, with a fake
commit, and needs no cluster; its deploy step is a server-side apply of an environment) and
.github/workflows/deploy-repo.yml (the GitOps one: its diff and render steps work here as written,
into a checkout of the deploy repository)."""

from __future__ import annotations

import itertools
import os
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

import main
from tests.helpers import yaml_load

ROOT = Path(__file__).resolve().parent.parent
WORKFLOW: dict[str, Any] = yaml_load((ROOT / ".github" / "workflows" / "render.yml").read_text())


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


# --- the GitOps recipe (.github/workflows/deploy-repo.yml) -----------------------------------------

DEPLOY_WORKFLOW: dict[str, Any] = yaml_load((ROOT / ".github" / "workflows" / "deploy-repo.yml").read_text())


def deploy_step(name: str) -> dict[str, Any]:
    found: dict[str, Any] = next(s for s in DEPLOY_WORKFLOW["jobs"]["render"]["steps"] if s.get("name", "").startswith(name))
    return found


def test_the_deploy_repository_recipe_renders_and_diffs_as_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Its diff and render steps, verbatim but for where the checkout is: the diff of a new
    repository adds everything (exit 1, which the step accepts), the render writes every
    environment and the Argo CD objects beside what the checkout holds, and the diff then has
    nothing left to say (exit 0)."""
    checkout = tmp_path / "deploy"
    subprocess.run(["git", "init", "--quiet", str(checkout)], check=True)
    diff_command, accepted = as_ci_runs(deploy_step("What would change in each environment").get("run", "")).split(" || ")
    assert accepted == "test $? -eq 1"
    diff_argv = shlex.split(diff_command)
    assert diff_argv[:3] == [".venv/bin/python", "main.py", "diff"]
    diff_argv[diff_argv.index("--against") + 1] = str(checkout)
    monkeypatch.chdir(ROOT)
    capsys.readouterr()
    assert main.main(diff_argv[2:]) == 1
    assert "staging: 0 changed, 19 added, 0 removed; will roll: todo-frontend, todo-backend, todo-mcp" in capsys.readouterr().err

    render_argv = shlex.split(as_ci_runs(deploy_step("Render every environment into the deploy repository").get("run", "")))
    assert render_argv[:3] == [".venv/bin/python", "main.py", "envs"]
    render_argv[render_argv.index("--outdir") + 1] = str(checkout)
    env = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "JSII_NODE")}
    result = subprocess.run([sys.executable, *render_argv[1:]], cwd=ROOT, env=env, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in checkout.iterdir()) == [".deploy-tree", ".git", "argocd", "clusters"]
    for name in ("staging", "production"):
        app = (checkout / "clusters" / name / "20-app.k8s.yaml").read_text()
        assert f"image: ghcr.io/example/todo-backend:0123456@{BACKEND_DIGEST}\n" in app
        assert f"image: ghcr.io/example/todo-frontend:0123456@{FRONTEND_DIGEST}\n" in app
    assert main.main(diff_argv[2:]) == 0
    assert capsys.readouterr().err == "staging: no changes\nproduction: no changes\nargocd: no changes\n"


def test_the_deploy_repository_recipe_checks_out_its_branch_validates_and_pushes_only_from_main() -> None:
    checkout = next(s for s in DEPLOY_WORKFLOW["jobs"]["render"]["steps"] if s.get("name", "").startswith("Check out the deploy"))
    gitops = yaml_load((ROOT / "environments.gitops.yaml").read_text())["gitops"]
    assert checkout["uses"] == "actions/checkout@v4"
    assert checkout["with"]["ref"] == gitops["targetRevision"]
    assert gitops["repoURL"].endswith(f"/{checkout['with']['repository']}.git")
    assert checkout["with"]["path"] == "deploy"
    assert deploy_step("Validate").get("run") == "make validate OUTDIR=deploy/clusters"
    push = deploy_step("Commit and push")
    assert push["if"] == "github.event_name != 'pull_request'"
    assert push["working-directory"] == "deploy"
    assert push["run"].rstrip().endswith(f"git push origin HEAD:{gitops['targetRevision']}")
    for name in ("What would change in each environment", "Render every environment"):
        argv = shlex.split(deploy_step(name).get("run", ""))
        tags = [value for flag, value in itertools.pairwise(argv) if ".image.tag=" in value and flag == "--set-string"]
        digests = [value for flag, value in itertools.pairwise(argv) if ".image.digest=" in value and flag == "--set-string"]
        assert (len(tags), len(digests)) == (3, 3), name
    resolve = deploy_step("Resolve the digests").get("run", "")
    assert resolve == step("render", "Resolve the digests").get("run")  # the same approach as render.yml
