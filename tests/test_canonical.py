"""Render what the server stores (issue 29, item 3): every object of every preset and of every
gitops environment equals the copy a Kubernetes API server would store of it
(:func:`tests.canonical.stored`: empty lists and maps dropped, quantities canonical, the CRDs'
defaults written out), so a re-apply by any route (kubectl, server-side apply, Argo CD, Flux)
changes nothing; and a second render writes the same bytes. The checker is shown to fail on
each rule it holds the output to."""

from __future__ import annotations

import difflib
import io
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.canonical import CanonicalError, canonical_quantity, stored
from tests.helpers import load_all, yaml_load
from tests.migration import inject_migration
from values_app import cli

ROOT = Path(__file__).resolve().parent.parent
PRESETS = sorted(p.stem for p in (ROOT / "values").glob("*.yaml"))
FAKE = {
    key: f"fake-{key.lower().replace('_', '-')}"
    for key in (
        "DATABASE_URL", "BETTER_AUTH_SECRET", "OPENAI_API_KEY", "CHATKIT_WORKFLOW_ID",
        "GEMINI_API_KEY", "SECRET_KEY", "GROQ_API_KEY",
    )
}  # fmt: skip
FROM_VAULT = (
    "[secrets.todo-chatbot-secrets.externalSecret.store=vault, secrets.todo-chatbot-secrets.externalSecret.remoteKey=todo]"
)


def tree(directory: Path) -> dict[str, bytes]:
    return {str(p.relative_to(directory)): p.read_bytes() for p in sorted(directory.rglob("*")) if p.is_file()}


def manifests(files: dict[str, bytes]) -> list[tuple[str, dict[str, Any]]]:
    return [(name, doc) for name, text in files.items() if name.endswith(".yaml") for doc in load_all(text.decode())]


def non_canonical(files: dict[str, bytes]) -> list[str]:
    """A diff (rendered -> stored) for each object that the server would store otherwise."""
    found = []
    for name, manifest in manifests(files):
        server = stored(manifest)
        if server != manifest:
            diff = difflib.unified_diff(
                yaml.safe_dump(manifest).splitlines(), yaml.safe_dump(server).splitlines(), "rendered", "stored", lineterm=""
            )
            found.append(f"{name}: {manifest['kind']} {manifest['metadata'].get('name')}\n" + "\n".join(diff))
    return found


def render_preset(preset: str, outdir: Path) -> dict[str, bytes]:
    stderr = io.StringIO()
    status = cli.run(values=ROOT / "values" / f"{preset}.yaml", outdir=outdir, environ=FAKE, stderr=stderr)
    assert status == 0, stderr.getvalue()
    return tree(outdir)


@pytest.mark.parametrize("preset", PRESETS)
def test_every_object_of_a_preset_is_what_the_server_stores(preset: str, tmp_path: Path) -> None:
    first = render_preset(preset, tmp_path / "one")
    assert manifests(first)
    assert non_canonical(first) == []
    assert render_preset(preset, tmp_path / "two") == first


GITOPS = {
    "argocd": "",
    "applicationset+migration+externalsecret": "  applicationSet: true\n",
    "flux+migration+externalsecret": "",
}


def environments_file(tmp_path: Path, variant: str) -> Path:
    """``environments.gitops.yaml`` (as is, or with another tool, an ApplicationSet, and an
    environment whose Secret comes from an ExternalSecret), its paths made absolute."""
    data = yaml_load((ROOT / "environments.gitops.yaml").read_text())
    text = (ROOT / "environments.gitops.yaml").read_text().replace("[values/", f"[{ROOT}/values/")
    if variant == "argocd":
        path = tmp_path / "environments.yaml"
        path.write_text(text)
        return path
    tool = "flux" if variant.startswith("flux") else "argocd"
    lines = ["gitops:", f"  tool: {tool}"]
    lines += [f"  {key}: {data['gitops'][key]}" for key in ("repoURL", "targetRevision")]
    lines += [f'  path: "{data["gitops"]["path"]}"']
    lines += [GITOPS[variant].rstrip("\n")] if GITOPS[variant] else []
    lines += ["environments:"]
    for name, environment in data["environments"].items():
        lines += [f"  {name}:", f"    values: [{', '.join(str(ROOT / v) for v in environment['values'])}]"]
    lines += ["  vault:", f"    values: [{ROOT}/values/003-local-k8s-deployment.yaml]", f"    set: {FROM_VAULT}"]
    path = tmp_path / "environments.yaml"
    path.write_text("\n".join(lines) + "\n")
    return path


def render_environments(file: Path, outdir: Path) -> dict[str, bytes]:
    stderr = io.StringIO()
    status = cli.environments(file=file, outdir=outdir, environ={}, stderr=stderr)
    assert status == 0, stderr.getvalue()
    return tree(outdir)


@pytest.mark.parametrize("variant", list(GITOPS))
def test_every_object_of_every_gitops_environment_is_what_the_server_stores(
    variant: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if "migration" in variant:
        inject_migration(monkeypatch)
    file = environments_file(tmp_path, variant)
    first = render_environments(file, tmp_path / "one")
    kinds = {manifest["kind"] for _, manifest in manifests(first)}
    expected = {"Deployment", "NetworkPolicy", "Namespace"}
    if "migration" in variant:
        expected |= {"Job", "ExternalSecret"}
    expected |= {"argocd": {"Application"}, "flux": {"Kustomization", "GitRepository"}}.get(variant.split("+")[0], set())
    expected |= {"ApplicationSet"} if variant.startswith("applicationset") else set()
    assert expected <= kinds
    assert non_canonical(first) == []
    assert render_environments(file, tmp_path / "two") == first


# --- the checker can fail -------------------------------------------------------------------------


def policy(**spec: Any) -> dict[str, Any]:
    return {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "NetworkPolicy",
        "metadata": {"name": "p", "namespace": "n", "labels": {"a": "b"}},
        "spec": {"podSelector": {"matchLabels": {"app": "x"}}, "policyTypes": ["Ingress"], **spec},
    }


def test_an_empty_list_or_map_is_not_what_the_server_stores() -> None:
    assert stored(policy()) == policy()
    assert stored(policy(ingress=[])) == policy()
    assert non_canonical({"p.yaml": yaml.safe_dump(policy(ingress=[])).encode()}) != []
    selector = policy(podSelector={"matchLabels": {}})
    assert stored(selector)["spec"]["podSelector"] == {}
    labels = policy()
    labels["metadata"]["labels"] = {}
    assert "labels" not in stored(labels)["metadata"]
    rule = policy(ingress=[{"from": [], "ports": [{"port": 80, "protocol": "TCP"}]}])
    assert stored(rule)["spec"]["ingress"] == [{"ports": [{"port": 80, "protocol": "TCP"}]}]


def pod_spec(**spec: Any) -> dict[str, Any]:
    container = {"name": "main", "image": "x", **spec.pop("container", {})}
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "d"},
        "spec": {
            "selector": {"matchLabels": {"app": "d"}},
            "template": {"metadata": {"labels": {"app": "d"}}, "spec": {"containers": [container], **spec}},
        },
    }


def test_an_empty_struct_and_a_pointer_false_are_stored() -> None:
    kept = pod_spec(
        volumes=[{"name": "tmp", "emptyDir": {}}],
        automountServiceAccountToken=False,
        container={"securityContext": {"readOnlyRootFilesystem": False, "allowPrivilegeEscalation": False}},
    )
    assert stored(kept) == kept
    dropped = pod_spec(
        volumes=[{"name": "data", "persistentVolumeClaim": {"claimName": "c", "readOnly": False}}], hostNetwork=False
    )
    server = stored(dropped)["spec"]["template"]["spec"]
    assert server["volumes"] == [{"name": "data", "persistentVolumeClaim": {"claimName": "c"}}]
    assert "hostNetwork" not in server
    assert "serviceAccountName" not in stored(pod_spec(serviceAccountName=None))["spec"]["template"]["spec"]


def test_a_quantity_is_stored_canonically() -> None:
    resources = {"requests": {"cpu": "1000m", "memory": "2048Mi"}, "limits": {"cpu": 2, "memory": "1.5Gi"}}
    server = stored(pod_spec(container={"resources": resources}))
    assert server["spec"]["template"]["spec"]["containers"][0]["resources"] == {
        "requests": {"cpu": "1", "memory": "2Gi"},
        "limits": {"cpu": "2", "memory": "1536Mi"},
    }
    assert stored(pod_spec(volumes=[{"name": "t", "emptyDir": {"sizeLimit": "0.5Gi"}}]))["spec"]["template"]["spec"][
        "volumes"
    ] == [{"name": "t", "emptyDir": {"sizeLimit": "512Mi"}}]


@pytest.mark.parametrize(
    ("given", "canonical"),
    [
        ("100m", "100m"), ("0.5", "500m"), ("1.5", "1500m"), ("1000", "1k"), ("1024", "1024"), ("1e3", "1e3"),
        ("1Ki", "1Ki"), ("1000Ki", "1000Ki"), ("0.5Ki", "512"), ("128974848", "128974848"), ("0Mi", "0"),
        ("1n", "1n"), ("0.1n", "1n"), (0.25, "250m"), ("-1000m", "-1"), ("12E", "12E"), ("1000E", "1000E"),
    ],
)  # fmt: skip
def test_canonical_quantities(given: str | float, canonical: str) -> None:
    assert canonical_quantity(given) == canonical
    assert canonical_quantity(canonical) == canonical


def external_secret(remote_ref: dict[str, Any], **spec: Any) -> dict[str, Any]:
    return {
        "apiVersion": "external-secrets.io/v1",
        "kind": "ExternalSecret",
        "metadata": {"name": "s", "namespace": "n"},
        "spec": {
            "data": [{"remoteRef": {"key": "todo", "property": "A", **remote_ref}, "secretKey": "A"}],
            "refreshInterval": "1h",
            "secretStoreRef": {"kind": "ClusterSecretStore", "name": "vault"},
            "target": {"creationPolicy": "Owner", "deletionPolicy": "Retain", "name": "s"},
            **spec,
        },
    }


def test_a_custom_resource_gets_its_crds_defaults() -> None:
    bare = external_secret({})
    server = stored(bare)
    assert server != bare
    assert server["spec"]["data"][0]["remoteRef"] == {
        "key": "todo",
        "property": "A",
        "conversionStrategy": "Default",
        "decodingStrategy": "None",
        "metadataPolicy": "None",
        "nullBytePolicy": "Ignore",
    }
    complete = external_secret(server["spec"]["data"][0]["remoteRef"])
    assert stored(complete) == complete
    assert stored({**complete, "status": {"refreshTime": None}}) == complete  # the controller's
    no_target = external_secret(server["spec"]["data"][0]["remoteRef"])
    del no_target["spec"]["target"]
    assert stored(no_target)["spec"]["target"] == {"creationPolicy": "Owner", "deletionPolicy": "Retain"}
    kustomization = {
        "apiVersion": "kustomize.toolkit.fluxcd.io/v1",
        "kind": "Kustomization",
        "metadata": {"name": "k", "namespace": "flux-system"},
        "spec": {"interval": "5m", "prune": True, "sourceRef": {"kind": "GitRepository", "name": "deploy"}},
    }
    assert stored(kustomization)["spec"]["force"] is False
    assert stored(kustomization) != kustomization


def test_an_unknown_kind_is_not_guessed() -> None:
    with pytest.raises(CanonicalError):
        stored({"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w"}})
    with pytest.raises(CanonicalError):
        canonical_quantity("1 Gi")
