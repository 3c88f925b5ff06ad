"""McpService: the internal MCP server (8001), reachable inside the cluster only."""

from __future__ import annotations

from constructs import Construct
from constructs.values import McpServiceProps
from constructs.workload import Workload, WorkloadContext

__all__ = ["McpService"]


class McpService(Workload):
    """The MCP server's Deployment and its ClusterIP Service.

    The props refuse a NodePort or LoadBalancer Service unless ``exposeNodePort`` is set.
    """

    props: McpServiceProps

    def __init__(self, scope: Construct, id: str, *, props: McpServiceProps, context: WorkloadContext) -> None:
        super().__init__(scope, id, props=props, context=context)
