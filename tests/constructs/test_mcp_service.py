"""McpService: the internal MCP server, ClusterIP unless a values file explicitly asks."""

from __future__ import annotations

from typing import Any

import cdk8s
import pytest
from pydantic import ValidationError

from constructs.mcp_service import McpService
from constructs.values import McpServiceProps
from constructs.workload import WorkloadContext
from tests.helpers import container, one

CONTEXT = WorkloadContext(name="shop-mcp", component="mcp", labels={"app": "shop-mcp"}, selector={"app": "shop-mcp"})


def props(**values: Any) -> McpServiceProps:
    values.setdefault("image", {"repository": "shop-api", "tag": "2.0"})
    return McpServiceProps.model_validate({"kind": "mcp", **values})


def test_defaults_cluster_ip_on_8001_with_small_resources(chart: cdk8s.Chart) -> None:
    McpService(chart, "mcp", props=props(), context=CONTEXT)
    manifests = cdk8s.Testing.synth(chart)
    service = one(manifests, "Service", "shop-mcp")
    assert service["spec"]["type"] == "ClusterIP"
    assert service["spec"]["ports"] == [{"name": "http", "port": 8001, "protocol": "TCP", "targetPort": 8001}]
    assert "nodePort" not in service["spec"]["ports"][0]
    assert container(one(manifests, "Deployment"))["resources"] == {
        "requests": {"cpu": "50m", "memory": "64Mi"},
        "limits": {"cpu": "250m", "memory": "256Mi"},
    }


@pytest.mark.parametrize("service_type", ["NodePort", "LoadBalancer"])
def test_refuses_exposure_unless_asked(service_type: str) -> None:
    with pytest.raises(ValidationError, match="would expose the internal MCP server"):
        props(service={"type": service_type})


def test_exposes_a_node_port_when_explicitly_asked(chart: cdk8s.Chart) -> None:
    McpService(chart, "mcp", props=props(exposeNodePort=True, service={"type": "NodePort", "nodePort": 30999}), context=CONTEXT)
    service = one(cdk8s.Testing.synth(chart), "Service")
    assert service["spec"]["type"] == "NodePort"
    assert service["spec"]["ports"][0]["nodePort"] == 30999
