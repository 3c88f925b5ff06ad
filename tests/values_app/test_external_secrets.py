"""secrets.<name>.externalSecret: an ExternalSecret instead of the Secret, whose values are never
asked for, never written, never printed; its kind pruned only where the release uses it."""

from __future__ import annotations

import base64
import io
from pathlib import Path
from typing import Any

from tests.crd_schemas import validate_any
from tests.helpers import yaml_load_all
from values_app import cli
from values_app.deploy import deploy_plan, left_behind
from values_app.loader import load_values
from values_app.secrets import resolve_secrets
from values_app.settings import Setting
from values_app.synth import render

ROOT = Path(__file__).resolve().parents[2]
DEFAULT = ROOT / "values" / "003-local-k8s-deployment.yaml"
SECRET = "todo-chatbot-secrets"
FROM_VAULT = [
    Setting(f"secrets.{SECRET}.externalSecret.store=vault"),
    Setting(f"secrets.{SECRET}.externalSecret.remoteKey=prod/todo-chatbot"),
    Setting(f"secrets.{SECRET}.externalSecret.properties.DATABASE_URL=database-url"),
]
VALUES = {
    "DATABASE_URL": "postgresql://u:pw-4a1f@db/todo",
    "BETTER_AUTH_SECRET": "auth-9c2e",
    "OPENAI_API_KEY": "sk-77d1",
    "CHATKIT_WORKFLOW_ID": "wf-3b8a",
}


def manifests(directory: Path) -> list[dict[str, Any]]:
    return [doc for path in sorted(directory.glob("*.yaml")) for doc in yaml_load_all(path.read_text()) if doc]


def test_an_external_secret_instead_of_the_secret_and_no_value_anywhere(tmp_path: Path) -> None:
    stderr = io.StringIO()
    out = tmp_path / "dist"
    status = cli.run(values=DEFAULT, settings=FROM_VAULT, outdir=out, environ=VALUES, require_secrets=True, stderr=stderr)
    assert status == 0, stderr.getvalue()
    assert sorted(p.name for p in out.iterdir()) == [
        ".cdk8s-synth", "00-namespace.k8s.yaml", "10-external-secrets.k8s.yaml", "20-app.k8s.yaml"
    ]  # fmt: skip
    found = manifests(out)
    assert [m["kind"] for m in found if m["kind"] in ("Secret", "ExternalSecret")] == ["ExternalSecret"]
    (external,) = [m for m in found if m["kind"] == "ExternalSecret"]
    assert external["metadata"]["name"] == SECRET
    assert external["spec"]["target"]["name"] == SECRET
    assert external["spec"]["data"][0] == {
        "remoteRef": {
            "key": "prod/todo-chatbot",
            "property": "database-url",
            "conversionStrategy": "Default",
            "decodingStrategy": "None",
            "metadataPolicy": "None",
            "nullBytePolicy": "Ignore",
        },
        "secretKey": "DATABASE_URL",
    }
    for manifest in found:
        validate_any(manifest)
    backend = next(m for m in found if m["kind"] == "Deployment" and m["metadata"]["name"] == "todo-backend")
    env = {e["name"]: e.get("valueFrom", {}) for e in backend["spec"]["template"]["spec"]["containers"][0]["env"]}
    assert env["DATABASE_URL"]["secretKeyRef"]["name"] == SECRET  # the workloads read the Secret the operator makes
    everything = stderr.getvalue() + "".join(p.read_text() for p in out.iterdir())
    for value in VALUES.values():
        assert value not in everything
        assert base64.b64encode(value.encode()).decode() not in everything
    assert (
        f"Secret {SECRET} is made by the External Secrets Operator (ExternalSecret {SECRET}, from ClusterSecretStore "
        "vault, prod/todo-chatbot)" in stderr.getvalue()
    )
    assert "set reloader: true" in stderr.getvalue()


def test_its_values_are_never_asked_for() -> None:
    values = load_values(DEFAULT, FROM_VAULT)
    # not even read: a value that is not UTF-8 (an error for a Secret the synth renders) is no error here
    complete, missing = resolve_secrets(values.secrets, namespace="n", environ={"DATABASE_URL": "\udcff"})
    assert (complete, missing) == ({}, [])


def test_external_and_external_secret_at_once_or_a_property_of_no_key(tmp_path: Path) -> None:
    values = tmp_path / "values.yaml"
    values.write_text(
        "extends: " + str(DEFAULT) + "\n"
        "secrets:\n"
        f"  {SECRET}:\n"
        "    external: true\n"
        "    externalSecret:\n"
        "      store: vault\n"
        "      remoteKey: prod/x\n"
        "      refreshInterval: 1d\n"
        "      properties: {NOT_A_KEY: x}\n"
    )
    stderr = io.StringIO()
    assert cli.run(values=values, outdir=tmp_path / "dist", environ={}, stderr=stderr) == 1
    assert stderr.getvalue().splitlines() == [
        f"error: {values}:8: secrets.{SECRET}.externalSecret.refreshInterval: '1d' is not a duration: a number and a unit "
        "(ms, s, m, h), repeated, such as 1h or 1m30s",
    ]
    values.write_text(values.read_text().replace("1d", "1h"))
    stderr = io.StringIO()
    assert cli.run(values=values, outdir=tmp_path / "dist", environ={}, stderr=stderr) == 1
    assert stderr.getvalue().splitlines() == [
        f"error: {values}:5: secrets.{SECRET}.externalSecret: give external: true or externalSecret, not both",
        f"error: {values}:9: secrets.{SECRET}.externalSecret.properties.NOT_A_KEY: NOT_A_KEY is not one of the keys "
        "(DATABASE_URL, BETTER_AUTH_SECRET, OPENAI_API_KEY, CHATKIT_WORKFLOW_ID)",
    ]
    assert not (tmp_path / "dist").exists()


def allowlist(command: str) -> list[str]:
    return [part.removeprefix("--prune-allowlist=") for part in command.split() if part.startswith("--prune-allowlist=")]


def test_its_kind_is_pruned_only_where_the_release_uses_it(tmp_path: Path) -> None:
    """kubectl fails on a --prune-allowlist of a kind whose CRD the cluster lacks: it is listed only
    where the release renders one, or the output it replaces held one (so that it is still pruned
    the first time the release drops it)."""
    plain = render(load_values(DEFAULT), environ=VALUES)
    with_es = render(load_values(DEFAULT, FROM_VAULT), environ=VALUES)
    kind = "external-secrets.io/v1/ExternalSecret"
    assert kind not in allowlist(deploy_plan(tmp_path, plain.files, plain.release).prune)
    plan = deploy_plan(tmp_path, with_es.files, with_es.release)
    assert kind in allowlist(plan.prune)
    assert "core/v1/Secret" not in allowlist(plan.prune)  # the operator's Secret is never pruned
    assert f"this synth does not render {SECRET} (made by its ExternalSecret)" in " ".join(plan.notes)
    dropped = deploy_plan(tmp_path, plain.files, plain.release, previous=with_es.files)
    assert kind in allowlist(dropped.prune)
    # the same for the kubectl delete that cleans up a release moved to another namespace
    moved = render(load_values(DEFAULT, [Setting("namespace.name=todo-elsewhere")]), environ=VALUES)
    (delete,) = [line for line in left_behind(with_es.files, moved.release) if "kubectl delete -n todo-local" in line]
    assert "externalsecrets.external-secrets.io" in delete
    (delete,) = [line for line in left_behind(plain.files, moved.release) if "kubectl delete -n todo-local" in line]
    assert "externalsecrets" not in delete
