"""examples/: each program runs from an empty directory and renders what it says; one snapshot
each. The default app written in Python renders what the default preset renders."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml
from syrupy.assertion import SnapshotAssertion

from tests.helpers import container, one
from values_app.cli import run

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted(p.name for p in (ROOT / "examples").glob("*.py"))


def synthesize(program: Path, workdir: Path, python: str = sys.executable, pythonpath: str | None = str(ROOT)) -> dict[str, str]:
    """Run ``program`` in ``workdir`` as a user would; the YAML files it wrote, by name."""
    env = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "JSII_NODE", "SYSTEMROOT")}
    if pythonpath:
        env["PYTHONPATH"] = pythonpath
    result = subprocess.run([python, str(program)], cwd=workdir, env=env, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    return {p.name: p.read_text() for p in sorted((workdir / "dist").glob("*.yaml"))}


def manifests(files: dict[str, str]) -> list[dict[str, Any]]:
    return [doc for text in files.values() for doc in yaml.safe_load_all(text) if doc]


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, str]]:
    return {name: synthesize(ROOT / "examples" / name, tmp_path_factory.mktemp(name)) for name in EXAMPLES}


@pytest.mark.parametrize("example", EXAMPLES)
def test_snapshot_and_valid_kubernetes(example: str, rendered: dict[str, dict[str, str]], snapshot: SnapshotAssertion) -> None:
    assert rendered[example] == snapshot
    for manifest in manifests(rendered[example]):
        kubernetes_validate.validate(manifest, "1.27.0", strict=True)


def test_quickstart_connects_patches_and_lets_the_cron_job_in(rendered: dict[str, dict[str, str]]) -> None:
    objects = manifests(rendered["quickstart.py"])
    api = one(objects, "Deployment", "api")
    assert api["spec"]["template"]["spec"]["priorityClassName"] == "high"
    assert api["spec"]["replicas"] == 2
    env = {e["name"]: e for e in container(api)["env"]}
    assert env["MCP_SERVER_URL"] == {"name": "MCP_SERVER_URL", "value": "http://mcp:8001"}
    assert env["DATABASE_URL"]["valueFrom"] == {"secretKeyRef": {"key": "DATABASE_URL", "name": "todo-secrets"}}
    assert env["LOG_LEVEL"]["valueFrom"] == {"configMapKeyRef": {"key": "LOG_LEVEL", "name": "todo-config"}}
    assert container(one(objects, "Deployment", "web"))["env"] == [{"name": "API_URL", "value": "http://api:8000"}]
    assert one(objects, "Service", "web")["spec"]["ports"][0]["nodePort"] == 30080
    cron_pods = one(objects, "CronJob")["spec"]["jobTemplate"]["spec"]["template"]["metadata"]["labels"]
    api_peers = one(objects, "NetworkPolicy", "api")["spec"]["ingress"][0]["from"]
    assert {"podSelector": {"matchLabels": cron_pods}} in api_peers
    mcp_peers = one(objects, "NetworkPolicy", "mcp")["spec"]["ingress"][0]["from"]
    assert mcp_peers == [
        {"podSelector": {"matchLabels": {"app.kubernetes.io/instance": "todo", "app.kubernetes.io/name": "api"}}}
    ]
    assert one(objects, "PodDisruptionBudget", "api")["spec"]["maxUnavailable"] == 1


def test_the_default_app_in_python_renders_what_the_default_preset_renders(
    rendered: dict[str, dict[str, str]], tmp_path: Path
) -> None:
    stderr = io.StringIO()
    assert run(values=ROOT / "values" / "003-local-k8s-deployment.yaml", outdir=tmp_path / "dist", environ={}, stderr=stderr) == 0
    preset = [doc for p in sorted((tmp_path / "dist").glob("*.yaml")) for doc in yaml.safe_load_all(p.read_text()) if doc]
    assert manifests(rendered["default_app.py"]) == preset
