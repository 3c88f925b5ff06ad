"""WebService: the frontend's Deployment and Service, exactly as its props say."""

from __future__ import annotations

from typing import Any

import cdk8s
import pytest

from constructs.values import WebServiceProps
from constructs.web_service import WebService
from constructs.workload import EnvRef, WorkloadContext
from tests.helpers import container, one

CONTEXT = WorkloadContext(
    name="shop-web",
    component="web",
    labels={"app.kubernetes.io/name": "shop-web", "app.kubernetes.io/instance": "shop", "tier": "front"},
    selector={"app.kubernetes.io/name": "shop-web", "app.kubernetes.io/instance": "shop"},
    env=[EnvRef(key="API_URL", source="configMap", object_name="shop-config")],
)


def render(chart: cdk8s.Chart, **props: Any) -> list[dict[str, Any]]:
    props.setdefault("image", {"repository": "shop-web", "tag": "2.0"})
    WebService(chart, "web", props=WebServiceProps.model_validate({"kind": "web", **props}), context=CONTEXT)
    manifests: list[dict[str, Any]] = cdk8s.Testing.synth(chart)
    return manifests


def test_defaults_nextjs_on_3000_behind_a_node_port(chart: cdk8s.Chart) -> None:
    manifests = render(chart)
    service, deployment = one(manifests, "Service", "shop-web"), one(manifests, "Deployment", "shop-web")
    assert service["spec"]["type"] == "NodePort"
    assert service["spec"]["ports"] == [{"name": "http", "port": 3000, "protocol": "TCP", "targetPort": 3000}]
    app = container(deployment)
    assert app["ports"] == [{"containerPort": 3000, "name": "http", "protocol": "TCP"}]
    assert app["livenessProbe"] == {"tcpSocket": {"port": 3000}}
    assert app["readinessProbe"] == {"tcpSocket": {"port": 3000}}
    assert app["resources"] == {
        "requests": {"cpu": "100m", "memory": "128Mi"},
        "limits": {"cpu": "500m", "memory": "512Mi"},
    }
    assert app["imagePullPolicy"] == "IfNotPresent"
    assert deployment["spec"]["replicas"] == 1


def test_nginx_server_defaults_to_port_80(chart: cdk8s.Chart) -> None:
    manifests = render(chart, server="nginx")
    assert container(one(manifests, "Deployment"))["ports"][0]["containerPort"] == 80
    assert one(manifests, "Service")["spec"]["ports"][0]["targetPort"] == 80


def test_service_port_node_port_and_target_port(chart: cdk8s.Chart) -> None:
    manifests = render(chart, port=3000, service={"type": "NodePort", "port": 80, "targetPort": 3000, "nodePort": 30080})
    assert one(manifests, "Service")["spec"]["ports"] == [
        {"name": "http", "nodePort": 30080, "port": 80, "protocol": "TCP", "targetPort": 3000}
    ]


def test_no_cdk8s_plus_leftovers(chart: cdk8s.Chart) -> None:
    manifests = render(chart)
    text = repr(manifests)
    assert "cdk8s.io/metadata.addr" not in text
    assert "startupProbe" not in text
    assert "1000m" not in text
    assert {m["metadata"]["name"] for m in manifests} == {"shop-web"}


def test_labels_selector_and_env(chart: cdk8s.Chart) -> None:
    manifests = render(chart)
    deployment = one(manifests, "Deployment")
    assert deployment["metadata"]["labels"] == dict(CONTEXT.labels)
    assert deployment["spec"]["template"]["metadata"]["labels"] == dict(CONTEXT.labels)
    assert deployment["spec"]["selector"] == {"matchLabels": dict(CONTEXT.selector)}
    assert one(manifests, "Service")["spec"]["selector"] == dict(CONTEXT.selector)
    assert container(deployment)["env"] == [
        {"name": "API_URL", "valueFrom": {"configMapKeyRef": {"key": "API_URL", "name": "shop-config"}}}
    ]


def test_http_probes_with_timings(chart: cdk8s.Chart) -> None:
    manifests = render(chart, probes={"liveness": {"path": "/", "initialDelaySeconds": 5, "periodSeconds": 10}})
    app = container(one(manifests, "Deployment"))
    assert app["livenessProbe"] == {
        "httpGet": {"path": "/", "port": 3000},
        "initialDelaySeconds": 5,
        "periodSeconds": 10,
    }
    assert app["readinessProbe"] == {"tcpSocket": {"port": 3000}}


def test_selector_must_be_within_pod_labels() -> None:
    with pytest.raises(ValueError, match="lack the selector labels"):
        WorkloadContext(name="x", component="x", labels={"a": "1"}, selector={"b": "2"})
