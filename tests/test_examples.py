"""examples/: each program runs from an empty directory and renders what it says; one snapshot
each. The default app written in Python renders what the default preset renders."""

from __future__ import annotations

import ast
import io
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from syrupy.assertion import SnapshotAssertion

from tests.bookshop import check_bookshop
from tests.crd_schemas import validate_kubernetes
from tests.helpers import by_kind, container, load_all, one, yaml_load_all
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
    return [doc for text in files.values() for doc in load_all(text)]


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, str]]:
    return {name: synthesize(ROOT / "examples" / name, tmp_path_factory.mktemp(name)) for name in EXAMPLES}


@pytest.mark.parametrize("example", EXAMPLES)
def test_snapshot_and_valid_kubernetes(example: str, rendered: dict[str, dict[str, str]], snapshot: SnapshotAssertion) -> None:
    assert rendered[example] == snapshot
    for manifest in manifests(rendered[example]):
        validate_kubernetes(manifest)


def test_quickstart_is_the_readme_program() -> None:
    """The same program, statement for statement (the package has one name everywhere)."""

    def statements(source: str) -> str:
        tree = ast.parse(source)
        if tree.body and isinstance(tree.body[0], ast.Expr) and isinstance(tree.body[0].value, ast.Constant):
            tree.body = tree.body[1:]  # the docstring
        return ast.dump(tree)

    readme = (ROOT / "docs" / "library.md").read_text().split("## Use the constructs in your own chart", 1)[1]
    program = readme.split("```python\n", 1)[1].split("```", 1)[0]
    quickstart = (ROOT / "examples" / "quickstart.py").read_text()
    assert statements(quickstart) == statements(program)


def test_quickstart_renders_the_contract(rendered: dict[str, dict[str, str]]) -> None:
    check_bookshop(manifests(rendered["quickstart.py"]))


def test_quickstart_wires_what_the_program_says(rendered: dict[str, dict[str, str]]) -> None:
    objects = manifests(rendered["quickstart.py"])
    api = one(objects, "Deployment", "api")
    pod = api["spec"]["template"]["spec"]
    assert api["spec"]["replicas"] == 3
    assert pod["nodeSelector"] == {"pool": "general"}
    assert pod["imagePullSecrets"] == [{"name": "regcred"}]
    assert api["spec"]["template"]["metadata"]["annotations"]["prometheus.io/scrape"] == "true"
    settings = one(objects, "ConfigMap")["metadata"]["name"]
    creds = one(objects, "Secret")["metadata"]["name"]
    redis = next(name for s in by_kind(objects, "Service") if (name := s["metadata"]["name"]).startswith("bookshop-redis"))
    assert [v["configMap"] for v in pod["volumes"] if "configMap" in v] == [{"name": settings}]
    env = {e["name"]: e for e in container(api)["env"]}
    assert env["LOG_LEVEL"]["valueFrom"] == {"configMapKeyRef": {"key": "LOG_LEVEL", "name": settings}}
    assert env["DATABASE_URL"]["valueFrom"] == {"secretKeyRef": {"key": "DATABASE_URL", "name": creds}}
    assert env["REDIS_URL"]["value"] == f"redis://{redis}:6379"
    assert env["TOOLS_URL"]["value"] == "http://tools:8001"
    assert container(one(objects, "Deployment", "web"))["env"] == [{"name": "API_URL", "value": "http://api:8000"}]
    mailer = {e["name"]: e for e in container(one(objects, "Deployment", "mailer"))["env"]}
    assert mailer["API_URL"]["value"] == "http://api:8000"
    assert "secretKeyRef" in mailer["DATABASE_URL"]["valueFrom"]
    assert one(objects, "CronJob")["spec"]["schedule"] == "0 3 * * *"
    job = one(objects, "Job")
    assert job["metadata"]["annotations"]["argocd.argoproj.io/sync-wave"] == "1"  # after what it reads
    for name in ("api", "mailer"):  # the workloads it runs before: in the next wave, labelled for kubectl
        workload = one(objects, "Deployment", name)["metadata"]
        assert workload["annotations"]["argocd.argoproj.io/sync-wave"] == "2"
        assert workload["labels"]["webapp-constructs.io/migration-step"] == "after"
    assert one(objects, "PodDisruptionBudget", "api")["spec"]["maxUnavailable"] == 1


def test_the_default_app_in_python_renders_what_the_default_preset_renders(
    rendered: dict[str, dict[str, str]], tmp_path: Path
) -> None:
    stderr = io.StringIO()
    assert run(values=ROOT / "values" / "003-local-k8s-deployment.yaml", outdir=tmp_path / "dist", environ={}, stderr=stderr) == 0
    preset = [doc for p in sorted((tmp_path / "dist").glob("*.yaml")) for doc in yaml_load_all(p.read_text()) if doc]
    assert manifests(rendered["default_app.py"]) == preset


def test_the_quickstart_deploys_in_order_by_the_readmes_kubectl_lines_and_by_argo_cd(
    rendered: dict[str, dict[str, str]],
) -> None:
    """Issue 29: the program of docs/library.md (a MigrationJob before two workloads), deployed with
    the kubectl lines for one's own chart (docs/environments-and-gitops.md, Migrations), and synced
    by Argo CD by its waves alone, as the ordering model (tests/ordering.py) plays them from an
    empty cluster."""
    from tests import ordering
    from tests.test_ordering import seeded

    ((name, text),) = rendered["quickstart.py"].items()
    manifests = load_all(text)
    readme = (ROOT / "docs" / "environments-and-gitops.md").read_text()  # Migrations
    block = readme.split("**In your own chart**", 1)[1].split("```sh\n", 1)[1].split("```", 1)[0]
    commands = [line.split("  #", 1)[0].strip() for line in block.splitlines() if line.strip()]
    assert len(commands) == 4
    files = {f"dist/{name}": manifests}
    cluster = seeded("shop", {"": manifests})
    cluster.know_migrations(manifests)
    ordering.play_kubectl(commands, files, cluster)
    assert cluster.errors == []
    assert cluster.migrations
    assert all(cluster.exists(*cluster.key(m)) for m in manifests)
    cluster = seeded("shop", {"": manifests})
    ordering.play_argocd(manifests, cluster)
    assert cluster.errors == []
    # and the model sees it fail when applied all at once
    cluster = seeded("shop", {"": manifests})
    cluster.know_migrations(manifests)
    ordering.play_kubectl(["kubectl apply -f dist"], files, cluster)
    assert any("rolled before migration Job" in error for error in cluster.errors)
