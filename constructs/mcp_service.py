"""McpService: an internal MCP server (8001), reachable inside the cluster only."""

from __future__ import annotations

from typing import Any, ClassVar, Unpack

from constructs import Construct

from .pod_props import ResourceAmounts, Resources
from .props import Problem, propsclass, unchecked
from .service_workload import ServiceWorkload
from .workload_props import ServiceOptions, ServiceProps

__all__ = ["McpService", "McpServiceProps"]


@propsclass
class McpServiceProps(ServiceProps):
    """Props of :class:`McpService`: those of every service, and ``expose_node_port``."""

    expose_node_port: bool = False
    """Allow a NodePort or LoadBalancer Service, an Ingress path, or ``allow_external`` (connections
    from every pod of every namespace) for this internal server. Default: false."""


class McpService(ServiceWorkload):
    """An MCP server's Deployment and its ClusterIP Service: internal, reachable only from the
    workloads that :meth:`~.workload.Workload.connect` to it. A NodePort or LoadBalancer Service,
    an Ingress path or ``allow_external`` needs ``expose_node_port=True``.

    Defaults: port 8001; 50m/250m CPU and 64Mi/256Mi memory; a writable ``/tmp``. Every other
    prop as :class:`~.workload_props.ServiceProps` has it.
    """

    DEFAULT_PORT: ClassVar[int] = 8001
    DEFAULT_RESOURCES: ClassVar[Resources] = unchecked(
        Resources,
        requests=unchecked(ResourceAmounts, cpu="50m", memory="64Mi"),
        limits=unchecked(ResourceAmounts, cpu="250m", memory="256Mi"),
    )
    PROPS: ClassVar[type[McpServiceProps]] = McpServiceProps

    props: McpServiceProps

    def __init__(
        self, scope: Construct, id: str, *, image: str, expose_node_port: bool = False, **options: Unpack[ServiceOptions]
    ) -> None:
        self._build(scope, id, self.check_props(id, image=image, expose_node_port=expose_node_port, **options))

    @classmethod
    def _kind_problems(cls, props: Any, id: str) -> list[Problem]:
        found = super()._kind_problems(props, id)
        exposed = isinstance(props, McpServiceProps) and props.expose_node_port
        service_type = props.service_type or cls.DEFAULT_SERVICE_TYPE
        if service_type != "ClusterIP" and not exposed:
            found.append(
                Problem(
                    ("service_type",),
                    f"{service_type} would expose the internal MCP server outside the cluster; "
                    "use ClusterIP, or set expose_node_port=True to do it on purpose",
                )
            )
        if props.allow_external and not exposed:
            found.append(
                Problem(
                    ("allow_external",),
                    "True would open the internal MCP server to every pod of every namespace; "
                    "set expose_node_port=True to do it on purpose",
                )
            )
        return found

    @classmethod
    def routing_problem(cls, props: ServiceProps) -> str | None:
        if isinstance(props, McpServiceProps) and props.expose_node_port:
            return None
        return "is an internal MCP server; set expose_node_port=True to route to it on purpose"

    def _guards_opening(self) -> bool:
        return not self.props.expose_node_port

    def _opening_refusal(self) -> str:
        return (
            "would open the internal MCP server beyond the workloads that connect to it; "
            "set expose_node_port=True to do it on purpose, or name the workloads (connect, allow_from)"
        )

    @property
    def internal(self) -> bool:
        """Whether the server must stay inside the cluster (no Ingress path to it)."""
        return not self.props.expose_node_port
