"""The five seed presets, end to end: each renders exactly what its seed's tables say.

Each preset is synthesized once per test session (through ``values_app.cli.run``, as ``main.py``
does), with fixed fake secret values and with none. One syrupy snapshot per preset holds the whole
output; ``make snapshot-update`` re-records them after an intended change.
"""

from __future__ import annotations

import base64
import functools
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from syrupy.assertion import SnapshotAssertion

from tests.crd_schemas import validate_kubernetes
from tests.helpers import by_kind, container, load_all, one, yaml_load
from values_app.cli import run
from values_app.deploy import OPTIONAL_KINDS
from values_app.loader import load_values
from values_app.release import RELEASE_CONSTRUCTS
from webapp_constructs._quantity import canonical_quantity, is_canonical

ROOT = Path(__file__).resolve().parent.parent
PRESETS = sorted(p.stem for p in (ROOT / "values").glob("*.yaml"))
SEED_PRESETS = [
    "003-local-k8s-deployment",
    "004-k8s-deployment",
    "004-k8s-local-deploy",
    "001-k8s-minikube-deploy",
    "009-k8s-local-deployment",
]


def fake(key: str) -> str:
    """The fixed fake value of a secret key in these tests (never a real secret)."""
    return f"fake-{key.lower().replace('_', '-')}"


@dataclass
class Rendered:
    files: dict[str, str]
    """File name -> YAML text."""
    stderr: str

    @functools.cached_property
    def manifests(self) -> list[dict[str, Any]]:
        """Parsed once (a test that changes one works on its own copy)."""
        return [doc for text in self.files.values() for doc in load_all(text)]


def _render(preset: str, outdir: Path, environ: dict[str, str]) -> Rendered:
    stderr = io.StringIO()
    status = run(values=ROOT / "values" / f"{preset}.yaml", outdir=outdir, environ=environ, stderr=stderr)
    assert status == 0, stderr.getvalue()
    files = {p.name: p.read_text() for p in sorted(outdir.iterdir()) if p.suffix == ".yaml"}
    return Rendered(files, stderr.getvalue())


SECRET_KEYS = [
    "DATABASE_URL", "BETTER_AUTH_SECRET", "OPENAI_API_KEY", "CHATKIT_WORKFLOW_ID",
    "GEMINI_API_KEY", "SECRET_KEY", "GROQ_API_KEY",
]  # fmt: skip


@pytest.fixture(scope="session")
def with_secrets(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Rendered]:
    environ = {key: fake(key) for key in SECRET_KEYS}
    return {p: _render(p, tmp_path_factory.mktemp(p) / "dist", environ) for p in PRESETS}


@pytest.fixture(scope="session")
def without_secrets(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Rendered]:
    return {p: _render(p, tmp_path_factory.mktemp(p) / "dist", {}) for p in PRESETS}


def test_every_seed_has_its_preset() -> None:
    assert set(SEED_PRESETS) <= set(PRESETS)


@pytest.mark.parametrize("preset", PRESETS)
def test_snapshot(preset: str, with_secrets: dict[str, Rendered], snapshot: SnapshotAssertion) -> None:
    assert with_secrets[preset].files == snapshot


# --- what each seed's tables say -------------------------------------------------------------

# deployment name -> (image, pull policy, replicas, container port, command + args or None,
#                     (cpu request, memory request), (cpu limit, memory limit))
DEPLOYMENTS: dict[str, dict[str, tuple[Any, ...]]] = {
    "003-local-k8s-deployment": {
        "todo-frontend": ("todo-frontend:phase4", "Never", 1, 3000, None, ("100m", "128Mi"), ("500m", "512Mi")),
        "todo-backend": (
            "todo-backend:phase4", "Never", 1, 8000,
            ["uvicorn", "app.main:app", "--host", "0.0.0.0", "--port", "8000"],
            ("100m", "128Mi"), ("500m", "512Mi"),
        ),
        "todo-mcp": (
            "todo-backend:phase4", "Never", 1, 8001, ["python", "-m", "mcp_server.run"], ("50m", "64Mi"), ("250m", "256Mi"),
        ),
    },
    "004-k8s-deployment": {
        "todo-app-frontend": ("todo-frontend:local", "Never", 1, 3000, None, ("100m", "128Mi"), ("500m", "512Mi")),
        "todo-app-backend": ("todo-backend:local", "Never", 1, 8000, None, ("200m", "256Mi"), ("1000m", "1Gi")),
    },
    "004-k8s-local-deploy": {
        "todo-chatbot-frontend": ("todo-frontend:v1.0.0", "IfNotPresent", 1, 3000, None, ("100m", "128Mi"), ("500m", "512Mi")),
        "todo-chatbot-backend": ("todo-backend:v1.0.0", "IfNotPresent", 1, 8000, None, ("100m", "256Mi"), ("500m", "512Mi")),
    },
    "001-k8s-minikube-deploy": {
        "todo-chatbot-frontend": ("todo-frontend:1.0.0", "Never", 1, 80, None, ("50m", "64Mi"), ("100m", "128Mi")),
        "todo-chatbot-backend": ("todo-backend:1.0.0", "Never", 1, 8000, None, ("200m", "256Mi"), ("500m", "512Mi")),
    },
    "009-k8s-local-deployment": {
        "todo-chatbot-frontend": ("todo-frontend:1.0.0", "IfNotPresent", 1, 3000, None, ("100m", "128Mi"), ("500m", "512Mi")),
        "todo-chatbot-backend": ("todo-backend:1.0.0", "IfNotPresent", 1, 8000, None, ("200m", "256Mi"), ("1000m", "1Gi")),
    },
}  # fmt: skip

# service name -> (type, port, targetPort, nodePort or None for cluster-assigned)
SERVICES: dict[str, dict[str, tuple[Any, ...]]] = {
    "003-local-k8s-deployment": {
        "todo-frontend": ("NodePort", 3000, 3000, 30080),
        "todo-backend": ("NodePort", 8000, 8000, 30081),
        "todo-mcp": ("ClusterIP", 8001, 8001, None),
    },
    "004-k8s-deployment": {
        "todo-app-frontend": ("NodePort", 80, 3000, 30080),
        "todo-app-backend": ("NodePort", 80, 8000, 30081),
    },
    "004-k8s-local-deploy": {
        "todo-chatbot-frontend": ("NodePort", 3000, 3000, 30300),
        "todo-chatbot-backend": ("NodePort", 8000, 8000, 30800),
    },
    "001-k8s-minikube-deploy": {
        "todo-chatbot-frontend": ("NodePort", 80, 80, None),
        "todo-chatbot-backend": ("ClusterIP", 8000, 8000, None),
    },
    "009-k8s-local-deployment": {
        "todo-chatbot-frontend": ("NodePort", 3000, 3000, None),
        "todo-chatbot-backend": ("ClusterIP", 8000, 8000, None),
    },
}

# (namespace, whether a Namespace object is rendered)
NAMESPACES = {
    "003-local-k8s-deployment": ("todo-local", True),
    "004-k8s-deployment": ("default", False),
    "004-k8s-local-deploy": ("default", False),
    "001-k8s-minikube-deploy": ("default", False),
    "009-k8s-local-deployment": ("todo-chatbot", False),
}

CONFIG_MAPS: dict[str, dict[str, dict[str, str]]] = {
    "003-local-k8s-deployment": {
        "todo-chatbot-config": {
            "CORS_ORIGINS": "http://192.168.49.2:30080",
            "BETTER_AUTH_URL": "http://192.168.49.2:30080",
            "MCP_SERVER_URL": "http://todo-mcp:8001",
            "MCP_SERVER_PORT": "8001",
            "NEXT_PUBLIC_API_URL": "http://192.168.49.2:30081",
            "NEXT_PUBLIC_APP_URL": "http://192.168.49.2:30080",
        }
    },
    "004-k8s-deployment": {"todo-app-backend-config": {"PYTHONUNBUFFERED": "1", "LOG_LEVEL": "INFO"}},
    "004-k8s-local-deploy": {
        "todo-chatbot-frontend-config": {"BETTER_AUTH_URL": "http://192.168.49.2:30300"},
        "todo-chatbot-backend-config": {
            "BACKEND_BETTER_AUTH_URL": "http://todo-chatbot-frontend:3000",
            "FRONTEND_URL": "http://192.168.49.2:30300",
        },
    },
    "001-k8s-minikube-deploy": {
        "todo-chatbot-config": {
            "HOST": "0.0.0.0",
            "PORT": "8000",
            "FRONTEND_ORIGIN": "http://localhost",
            "CORS_ORIGINS": "",
            "LLM_PROVIDER": "",
            "GROQ_MODEL": "meta-llama/llama-4-scout-17b-16e-instruct",
        }
    },
    "009-k8s-local-deployment": {
        "todo-chatbot-config": {
            "CORS_ORIGINS": "http://localhost:3000",
            "PORT": "8000",
            "DEBUG": "false",
            "NEXT_PUBLIC_API_URL": "http://todo-chatbot-backend:8000",
        }
    },
}

# Secret name -> (keys, rendered by the chart)
SECRETS: dict[str, dict[str, tuple[list[str], bool]]] = {
    "003-local-k8s-deployment": {
        "todo-chatbot-secrets": (["DATABASE_URL", "BETTER_AUTH_SECRET", "OPENAI_API_KEY", "CHATKIT_WORKFLOW_ID"], True)
    },
    "004-k8s-deployment": {"todo-app-backend-secrets": (["DATABASE_URL", "GEMINI_API_KEY", "SECRET_KEY"], True)},
    "004-k8s-local-deploy": {"todo-chatbot-secrets": (["DATABASE_URL", "BETTER_AUTH_SECRET", "OPENAI_API_KEY"], True)},
    "001-k8s-minikube-deploy": {
        "todo-chatbot-secret": (["DATABASE_URL", "GROQ_API_KEY", "OPENAI_API_KEY", "BETTER_AUTH_SECRET"], True)
    },
    "009-k8s-local-deployment": {
        "todo-secrets": (["DATABASE_URL", "BETTER_AUTH_SECRET", "OPENAI_API_KEY", "GROQ_API_KEY"], False)
    },
}

# deployment -> env var -> (ConfigMap or Secret, object name): the seeds' "Used By" columns
ENV: dict[str, dict[str, dict[str, tuple[str, str]]]] = {
    "003-local-k8s-deployment": {
        "todo-frontend": {
            "NEXT_PUBLIC_API_URL": ("configMapKeyRef", "todo-chatbot-config"),
            "NEXT_PUBLIC_APP_URL": ("configMapKeyRef", "todo-chatbot-config"),
        },
        "todo-backend": {
            "CORS_ORIGINS": ("configMapKeyRef", "todo-chatbot-config"),
            "BETTER_AUTH_URL": ("configMapKeyRef", "todo-chatbot-config"),
            "MCP_SERVER_URL": ("configMapKeyRef", "todo-chatbot-config"),
            "DATABASE_URL": ("secretKeyRef", "todo-chatbot-secrets"),
            "BETTER_AUTH_SECRET": ("secretKeyRef", "todo-chatbot-secrets"),
            "OPENAI_API_KEY": ("secretKeyRef", "todo-chatbot-secrets"),
            "CHATKIT_WORKFLOW_ID": ("secretKeyRef", "todo-chatbot-secrets"),
        },
        "todo-mcp": {
            "MCP_SERVER_PORT": ("configMapKeyRef", "todo-chatbot-config"),
            "DATABASE_URL": ("secretKeyRef", "todo-chatbot-secrets"),
        },
    },
    "004-k8s-deployment": {
        "todo-app-frontend": {},
        "todo-app-backend": {
            "PYTHONUNBUFFERED": ("configMapKeyRef", "todo-app-backend-config"),
            "LOG_LEVEL": ("configMapKeyRef", "todo-app-backend-config"),
            "DATABASE_URL": ("secretKeyRef", "todo-app-backend-secrets"),
            "GEMINI_API_KEY": ("secretKeyRef", "todo-app-backend-secrets"),
            "SECRET_KEY": ("secretKeyRef", "todo-app-backend-secrets"),
        },
    },
    "004-k8s-local-deploy": {
        "todo-chatbot-frontend": {
            "BETTER_AUTH_URL": ("configMapKeyRef", "todo-chatbot-frontend-config"),
            "DATABASE_URL": ("secretKeyRef", "todo-chatbot-secrets"),
            "BETTER_AUTH_SECRET": ("secretKeyRef", "todo-chatbot-secrets"),
        },
        "todo-chatbot-backend": {
            "BACKEND_BETTER_AUTH_URL": ("configMapKeyRef", "todo-chatbot-backend-config"),
            "FRONTEND_URL": ("configMapKeyRef", "todo-chatbot-backend-config"),
            "DATABASE_URL": ("secretKeyRef", "todo-chatbot-secrets"),
            "BETTER_AUTH_SECRET": ("secretKeyRef", "todo-chatbot-secrets"),
            "OPENAI_API_KEY": ("secretKeyRef", "todo-chatbot-secrets"),
        },
    },
    "001-k8s-minikube-deploy": {
        "todo-chatbot-frontend": {},
        "todo-chatbot-backend": {
            **{
                k: ("configMapKeyRef", "todo-chatbot-config")
                for k in CONFIG_MAPS["001-k8s-minikube-deploy"]["todo-chatbot-config"]
            },
            **{k: ("secretKeyRef", "todo-chatbot-secret") for k in SECRETS["001-k8s-minikube-deploy"]["todo-chatbot-secret"][0]},
        },
    },
    "009-k8s-local-deployment": {
        "todo-chatbot-frontend": {
            "NEXT_PUBLIC_API_URL": ("configMapKeyRef", "todo-chatbot-config"),
            "DATABASE_URL": ("secretKeyRef", "todo-secrets"),
            "BETTER_AUTH_SECRET": ("secretKeyRef", "todo-secrets"),
        },
        "todo-chatbot-backend": {
            "CORS_ORIGINS": ("configMapKeyRef", "todo-chatbot-config"),
            "PORT": ("configMapKeyRef", "todo-chatbot-config"),
            "DEBUG": ("configMapKeyRef", "todo-chatbot-config"),
            **{k: ("secretKeyRef", "todo-secrets") for k in SECRETS["009-k8s-local-deployment"]["todo-secrets"][0]},
        },
    },
}

# deployment -> (liveness, readiness), each (HTTP path or None for TCP, initial delay, period)
PROBES: dict[str, dict[str, tuple[tuple[Any, ...], tuple[Any, ...]]]] = {
    "001-k8s-minikube-deploy": {
        "todo-chatbot-backend": (("/health", 30, 10), ("/health", 15, 5)),
        "todo-chatbot-frontend": (("/", 5, 10), ("/", 3, 5)),
    },
    "009-k8s-local-deployment": {
        "todo-chatbot-frontend": ((None, None, None), ("/", None, None)),
        "todo-chatbot-backend": (("/health", None, None), ("/health", None, None)),
    },
}

# service -> selector, where the seed prescribes one
SELECTORS = {
    "001-k8s-minikube-deploy": {
        "todo-chatbot-backend": {"app": "todo-chatbot-backend"},
        "todo-chatbot-frontend": {"app": "todo-chatbot-frontend"},
    },
    "009-k8s-local-deployment": {
        "todo-chatbot-frontend": {"app": "todo-chatbot", "component": "frontend"},
        "todo-chatbot-backend": {"app": "todo-chatbot", "component": "backend"},
    },
}

RUN_AS_USER = {
    "001-k8s-minikube-deploy": {"todo-chatbot-backend": 1000},
    "009-k8s-local-deployment": {"todo-chatbot-frontend": 1001, "todo-chatbot-backend": 1001},
}

APP_VERSIONS = {
    "003-local-k8s-deployment": "phase4",
    "004-k8s-deployment": "1.0.0",
    "004-k8s-local-deploy": "1.0.0",
    "001-k8s-minikube-deploy": "2.0.0",
    "009-k8s-local-deployment": "1.0.0",
}

seeds = pytest.mark.parametrize("preset", SEED_PRESETS)


@seeds
def test_deployments(preset: str, with_secrets: dict[str, Rendered]) -> None:
    manifests = with_secrets[preset].manifests
    assert {d["metadata"]["name"] for d in by_kind(manifests, "Deployment")} == set(DEPLOYMENTS[preset])
    for name, (image, pull, replicas, port, command, requests, limits) in DEPLOYMENTS[preset].items():
        deployment = one(manifests, "Deployment", name)
        app = container(deployment)
        assert (app["image"], app["imagePullPolicy"], deployment["spec"]["replicas"]) == (image, pull, replicas), name
        assert [p["containerPort"] for p in app["ports"]] == [port], name
        assert ((app.get("command") or []) + (app.get("args") or []) or None) == command, name
        # The seed's amounts, spelled as the API server stores them (1000m is "1").
        resources = app["resources"]
        assert (resources["requests"]["cpu"], resources["requests"]["memory"]) == tuple(map(canonical_quantity, requests)), name
        assert (resources["limits"]["cpu"], resources["limits"]["memory"]) == tuple(map(canonical_quantity, limits)), name


@seeds
def test_services(preset: str, with_secrets: dict[str, Rendered]) -> None:
    manifests = with_secrets[preset].manifests
    assert {s["metadata"]["name"] for s in by_kind(manifests, "Service")} == set(SERVICES[preset])
    for name, (service_type, port, target_port, node_port) in SERVICES[preset].items():
        spec = one(manifests, "Service", name)["spec"]
        (ports,) = spec["ports"]
        assert (spec["type"], ports["port"], ports["targetPort"], ports.get("nodePort")) == (
            service_type, port, target_port, node_port,
        ), name  # fmt: skip


@seeds
def test_namespace(preset: str, with_secrets: dict[str, Rendered]) -> None:
    namespace, rendered = NAMESPACES[preset]
    manifests = with_secrets[preset].manifests
    assert [n["metadata"]["name"] for n in by_kind(manifests, "Namespace")] == ([namespace] if rendered else [])
    for manifest in manifests:
        if manifest["kind"] != "Namespace":
            assert manifest["metadata"]["namespace"] == namespace, manifest["metadata"]["name"]
    if rendered:
        first_file = next(iter(with_secrets[preset].files.values()))
        assert yaml_load(first_file)["kind"] == "Namespace"


@seeds
def test_config_maps(preset: str, with_secrets: dict[str, Rendered]) -> None:
    maps = by_kind(with_secrets[preset].manifests, "ConfigMap")
    assert {m["metadata"]["name"]: m["data"] for m in maps} == CONFIG_MAPS[preset]


@seeds
def test_secrets_decode_to_the_supplied_values(preset: str, with_secrets: dict[str, Rendered]) -> None:
    rendered = {s["metadata"]["name"]: s for s in by_kind(with_secrets[preset].manifests, "Secret")}
    assert set(rendered) == {name for name, (_, chart_renders) in SECRETS[preset].items() if chart_renders}
    for name, secret in rendered.items():
        keys, _ = SECRETS[preset][name]
        assert secret["type"] == "Opaque"
        assert {k: base64.b64decode(v).decode() for k, v in secret["data"].items()} == {k: fake(k) for k in keys}


@seeds
def test_no_secret_values_means_no_secret_and_a_kubectl_command(preset: str, without_secrets: dict[str, Rendered]) -> None:
    result = without_secrets[preset]
    assert by_kind(result.manifests, "Secret") == []
    assert not any(name.endswith(".secret.yaml") for name in result.files)
    namespace, _ = NAMESPACES[preset]
    for name, (keys, _) in SECRETS[preset].items():
        literals = " ".join(f'--from-literal={k}="${k}"' for k in keys)
        assert f"kubectl create secret generic {name} --namespace {namespace} {literals}" in result.stderr


@seeds
def test_env_key_by_key(preset: str, with_secrets: dict[str, Rendered]) -> None:
    manifests = with_secrets[preset].manifests
    for name, expected in ENV[preset].items():
        env = container(one(manifests, "Deployment", name)).get("env", [])
        got = {}
        for var in env:
            ((ref_kind, ref),) = var["valueFrom"].items()
            assert ref["key"] == var["name"]
            got[var["name"]] = (ref_kind, ref["name"])
        assert got == expected, name


@pytest.mark.parametrize("preset", sorted(PROBES))
def test_probes(preset: str, with_secrets: dict[str, Rendered]) -> None:
    for name, expected in PROBES[preset].items():
        app = container(one(with_secrets[preset].manifests, "Deployment", name))
        port = app["ports"][0]["containerPort"]
        for probe, (path, delay, period) in zip((app["livenessProbe"], app["readinessProbe"]), expected, strict=True):
            action = {"httpGet": {"path": path, "port": port}} if path else {"tcpSocket": {"port": port}}
            assert {k: v for k, v in probe.items() if k in ("httpGet", "tcpSocket")} == action, name
            assert (probe.get("initialDelaySeconds"), probe.get("periodSeconds")) == (delay, period), name


@pytest.mark.parametrize("preset", sorted(SELECTORS))
def test_prescribed_selectors(preset: str, with_secrets: dict[str, Rendered]) -> None:
    manifests = with_secrets[preset].manifests
    for name, selector in SELECTORS[preset].items():
        assert one(manifests, "Service", name)["spec"]["selector"] == selector
        assert one(manifests, "Deployment", name)["spec"]["selector"] == {"matchLabels": selector}


@pytest.mark.parametrize("preset", sorted(RUN_AS_USER))
def test_run_as_user(preset: str, with_secrets: dict[str, Rendered]) -> None:
    for name, uid in RUN_AS_USER[preset].items():
        pod = one(with_secrets[preset].manifests, "Deployment", name)["spec"]["template"]["spec"]
        assert pod["securityContext"]["runAsUser"] == uid
        assert pod["securityContext"]["runAsNonRoot"] is True


@pytest.mark.parametrize("preset", PRESETS)
def test_recommended_labels_on_every_object(preset: str, with_secrets: dict[str, Rendered]) -> None:
    for manifest in with_secrets[preset].manifests:
        labels = manifest["metadata"]["labels"]
        for key in ("name", "instance", "version", "component", "part-of", "managed-by"):
            assert f"app.kubernetes.io/{key}" in labels, (manifest["metadata"]["name"], key)
        if preset in APP_VERSIONS:
            assert labels["app.kubernetes.io/version"] == APP_VERSIONS[preset]


@pytest.mark.parametrize("preset", PRESETS)
def test_a_deployment_that_would_run(preset: str, with_secrets: dict[str, Rendered]) -> None:
    """Each Service selects exactly its own pods, targets a declared container port, probes look at
    that port, every referenced ConfigMap key exists, and no cdk8s-plus default leaks in."""
    manifests = with_secrets[preset].manifests
    deployments = by_kind(manifests, "Deployment")
    config = {m["metadata"]["name"]: m["data"] for m in by_kind(manifests, "ConfigMap")}
    for service in by_kind(manifests, "Service"):
        selector = service["spec"]["selector"]
        selected = [d for d in deployments if selector.items() <= d["spec"]["template"]["metadata"]["labels"].items()]
        assert [d["metadata"]["name"] for d in selected] == [service["metadata"]["name"]]
        ports = {p["containerPort"] for p in container(selected[0])["ports"]}
        assert {p["targetPort"] for p in service["spec"]["ports"]} <= ports
    for deployment in deployments:
        app = container(deployment)
        port = app["ports"][0]["containerPort"]
        for probe in (app["livenessProbe"], app["readinessProbe"]):
            assert (probe.get("httpGet") or probe.get("tcpSocket"))["port"] == port
        for var in app.get("env", []):
            ref = var["valueFrom"].get("configMapKeyRef")
            if ref:
                assert ref["key"] in config[ref["name"]]
        assert "startupProbe" not in app
    text = "".join(with_secrets[preset].files.values())
    assert "cdk8s.io/metadata.addr" not in text


@pytest.mark.parametrize("preset", PRESETS)
def test_valid_against_the_kubernetes_1_27_schema_in_strict_mode(preset: str, with_secrets: dict[str, Rendered]) -> None:

    for manifest in with_secrets[preset].manifests:
        validate_kubernetes(manifest)


def test_production_preset(without_secrets: dict[str, Rendered]) -> None:
    """Registry images by digest, 2+ replicas with HPA and PDB, Ingress with TLS, MCP internal,
    the Secret external: renders with no secret value supplied."""
    result = without_secrets["production"]
    manifests = result.manifests
    assert by_kind(manifests, "Secret") == []
    assert "Secret todo-chatbot-secrets is external" in result.stderr
    for name in ("todo-frontend", "todo-backend", "todo-mcp"):
        deployment = one(manifests, "Deployment", name)
        app = container(deployment)
        assert app["image"].startswith("ghcr.io/")
        assert "@sha256:" in app["image"]
        assert app["imagePullPolicy"] == "IfNotPresent"
        assert "replicas" not in deployment["spec"]
        assert one(manifests, "HorizontalPodAutoscaler", name)["spec"]["minReplicas"] >= 2
        assert one(manifests, "PodDisruptionBudget", name)["spec"]["maxUnavailable"] == 1
        assert one(manifests, "Service", name)["spec"]["type"] == "ClusterIP"
    ingress = one(manifests, "Ingress")
    assert ingress["spec"]["tls"] == [{"hosts": ["todo.example.com"], "secretName": "todo-chatbot-tls"}]
    routes = {p["path"]: p["backend"]["service"]["name"] for p in ingress["spec"]["rules"][0]["http"]["paths"]}
    assert routes == {"/api": "todo-backend", "/": "todo-frontend"}
    mcp_from = one(manifests, "NetworkPolicy", "todo-mcp")["spec"]["ingress"][0]["from"]
    assert mcp_from == [
        {"podSelector": {"matchLabels": {"app.kubernetes.io/name": "todo-backend", "app.kubernetes.io/instance": "todo-chatbot"}}}
    ]


@pytest.mark.parametrize("preset", PRESETS)
def test_hardened_unless_a_preset_says_why(preset: str, with_secrets: dict[str, Rendered]) -> None:
    """Pod Security "restricted" everywhere; where a preset relaxes it, an audit skip says why."""
    for deployment in by_kind(with_secrets[preset].manifests, "Deployment"):
        pod = deployment["spec"]["template"]["spec"]
        security = container(deployment)["securityContext"]
        assert pod["automountServiceAccountToken"] is False
        assert pod["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}
        assert security["allowPrivilegeEscalation"] is False
        assert security["readOnlyRootFilesystem"] is True
        assert security["capabilities"]["drop"] == ["ALL"]
        skips = " ".join(deployment["metadata"].get("annotations", {}).values())
        if not pod["securityContext"]["runAsNonRoot"]:
            assert "CKV_K8S_23=" in skips
        if security["capabilities"].get("add"):
            assert "CKV_K8S_25=" in skips


@pytest.mark.parametrize("preset", PRESETS)
def test_every_quantity_is_already_canonical(preset: str, with_secrets: dict[str, Rendered]) -> None:
    """What the API server would rewrite, server-side apply would conflict on: nothing is."""
    for manifest in with_secrets[preset].manifests:
        for spec in _pod_specs(manifest):
            for box in spec.get("containers", []):
                for amounts in box.get("resources", {}).values():
                    assert all(isinstance(q, str) and is_canonical(q) for q in amounts.values()), (
                        manifest["metadata"]["name"],
                        amounts,
                    )
            for volume in spec.get("volumes", []):
                size = volume.get("emptyDir", {}).get("sizeLimit")
                assert size is None or is_canonical(size)


def _pod_specs(manifest: dict[str, Any]) -> list[dict[str, Any]]:
    template = manifest.get("spec", {}).get("template", {})
    return [template["spec"]] if "spec" in template else []


# --- deploying with pruning (issue 16) ----------------------------------------------------------


def deploy_commands(rendered: Rendered) -> list[str]:
    starts = ("kubectl apply ", "kubectl label ", "KUBECTL_APPLYSET")
    return [line.strip() for line in rendered.stderr.splitlines() if line.strip().startswith(starts)]


def release_of(preset: str) -> str:
    return load_values(ROOT / "values" / f"{preset}.yaml").release


def allowlist(command: str) -> list[str]:
    return [part.removeprefix("--prune-allowlist=") for part in command.split() if part.startswith("--prune-allowlist=")]


def gvk(manifest: dict[str, Any]) -> str:
    group_version = manifest["apiVersion"] if "/" in manifest["apiVersion"] else "core/" + manifest["apiVersion"]
    return f"{group_version}/{manifest['kind']}"


@pytest.mark.parametrize("preset", PRESETS)
@pytest.mark.parametrize("secrets", ["with", "without"])
def test_the_pruning_deploy_command_allows_every_kind_the_release_can_render(
    preset: str, secrets: str, with_secrets: dict[str, Rendered], without_secrets: dict[str, Rendered]
) -> None:
    rendered = (with_secrets if secrets == "with" else without_secrets)[preset]
    commands = deploy_commands(rendered)
    (prune,) = [c for c in commands if " --prune " in c and "--applyset" not in c]
    kinds = allowlist(prune)
    assert all("," not in kind for kind in kinds)  # one kind per flag: kubectl refuses a list
    assert len(kinds) == len(set(kinds))
    # Every kind the release can render but the Namespace, whether this output has one or not (a
    # kind a later render drops must still be pruned; issue 20, item 17); the Secret only when every
    # declared Secret is rendered.
    renderable = {gvk({"apiVersion": v, "kind": k}) for construct in RELEASE_CONSTRUCTS for v, k in construct.RENDERS} - {
        "core/v1/Namespace"
    }
    assert {
        "autoscaling/v2/HorizontalPodAutoscaler",
        "policy/v1/PodDisruptionBudget",
        "networking.k8s.io/v1/Ingress",
    } <= renderable
    assert {gvk(m) for m in rendered.manifests} - {"core/v1/Namespace"} <= renderable
    # A custom resource's kind (the ExternalSecret) only where the release renders one: kubectl fails
    # on a --prune-allowlist of a kind the cluster does not know.
    unused = {gvk({"apiVersion": v, "kind": k}) for v, k in OPTIONAL_KINDS} - {gvk(m) for m in rendered.manifests}
    expected = set(renderable) - unused
    if "Secrets are never pruned here" in rendered.stderr:
        expected.discard("core/v1/Secret")
    assert set(kinds) == expected
    assert f"-l app.kubernetes.io/instance={release_of(preset)} " in prune
    for command in commands:
        assert not ("--prune" in command and "--server-side" in command and "--applyset=" not in command), command
    if "00-namespace.k8s.yaml" in rendered.files:
        assert commands[0].endswith("/00-namespace.k8s.yaml")
        assert commands[0].startswith("kubectl apply -f ")


@pytest.mark.parametrize("preset", PRESETS)
def test_every_object_carries_the_instance_label_the_prune_relies_on(preset: str, with_secrets: dict[str, Rendered]) -> None:
    for manifest in with_secrets[preset].manifests:
        assert manifest["metadata"]["labels"]["app.kubernetes.io/instance"] == release_of(preset), manifest["kind"]


@pytest.mark.parametrize("preset", PRESETS)
def test_pod_security_is_enforced_on_the_namespace_or_printed(preset: str, without_secrets: dict[str, Rendered]) -> None:
    rendered = without_secrets[preset]
    namespaces = by_kind(rendered.manifests, "Namespace")
    commands = [c for c in deploy_commands(rendered) if c.startswith("kubectl label namespace")]
    expected_level = "baseline" if preset == "001-k8s-minikube-deploy" else "restricted"
    if namespaces:
        (namespace,) = namespaces
        assert namespace["metadata"]["labels"]["pod-security.kubernetes.io/enforce"] == expected_level
        assert namespace["metadata"]["labels"]["pod-security.kubernetes.io/enforce-version"] == "v1.27"
        assert commands == []
    else:
        (command,) = commands
        assert f"pod-security.kubernetes.io/enforce={expected_level} pod-security.kubernetes.io/enforce-version=v1.27" in command
        if expected_level == "baseline":
            assert "pod-security.kubernetes.io/warn=restricted" in command
            assert "kubectl annotate namespace default 'todo-chatbot/pod-security-exceptions=todo-chatbot-frontend: " in command


def test_production_and_staging_are_overlays() -> None:
    """Each holds only what differs from the file it extends; their snapshots above hold what they render."""
    for overlay, base in (("production", "003-local-k8s-deployment.yaml"), ("staging", "production.yaml")):
        data = yaml_load((ROOT / "values" / f"{overlay}.yaml").read_text())
        assert data["extends"] == base
        assert "release" not in data
