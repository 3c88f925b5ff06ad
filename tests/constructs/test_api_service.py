"""ApiService: the backend's Deployment and Service; its kind's defaults."""

from __future__ import annotations

from typing import Any

import cdk8s
import pytest

from tests.helpers import container, one
from webapp_constructs._api_service import ApiService
from webapp_constructs._pod_props import ResourceAmounts, Resources, Security


def render(chart: cdk8s.Chart, **props: Any) -> list[dict[str, Any]]:
    props.setdefault("image", "shop-api:2.0")
    ApiService(chart, "api", **props)
    manifests: list[dict[str, Any]] = cdk8s.Testing.synth(chart)
    return manifests


def test_defaults_cluster_ip_on_8000_reachable_only_from_whom_it_allows(chart: cdk8s.Chart) -> None:
    manifests = render(chart)
    service = one(manifests, "Service", "api")
    assert service["spec"]["type"] == "ClusterIP"
    assert service["spec"]["ports"] == [{"name": "http", "port": 8000, "protocol": "TCP", "targetPort": 8000}]
    assert service["metadata"]["namespace"] == "test"
    assert container(one(manifests, "Deployment"))["ports"][0]["containerPort"] == 8000
    assert (
        "ingress" not in one(manifests, "NetworkPolicy")["spec"]
    )  # admits nobody: no rule (an empty list is dropped by the API server)


def test_a_node_port_opens_it_to_the_outside(chart: cdk8s.Chart) -> None:
    manifests = render(chart, service_type="NodePort", node_port=30081)
    assert one(manifests, "NetworkPolicy")["spec"]["ingress"] == [{"ports": [{"port": 8000, "protocol": "TCP"}]}]


def test_command_args_image_and_pull_policy(chart: cdk8s.Chart) -> None:
    manifests = render(
        chart,
        image="registry.example.com/shop/api:2.0",
        image_pull_policy="Never",
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
        resources=Resources(
            requests=ResourceAmounts(cpu="200m", memory="256Mi"), limits=ResourceAmounts(cpu="1000m", memory="1Gi")
        ),
        security=Security(run_as_user=1001, run_as_group=1001),
    )
    deployment = one(manifests, "Deployment")
    assert deployment["spec"]["replicas"] == 3
    assert container(deployment)["resources"] == {
        "requests": {"cpu": "200m", "memory": "256Mi"},
        "limits": {"cpu": "1", "memory": "1Gi"},
    }
    assert deployment["spec"]["template"]["spec"]["securityContext"] == {
        "runAsGroup": 1001,
        "runAsNonRoot": True,
        "runAsUser": 1001,
        "seccompProfile": {"type": "RuntimeDefault"},
    }


def test_image_by_digest_has_no_version_label(chart: cdk8s.Chart) -> None:
    digest = "sha256:" + "a" * 64
    deployment = one(render(chart, image=f"shop-api@{digest}"), "Deployment")
    assert container(deployment)["image"] == f"shop-api@{digest}"
    assert "app.kubernetes.io/version" not in deployment["metadata"]["labels"]


def test_where_a_service_is_reached_from_takes_a_namespace_name(chart: cdk8s.Chart) -> None:
    service = ApiService(chart, "api", image="api:1")
    assert service.host_from("other") == "api.test"
    assert service.url_from("test") == "http://api:8000"
    for ask in (service.host_from, service.url_from, service.endpoint):
        with pytest.raises(TypeError, match=r"^ApiService 'api': a namespace is its name or None, not int$"):
            ask(5)  # type: ignore[arg-type]
