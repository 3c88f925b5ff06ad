"""ApiService: the backend's Deployment and Service."""

from __future__ import annotations

from typing import Any

import cdk8s

from constructs.api_service import ApiService
from constructs.values import ApiServiceProps
from constructs.workload import EnvRef, WorkloadContext
from tests.helpers import container, one

CONTEXT = WorkloadContext(
    name="shop-api",
    component="api",
    labels={"app": "shop-api", "app.kubernetes.io/instance": "shop"},
    selector={"app": "shop-api"},
    env=[
        EnvRef(key="LOG_LEVEL", source="configMap", object_name="shop-config"),
        EnvRef(key="DATABASE_URL", source="secret", object_name="shop-secrets"),
    ],
)


def render(chart: cdk8s.Chart, **props: Any) -> list[dict[str, Any]]:
    props.setdefault("image", {"repository": "shop-api", "tag": "2.0"})
    ApiService(chart, "api", props=ApiServiceProps.model_validate({"kind": "api", **props}), context=CONTEXT)
    manifests: list[dict[str, Any]] = cdk8s.Testing.synth(chart)
    return manifests


def test_defaults_cluster_ip_on_8000(chart: cdk8s.Chart) -> None:
    manifests = render(chart)
    service = one(manifests, "Service", "shop-api")
    assert service["spec"]["type"] == "ClusterIP"
    assert service["spec"]["ports"] == [{"name": "http", "port": 8000, "protocol": "TCP", "targetPort": 8000}]
    assert service["metadata"]["namespace"] == "test"
    assert container(one(manifests, "Deployment"))["ports"][0]["containerPort"] == 8000


def test_env_key_by_key_from_config_map_and_secret(chart: cdk8s.Chart) -> None:
    env = container(one(render(chart), "Deployment"))["env"]
    assert env == [
        {"name": "LOG_LEVEL", "valueFrom": {"configMapKeyRef": {"key": "LOG_LEVEL", "name": "shop-config"}}},
        {"name": "DATABASE_URL", "valueFrom": {"secretKeyRef": {"key": "DATABASE_URL", "name": "shop-secrets"}}},
    ]


def test_command_args_image_and_pull_policy(chart: cdk8s.Chart) -> None:
    manifests = render(
        chart,
        image={"repository": "registry.example.com/shop/api", "tag": "2.0", "pullPolicy": "Never"},
        command=["uvicorn", "app.main:app"],
        args=["--host", "0.0.0.0", "--port", "8000"],
    )
    app = container(one(manifests, "Deployment"))
    assert app["image"] == "registry.example.com/shop/api:2.0"
    assert app["imagePullPolicy"] == "Never"
    assert app["command"] == ["uvicorn", "app.main:app"]
    assert app["args"] == ["--host", "0.0.0.0", "--port", "8000"]


def test_resources_replicas_and_security_context(chart: cdk8s.Chart) -> None:
    manifests = render(
        chart,
        replicas=3,
        resources={"requests": {"cpu": "200m", "memory": "256Mi"}, "limits": {"cpu": "1000m", "memory": "1Gi"}},
        securityContext={"runAsUser": 1001, "runAsGroup": 1001, "runAsNonRoot": True},
    )
    deployment = one(manifests, "Deployment")
    assert deployment["spec"]["replicas"] == 3
    assert container(deployment)["resources"] == {
        "requests": {"cpu": "200m", "memory": "256Mi"},
        "limits": {"cpu": "1000m", "memory": "1Gi"},
    }
    assert deployment["spec"]["template"]["spec"]["securityContext"] == {
        "runAsGroup": 1001,
        "runAsNonRoot": True,
        "runAsUser": 1001,
        "seccompProfile": {"type": "RuntimeDefault"},
    }


def test_image_by_digest(chart: cdk8s.Chart) -> None:
    digest = "sha256:" + "a" * 64
    app = container(one(render(chart, image={"repository": "shop-api", "digest": digest}), "Deployment"))
    assert app["image"] == f"shop-api@{digest}"
