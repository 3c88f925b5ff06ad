"""WebService: the frontend's Deployment and Service; its kind's defaults."""

from __future__ import annotations

from typing import Any

import cdk8s

from tests.helpers import container, one
from webapp_constructs._pod_props import Probe, Probes
from webapp_constructs._web_service import WebService


def render(chart: cdk8s.Chart, **props: Any) -> list[dict[str, Any]]:
    props.setdefault("image", "shop-web:2.0")
    WebService(chart, "web", **props)
    manifests: list[dict[str, Any]] = cdk8s.Testing.synth(chart)
    return manifests


def test_defaults_nextjs_on_3000_behind_a_node_port_open_to_browsers(chart: cdk8s.Chart) -> None:
    manifests = render(chart)
    service, deployment = one(manifests, "Service", "web"), one(manifests, "Deployment", "web")
    assert service["spec"]["type"] == "NodePort"
    assert service["spec"]["ports"] == [{"name": "http", "port": 3000, "protocol": "TCP", "targetPort": 3000}]
    app = container(deployment)
    assert app["ports"] == [{"containerPort": 3000, "name": "http", "protocol": "TCP"}]
    assert app["livenessProbe"] == {"tcpSocket": {"port": 3000}}
    assert app["readinessProbe"] == {"tcpSocket": {"port": 3000}}
    assert app["resources"] == {"requests": {"cpu": "100m", "memory": "128Mi"}, "limits": {"cpu": "500m", "memory": "512Mi"}}
    assert app["imagePullPolicy"] == "IfNotPresent"
    assert deployment["spec"]["replicas"] == 1
    assert one(manifests, "NetworkPolicy")["spec"]["ingress"] == [{"ports": [{"port": 3000, "protocol": "TCP"}]}]


def test_nginx_server_defaults_to_port_80(chart: cdk8s.Chart) -> None:
    manifests = render(chart, server="nginx")
    assert container(one(manifests, "Deployment"))["ports"][0]["containerPort"] == 80
    assert one(manifests, "Service")["spec"]["ports"][0]["targetPort"] == 80


def test_service_port_and_node_port(chart: cdk8s.Chart) -> None:
    manifests = render(chart, port=3000, service_port=80, node_port=30080)
    assert one(manifests, "Service")["spec"]["ports"] == [
        {"name": "http", "nodePort": 30080, "port": 80, "protocol": "TCP", "targetPort": 3000}
    ]


def test_no_cdk8s_plus_leftovers(chart: cdk8s.Chart) -> None:
    manifests = render(chart)
    deployment = one(manifests, "Deployment")
    text = repr(manifests)
    assert "cdk8s.io/metadata.addr" not in text
    assert "startupProbe" not in container(deployment)
    assert container(deployment)["imagePullPolicy"] != "Always"


def test_http_probes_with_timings(chart: cdk8s.Chart) -> None:
    probes = Probes(
        liveness=Probe(path="/", initial_delay_seconds=5, period_seconds=10),
        readiness=Probe(path="/ready", timeout_seconds=2, failure_threshold=5),
    )
    app = container(one(render(chart, probes=probes), "Deployment"))
    assert app["livenessProbe"] == {"httpGet": {"path": "/", "port": 3000}, "initialDelaySeconds": 5, "periodSeconds": 10}
    assert app["readinessProbe"] == {"httpGet": {"path": "/ready", "port": 3000}, "timeoutSeconds": 2, "failureThreshold": 5}
