"""McpService: the internal MCP server (8001), reachable inside the cluster only."""

from __future__ import annotations

from typing import ClassVar, Unpack

from constructs import Construct

from .props import Problem, propsclass
from .workload import Workload
from .workload_props import ResourceAmounts, Resources, WorkloadOptions, WorkloadProps

__all__ = ["McpService", "McpServiceProps"]


@propsclass
class McpServiceProps(WorkloadProps):
    """Props of :class:`McpService`: those of every service, and ``expose_node_port``."""

    expose_node_port: bool = False
    """Allow a NodePort or LoadBalancer Service, an Ingress path, or ``allow_external`` (connections
    from every pod of every namespace) for this internal server. Default: false."""


class McpService(Workload):
    """The MCP server's Deployment and its ClusterIP Service: internal, reachable only from the
    services that :meth:`~.workload.Workload.connect` to it. A NodePort or LoadBalancer Service
    (or an Ingress path) needs ``expose_node_port=True``.

    Defaults: port 8001; 50m/250m CPU and 64Mi/256Mi memory; a writable ``/tmp``. Every other
    prop as :class:`~.workload.Workload` has it.
    """

    DEFAULT_PORT: ClassVar[int] = 8001
    DEFAULT_RESOURCES: ClassVar[Resources] = Resources(
        requests=ResourceAmounts(cpu="50m", memory="64Mi"),
        limits=ResourceAmounts(cpu="250m", memory="256Mi"),
    )
    PROPS: ClassVar[type[WorkloadProps]] = McpServiceProps

    props: McpServiceProps

    def __init__(
        self, scope: Construct, id: str, *, image: str, expose_node_port: bool = False, **options: Unpack[WorkloadOptions]
    ) -> None:
        self._build(scope, id, self.make(id, image=image, expose_node_port=expose_node_port, **options))

    @classmethod
    def kind_problems(cls, props: WorkloadProps, id: str) -> list[Problem]:
        found = super().kind_problems(props, id)
        service_type = props.service_type or cls.DEFAULT_SERVICE_TYPE
        if service_type != "ClusterIP" and not (isinstance(props, McpServiceProps) and props.expose_node_port):
            found.append(
                Problem(
                    ("service_type",),
                    f"{service_type} would expose the internal MCP server outside the cluster; "
                    "use ClusterIP, or set exposeNodePort: true to do it on purpose",
                )
            )
        if props.allow_external and not (isinstance(props, McpServiceProps) and props.expose_node_port):
            found.append(
                Problem(
                    ("allow_external",),
                    "true would open the internal MCP server to every pod of every namespace; "
                    "set exposeNodePort: true to do it on purpose",
                )
            )
        return found

    @property
    def internal(self) -> bool:
        """Whether the server must stay inside the cluster (no Ingress path to it)."""
        return not self.props.expose_node_port
