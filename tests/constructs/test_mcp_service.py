"""McpService: the internal MCP server; ClusterIP only unless exposed on purpose."""

from __future__ import annotations

import cdk8s
import pytest

from tests.helpers import container, one
from webapp_constructs._mcp_service import McpService
from webapp_constructs._props import PropsError


def test_defaults_cluster_ip_on_8001_with_small_resources(chart: cdk8s.Chart) -> None:
    McpService(chart, "mcp", image="todo-backend:1", command=["python", "-m", "mcp_server.run"])
    manifests = cdk8s.Testing.synth(chart)
    assert one(manifests, "Service")["spec"]["type"] == "ClusterIP"
    assert one(manifests, "Service")["spec"]["ports"][0]["port"] == 8001
    app = container(one(manifests, "Deployment"))
    assert app["command"] == ["python", "-m", "mcp_server.run"]
    assert app["resources"] == {"requests": {"cpu": "50m", "memory": "64Mi"}, "limits": {"cpu": "250m", "memory": "256Mi"}}
    assert (
        "ingress" not in one(manifests, "NetworkPolicy")["spec"]
    )  # admits nobody: no rule (an empty list is dropped by the API server)


@pytest.mark.parametrize("service_type", ["NodePort", "LoadBalancer"])
def test_refuses_exposure_unless_asked(chart: cdk8s.Chart, service_type: str) -> None:
    with pytest.raises(PropsError, match=f"service_type: {service_type} would expose the internal MCP server"):
        McpService(chart, "mcp", image="mcp:1", service_type=service_type)  # type: ignore[arg-type]


def test_exposes_a_node_port_when_explicitly_asked(chart: cdk8s.Chart) -> None:
    mcp = McpService(chart, "mcp", image="mcp:1", service_type="NodePort", node_port=30900, expose_node_port=True)
    assert not mcp.internal
    assert one(cdk8s.Testing.synth(chart), "Service")["spec"]["ports"][0]["nodePort"] == 30900


def test_open_to_every_pod_only_when_explicitly_asked(chart: cdk8s.Chart) -> None:
    # Issue 20, item 6: allow_external is as much an exposure as a node port.
    with pytest.raises(PropsError, match=r"allow_external: True would open the internal MCP server to every pod"):
        McpService(chart, "mcp", image="mcp:1", allow_external=True)
    McpService(chart, "mcp", image="mcp:1", allow_external=True, expose_node_port=True)
    policy = one(cdk8s.Testing.synth(chart), "NetworkPolicy")
    assert policy["spec"]["ingress"] == [{"ports": [{"protocol": "TCP", "port": 8001}]}]
