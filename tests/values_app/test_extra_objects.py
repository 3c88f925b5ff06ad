"""What extraObjects accepts (issue 28, items 9-12 and the unknown field of item 15): an escape
hatch, not a back door. Each refusal is one line at its file:line, naming the field and the way
out, never a value; every case, through envs under gitops:, --format helm and diff, writes nothing
and prints no planted Secret value (plain or base64). What is accepted renders, and validates
against Kubernetes 1.27 (strictly) and the custom resources' schemas (top level closed)."""

from __future__ import annotations

import base64
import io
from pathlib import Path
from typing import Any

import pytest

from tests.crd_schemas import validate_any
from tests.helpers import dump
from values_app import cli
from values_app.extra_objects import REASON_ANNOTATION
from values_app.loader import ValuesError, load_values
from values_app.release import APP_FILE
from values_app.synth import render

ROOT = Path(__file__).resolve().parents[2]
STAGING = ROOT / "values" / "staging.yaml"
NAMESPACE = "todo-staging"
PLANTED = "planted-s3cret-7f3a9c"
PLANTED_B64 = base64.b64encode(PLANTED.encode()).decode()
RBAC = "rbac.authorization.k8s.io"
HARDENED = {
    "runAsNonRoot": True,
    "allowPrivilegeEscalation": False,
    "capabilities": {"drop": ["ALL"]},
    "seccompProfile": {"type": "RuntimeDefault"},
}


def _secret(**metadata: str) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s", **metadata}, "data": {"K": PLANTED_B64}}


def _binding(role: dict[str, str], *subjects: dict[str, str], name: str = "b", **annotations: str) -> dict[str, Any]:
    metadata: dict[str, Any] = {"name": name, **({"annotations": annotations} if annotations else {})}
    return {
        "apiVersion": f"{RBAC}/v1",
        "kind": "RoleBinding",
        "metadata": metadata,
        "roleRef": {"apiGroup": RBAC, **role},
        "subjects": list(subjects),
    }


def _pod(name: str, spec: dict[str, Any]) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name}, "spec": spec}


INSTANCE = {"app.kubernetes.io/instance": "todo-chatbot"}
EVERYONE = {"kind": "Group", "name": "system:authenticated", "apiGroup": RBAC}
BACKEND_ACCOUNT = {"kind": "ServiceAccount", "name": "todo-backend"}
ARGO_APP = {
    "apiVersion": "argoproj.io/v1alpha1",
    "kind": "Application",
    "metadata": {"name": "elsewhere"},
    "spec": {
        "project": "default",
        "source": {"repoURL": "https://git.example.com/other/repo.git", "path": "."},
        "destination": {"server": "https://kubernetes.default.svc", "namespace": NAMESPACE},
    },
}
FLUX_SOURCE = {
    "apiVersion": "source.toolkit.fluxcd.io/v1",
    "kind": "GitRepository",
    "metadata": {"name": "elsewhere"},
    "spec": {"url": "https://git.example.com/other/repo.git", "interval": "5m"},
}
FLUX_KUSTOMIZATION = {
    "apiVersion": "kustomize.toolkit.fluxcd.io/v1",
    "kind": "Kustomization",
    "metadata": {"name": "elsewhere"},
    "spec": {"interval": "5m", "path": "./", "prune": True, "sourceRef": {"kind": "GitRepository", "name": "elsewhere"}},
}

# name -> (extraObjects, [(field path of each line, a part of its message)])
CASES: dict[str, tuple[list[dict[str, Any]], list[tuple[str, str]]]] = {
    # item 9: lists, items:, kinds in the wrong case
    "a List smuggling a ClusterRoleBinding, a Secret and a Namespace": (
        [
            {
                "apiVersion": "v1",
                "kind": "List",
                "metadata": {"name": "l"},
                "items": [
                    {
                        "apiVersion": f"{RBAC}/v1",
                        "kind": "ClusterRoleBinding",
                        "metadata": {"name": "all"},
                        "roleRef": {"apiGroup": RBAC, "kind": "ClusterRole", "name": "cluster-admin"},
                        "subjects": [EVERYONE],
                    },
                    _secret(namespace="kube-system"),
                    {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "n"}},
                ],
            }
        ],
        [("extraObjects[0]", "List with items: is a list of objects")],
    ),
    "any object with items:": (
        [{"apiVersion": "v1", "kind": "ConfigMapList", "metadata": {"name": "l"}, "items": [_secret()]}],
        [("extraObjects[0]", "with items: is a list of objects")],
    ),
    "items: on a known kind": (
        [{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}, "items": [_secret()]}],
        [("extraObjects[0]", "ConfigMap with items: is a list of objects")],
    ),
    "a Secret spelt secret": (
        [{**_secret(), "kind": "secret"}],
        [("extraObjects[0]", "a Secret's values never live in a values file")],
    ),
    "a kind in the wrong case": (
        [{"apiVersion": "v1", "kind": "configmap", "metadata": {"name": "c"}, "data": {"K": PLANTED}}],
        [("extraObjects[0].kind", "configmap is not a kind: kinds are case-sensitive (ConfigMap)")],
    ),
    "a cluster kind in the wrong case": (
        [{"apiVersion": f"{RBAC}/v1", "kind": "clusterRoleBinding", "metadata": {"name": "c"}}],
        [("extraObjects[0].kind", "clusterRoleBinding is not a kind: kinds are case-sensitive (ClusterRoleBinding)")],
    ),
    # item 10: an allowlist of namespaced kinds; what reaches beyond the release needs a reason
    "a ClusterSecretStore": (
        [{"apiVersion": "external-secrets.io/v1", "kind": "ClusterSecretStore", "metadata": {"name": "x"}, "spec": {}}],
        [("extraObjects[0].kind", "a ClusterSecretStore belongs to the whole cluster")],
    ),
    "a ClusterIssuer": (
        [{"apiVersion": "cert-manager.io/v1", "kind": "ClusterIssuer", "metadata": {"name": "x"}}],
        [("extraObjects[0].kind", "a ClusterIssuer belongs to the whole cluster")],
    ),
    "a FlowSchema": (
        [{"apiVersion": "flowcontrol.apiserver.k8s.io/v1beta3", "kind": "FlowSchema", "metadata": {"name": "x"}}],
        [("extraObjects[0].kind", "a FlowSchema belongs to the whole cluster")],
    ),
    "a VolumeAttachment": (
        [{"apiVersion": "storage.k8s.io/v1", "kind": "VolumeAttachment", "metadata": {"name": "x"}}],
        [("extraObjects[0].kind", "a VolumeAttachment belongs to the whole cluster")],
    ),
    "a kind not known": (
        [{"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "x"}, "spec": {"token": PLANTED}}],
        [("extraObjects[0].kind", "Widget (example.com/v1) is not a kind extraObjects knows to be namespaced")],
    ),
    "an EndpointSlice of the release's Service": (
        [{"apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice", "metadata": {"name": "x"}, "addressType": "IPv4"}],
        [("extraObjects[0].kind", "EndpointSlice (discovery.k8s.io/v1) is not a kind extraObjects knows")],
    ),
    "a known kind at another version": (
        [{"apiVersion": "apps/v1beta1", "kind": "Deployment", "metadata": {"name": "x"}}],
        [("extraObjects[0].kind", "a Deployment is apps/v1 here, not apps/v1beta1")],
    ),
    "a RoleBinding to cluster-admin": (
        [_binding({"kind": "ClusterRole", "name": "cluster-admin"}, BACKEND_ACCOUNT)],
        [("extraObjects[0].roleRef.name", "cluster-admin lets its subjects change every object of the namespace")],
    ),
    "a RoleBinding to edit for everyone": (
        [_binding({"kind": "ClusterRole", "name": "edit"}, EVERYONE)],
        [
            ("extraObjects[0].roleRef.name", "edit lets its subjects change every object"),
            ("extraObjects[0].subjects[0]", "Group system:authenticated is not a ServiceAccount of the release"),
        ],
    ),
    "a RoleBinding to a ClusterRole decided elsewhere": (
        [_binding({"kind": "ClusterRole", "name": "secrets-everywhere"}, BACKEND_ACCOUNT)],
        [("extraObjects[0].roleRef.name", "ClusterRole secrets-everywhere grants what is decided outside the release")],
    ),
    "a RoleBinding to a ServiceAccount of another namespace": (
        [_binding({"kind": "Role", "name": "r"}, {**BACKEND_ACCOUNT, "namespace": "kube-system"})],
        [("extraObjects[0].subjects[0]", "ServiceAccount todo-backend is not a ServiceAccount of the release")],
    ),
    "a reason made of too little": (
        [_binding({"kind": "ClusterRole", "name": "admin"}, BACKEND_ACCOUNT, **{REASON_ANNOTATION: "because"})],
        [(f"extraObjects[0].metadata.annotations.{REASON_ANNOTATION}", "a reason has at least 10")],
    ),
    "an Argo CD Application of another repository": (
        [ARGO_APP],
        [("extraObjects[0].kind", "an Application makes its controller apply what another repository holds")],
    ),
    "a Flux GitRepository": (
        [FLUX_SOURCE],
        [("extraObjects[0].kind", "a GitRepository makes its controller apply what another repository holds")],
    ),
    "a Flux Kustomization": (
        [FLUX_KUSTOMIZATION],
        [("extraObjects[0].kind", "a Kustomization makes its controller apply")],
    ),
    "an ESO PushSecret": (
        [{"apiVersion": "external-secrets.io/v1alpha1", "kind": "PushSecret", "metadata": {"name": "out"}, "spec": {}}],
        [("extraObjects[0].kind", "a PushSecret copies a Secret of the cluster out to an external store")],
    ),
    # item 11: one identity, one owner
    "the default-deny NetworkPolicy, allowing all": (
        [
            {
                "apiVersion": "networking.k8s.io/v1",
                "kind": "NetworkPolicy",
                "metadata": {"name": "todo-chatbot-default-deny"},
                "spec": {
                    "podSelector": {"matchLabels": INSTANCE},
                    "ingress": [{"from": [{"podSelector": {"matchLabels": INSTANCE}}]}],
                },
            }
        ],
        [
            (
                "extraObjects[0].metadata.name",
                "NetworkPolicy todo-chatbot-default-deny (networking.k8s.io) is an object the release",
            )
        ],
    ),
    "the backend's Deployment with another image": (
        [
            {
                "apiVersion": "apps/v1",
                "kind": "Deployment",
                "metadata": {"name": "todo-backend"},
                "spec": {
                    "selector": {"matchLabels": {"app": "x"}},
                    "template": {
                        "metadata": {"labels": {"app": "x"}},
                        "spec": {
                            "containers": [
                                {
                                    "name": "c",
                                    "image": "evil:1",
                                    "env": [{"name": "T", "value": PLANTED}],
                                    "securityContext": HARDENED,
                                }
                            ]
                        },
                    },
                },
            }
        ],
        [("extraObjects[0].metadata.name", "Deployment todo-backend (apps) is an object the release renders")],
    ),
    "the release's ConfigMap": (
        [{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "todo-chatbot-config"}, "data": {"K": PLANTED}}],
        [("extraObjects[0].metadata.name", "ConfigMap todo-chatbot-config is an object the release renders")],
    ),
    "two extra objects of one identity": (
        [{"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": "twice"}} for _ in range(2)],
        [
            ("extraObjects[0].metadata.name", "ServiceAccount twice is another extra object"),
            ("extraObjects[1].metadata.name", "ServiceAccount twice is another extra object"),
        ],
    ),
    # item 12: the rules every rendered object meets
    "a configuration snippet on an Ingress": (
        [
            {
                "apiVersion": "networking.k8s.io/v1",
                "kind": "Ingress",
                "metadata": {
                    "name": "side",
                    "annotations": {"nginx.ingress.kubernetes.io/server-snippet": f"location /x {{ return 200 {PLANTED}; }}"},
                },
                "spec": {"rules": [{"host": "side.example.com"}]},
            }
        ],
        [
            (
                "extraObjects[0].metadata.annotations.nginx.ingress.kubernetes.io/server-snippet",
                "injects raw configuration into the ingress controller",
            )
        ],
    ),
    "a privileged Pod with hostPath /": (
        [
            _pod(
                "root",
                {
                    "containers": [
                        {
                            "name": "c",
                            "image": "busybox:1.36",
                            "env": [{"name": "T", "value": PLANTED}],
                            "securityContext": {"privileged": True},
                        }
                    ],
                    "volumes": [{"name": "host", "hostPath": {"path": "/"}}],
                },
            )
        ],
        [("extraObjects[0].spec", 'its pods do not meet Pod Security "restricted"')],
    ),
    "a NetworkPolicy that opens the release to anything": (
        [
            {
                "apiVersion": "networking.k8s.io/v1",
                "kind": "NetworkPolicy",
                "metadata": {"name": "open"},
                "spec": {
                    "podSelector": {"matchLabels": INSTANCE},
                    "ingress": [{"from": [{"namespaceSelector": {}}]}, {"ports": [{"port": 80}]}],
                    "egress": [{"to": [{"ipBlock": {"cidr": "0.0.0.0/0"}}]}],
                },
            }
        ],
        [
            ("extraObjects[0].spec.ingress[0]", "opens the pods it selects to anything"),
            ("extraObjects[0].spec.ingress[1]", "opens the pods it selects to anything"),
            ("extraObjects[0].spec.egress[0]", "opens the pods it selects towards anything"),
        ],
    ),
    "a Service that takes the cluster's traffic to an address": (
        [
            {
                "apiVersion": "v1",
                "kind": "Service",
                "metadata": {"name": "mitm"},
                "spec": {"ports": [{"port": 443}], "externalIPs": ["8.8.8.8"]},
            }
        ],
        [("extraObjects[0].spec.externalIPs", "CVE-2020-8554")],
    ),
    "a NetworkPolicy that selects every pod": (
        [
            {
                "apiVersion": "networking.k8s.io/v1",
                "kind": "NetworkPolicy",
                "metadata": {"name": "open"},
                "spec": {"podSelector": {}, "ingress": [{"from": [{"podSelector": {"matchLabels": INSTANCE}}]}]},
            }
        ],
        [("extraObjects[0].spec.podSelector", "selects every pod of the namespace")],
    ),
    # item 15: the API server's schema, strictly
    "an unknown field": (
        [{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}, "dataa": {"K": PLANTED}}],
        [("extraObjects[0].dataa", "unknown field (known: apiVersion, binaryData, data, immutable, kind, metadata)")],
    ),
    "a value of the wrong type": (
        [{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}, "data": {"K": 5}}],
        [("extraObjects[0].data.K", "is a number, expected a string")],
    ),
    "an unknown field of a custom resource's top level": (
        [
            {
                **ARGO_APP,
                "metadata": {"name": "a", "annotations": {REASON_ANNOTATION: "the platform team's add-ons"}},
                "token": PLANTED,
            }
        ],
        [("extraObjects[0].token", "unknown field")],
    ),
}


def _values_file(tmp_path: Path, extra: list[dict[str, Any]], name: str = "extra.yaml") -> Path:
    path = tmp_path / name
    path.write_text(dump({"extends": str(STAGING), "extraObjects": extra}))
    return path


def _line(path: Path, field: str, index: int) -> int:
    """The line of the ``index``-th extra object in ``path`` (as :func:`dump` writes it), or of
    ``field`` within it: at most the line of the object's first key."""
    lines = path.read_text().splitlines()
    starts = [number for number, line in enumerate(lines, 1) if line.startswith("- ")]
    return starts[index]


@pytest.mark.parametrize("case", CASES)
def test_each_back_door_is_one_line_at_its_field_with_the_way_out(tmp_path: Path, case: str) -> None:
    extra, expected = CASES[case]
    path = _values_file(tmp_path, extra)
    with pytest.raises(ValuesError) as raised:
        load_values(path)
    lines = raised.value.lines
    assert len(lines) == len(expected), lines
    for line, (field, part) in zip(lines, expected, strict=True):
        where, _, rest = line.partition(": ")
        file, _, number = where.rpartition(":")
        assert file == str(path)
        index = int(field.split("[")[1].split("]")[0])
        assert int(number) >= _line(path, field, index), line
        assert rest.startswith(f"{field}: "), line
        assert part in rest, line
        assert PLANTED not in line
        assert PLANTED_B64 not in line


def _gitops_file(tmp_path: Path, values: Path) -> Path:
    path = tmp_path / "environments.yaml"
    path.write_text(
        "gitops:\n  tool: argocd\n  repoURL: https://git.example.com/shop/deploy.git\n  targetRevision: rendered\n"
        '  path: "clusters/{env}"\n'
        f"environments:\n  staging:\n    values: [{STAGING}, {values}]\n"
    )
    return path


def _files(directory: Path) -> dict[str, bytes]:
    return {str(p.relative_to(directory)): p.read_bytes() for p in sorted(directory.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def previous(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An output of staging to diff against (and to leave untouched)."""
    out = tmp_path_factory.mktemp("previous") / "dist"
    assert cli.run(values=[STAGING], outdir=out, environ={}, quiet=True, stderr=io.StringIO()) == 0
    return out


@pytest.mark.parametrize("case", CASES)
def test_no_case_writes_anything_or_prints_a_planted_value(tmp_path: Path, previous: Path, case: str) -> None:
    """The Done-when of issue 28: every case through envs under gitops:, --format helm and diff
    (with the planted value in the environment too), nothing written, the value nowhere."""
    values = _values_file(tmp_path, CASES[case][0])
    environ = {"DATABASE_URL": PLANTED, "BETTER_AUTH_SECRET": PLANTED, "OPENAI_API_KEY": PLANTED}
    before = _files(previous)
    outputs: list[str] = []
    deploy = tmp_path / "deploy"
    for status, expected in (
        (cli.environments(file=_gitops_file(tmp_path, values), outdir=deploy, environ=environ, stderr=(e := io.StringIO())), 1),
        (cli.helm_chart(values=[values], outdir=tmp_path / "chart", version="1.0.0", stderr=(h := io.StringIO())), 1),
        (
            cli.diff(
                values=[values], against=previous, environ=environ, stdout=(o := io.StringIO()), stderr=(d := io.StringIO())
            ),
            2,
        ),
    ):
        assert status == expected
    outputs += [e.getvalue(), h.getvalue(), o.getvalue(), d.getvalue()]
    assert not (tmp_path / "chart").exists()
    assert not deploy.exists() or not _files(deploy)
    assert _files(previous) == before
    assert all("Traceback" not in text for text in outputs)
    assert [text for text in outputs if PLANTED in text or PLANTED_B64 in text] == []


def test_the_grep_finds_a_value_that_is_written(tmp_path: Path) -> None:
    """The check above can fail: a value an accepted extra object holds is in the chart it writes."""
    values = _values_file(
        tmp_path, [{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}, "data": {"K": PLANTED}}]
    )
    assert cli.helm_chart(values=[values], outdir=tmp_path / "chart", version="1.0.0", stderr=io.StringIO()) == 0
    assert any(PLANTED.encode() in content for content in _files(tmp_path / "chart").values())


ACCEPTED: list[dict[str, Any]] = [
    {
        "apiVersion": "v1",
        "kind": "PersistentVolumeClaim",
        "metadata": {"name": "uploads"},
        "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}}},
    },
    {
        "apiVersion": f"{RBAC}/v1",
        "kind": "Role",
        "metadata": {"name": "reader"},
        "rules": [{"apiGroups": [""], "resources": ["configmaps"], "verbs": ["get"]}],
    },
    _binding({"kind": "Role", "name": "reader"}, BACKEND_ACCOUNT, name="reader"),
    _binding({"kind": "ClusterRole", "name": "view"}, BACKEND_ACCOUNT, name="viewer"),
    _binding(
        {"kind": "ClusterRole", "name": "edit"},
        {"kind": "Group", "name": "oncall", "apiGroup": RBAC},
        name="oncall",
        **{REASON_ANNOTATION: "the on-call group fixes this namespace by hand at night"},
    ),
    {
        **ARGO_APP,
        "metadata": {"name": "addons", "annotations": {REASON_ANNOTATION: "the add-ons live in the platform repository"}},
    },
    {
        **FLUX_SOURCE,
        "metadata": {"name": "addons", "annotations": {REASON_ANNOTATION: "the add-ons live in the platform repository"}},
    },
    {
        "apiVersion": "external-secrets.io/v1",
        "kind": "SecretStore",
        "metadata": {"name": "vault"},
        "spec": {
            "provider": {
                "vault": {
                    "server": "https://vault.example.com",
                    "path": "kv",
                    "auth": {"tokenSecretRef": {"name": "vault-token", "key": "token"}},
                }
            }
        },
    },
    {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "NetworkPolicy",
        "metadata": {"name": "metrics"},
        "spec": {
            "podSelector": {"matchLabels": {"app.kubernetes.io/component": "backend"}},
            "ingress": [{"from": [{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "monitoring"}}}]}],
        },
    },
    _pod("debug", {"containers": [{"name": "c", "image": "busybox:1.36", "securityContext": HARDENED}]}),
]


def test_what_is_accepted_renders_and_validates(tmp_path: Path) -> None:
    """Each namespaced kind, a relaxation with its reason, a restricted pod: rendered in the
    release's namespace, each valid against Kubernetes 1.27 strictly or its custom resource's schema."""
    path = _values_file(tmp_path, ACCEPTED)
    rendered = render(load_values(path), environ={})
    names = {(m["kind"], m["metadata"]["name"]) for m in ACCEPTED}
    extra = [m for m in rendered.files[APP_FILE] if (m["kind"], m["metadata"]["name"]) in names]
    assert len(extra) == len(ACCEPTED)
    for manifest in extra:
        assert manifest["metadata"]["namespace"] == NAMESPACE
        validate_any(manifest)
