"""McpService: an internal MCP server (8001), reachable inside the cluster only."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, ClassVar, Unpack

from constructs import Construct

from ._charts import AppCheck
from ._pod_props import ResourceAmounts, Resources
from ._props import Problem, Term, Worded, literal, propsclass, unchecked
from ._service_workload import ServiceWorkload
from ._workload_props import ServiceOptions, ServiceProps

__all__ = ["McpService", "McpServiceProps", "internal_servers_opened"]


def _selects(selector: Mapping[str, Any], labels: Mapping[str, str]) -> bool:
    """Whether a label selector (``matchLabels``, ``matchExpressions``) matches ``labels``."""
    if any(labels.get(key) != value for key, value in (selector.get("matchLabels") or {}).items()):
        return False
    for expression in selector.get("matchExpressions") or []:
        key, operator, values = expression.get("key"), expression.get("operator"), expression.get("values") or []
        present = key in labels
        if (
            (operator == "In" and (not present or labels[key] not in values))
            or (operator == "NotIn" and present and labels[key] in values)
            or (operator == "Exists" and not present)
            or (operator == "DoesNotExist" and present)
        ):
            return False
    return True


def _network_policies(root: Construct) -> Iterator[tuple[str, Mapping[str, Any], str | None]]:
    """Every NetworkPolicy the app renders, after its patches: (construct path, object, its
    chart's namespace)."""
    import cdk8s

    from ._manifest import Manifest, ManifestConstruct, render

    for construct in root.node.find_all():
        if isinstance(construct, ManifestConstruct):
            info = construct.chart_info
            for object_id, manifest in construct._manifests.items():
                if manifest["kind"] == "NetworkPolicy":
                    created = construct._objects.get(object_id)
                    rendered = created.to_json() if created is not None else render(manifest, chart_labels=info.labels)
                    yield construct.node.path, rendered, info.namespace
        elif isinstance(construct, Manifest):
            if construct.owner is None and construct.manifest.get("kind") == "NetworkPolicy":
                yield construct.node.path, construct.to_json(), construct._info.namespace
        elif isinstance(construct, cdk8s.ApiObject) and construct.kind == "NetworkPolicy":
            yield construct.node.path, construct.to_json(), cdk8s.Chart.of(construct).namespace


def internal_servers_opened(root: Construct) -> list[str]:
    """NetworkPolicies, whoever made them (cdk8s-plus's, ``k8s.KubeNetworkPolicy``, a JSON
    patch on ours), that open an internal MCP server's pods beyond named pods: a rule without
    ``from``, or a peer of whole namespaces or address blocks (see
    :func:`~._peers.names_pods`)."""
    from ._peers import names_pods

    servers = [c for c in root.node.find_all() if isinstance(c, McpService) and c.internal]
    if not servers:
        return []
    found = []
    for path, policy, chart_namespace in _network_policies(root):
        spec = policy.get("spec") or {}
        if "Ingress" not in (spec.get("policyTypes") or ["Ingress"]):
            continue
        opened = [
            "everyone" if not rule.get("from") else next(repr(peer) for peer in rule["from"] if not names_pods(peer))
            for rule in spec.get("ingress") or []
            if not rule.get("from") or not all(names_pods(peer) for peer in rule["from"])
        ]
        if not opened:
            continue
        namespace = (policy.get("metadata") or {}).get("namespace") or chart_namespace
        for server in servers:
            if server.namespace == namespace and _selects(spec.get("podSelector") or {}, server.labels):
                found.append(
                    f"the NetworkPolicy {path} opens the internal MCP server {server.node.path} to {opened[0]}: name the "
                    f"workloads ({server.construct_id}.allow_from(...), <workload>.connect({server.construct_id})), or set "
                    "expose_node_port=True on it to do it on purpose"
                )
    return found


@propsclass
class McpServiceProps(ServiceProps):
    """Props of :class:`McpService`: those of every service, and ``expose_node_port``."""

    expose_node_port: bool = False
    """Allow a NodePort or LoadBalancer Service, an Ingress path, or ``allow_external`` (connections
    from every pod of every namespace) for this internal server. Default: false."""


class McpService(ServiceWorkload):
    """An MCP server's Deployment and its ClusterIP Service: internal, reachable only from the
    workloads that :meth:`~._workload.Workload.connect` to it. A NodePort or LoadBalancer Service,
    an Ingress path or ``allow_external`` needs ``expose_node_port=True``.

    Defaults: port 8001; 50m/250m CPU and 64Mi/256Mi memory; a writable ``/tmp``. Every other
    prop as :class:`~._workload_props.ServiceProps` has it.
    """

    DEFAULT_PORT: ClassVar[int] = 8001
    DEFAULT_RESOURCES: ClassVar[Resources] = unchecked(
        Resources,
        requests=unchecked(ResourceAmounts, cpu="50m", memory="64Mi"),
        limits=unchecked(ResourceAmounts, cpu="250m", memory="256Mi"),
    )
    PROPS: ClassVar[type[McpServiceProps]] = McpServiceProps
    APP_CHECKS: ClassVar[tuple[AppCheck, ...]] = (*ServiceWorkload.APP_CHECKS, internal_servers_opened)

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
                Problem.worded(
                    ("service_type",),
                    f"{literal(service_type)} would expose the internal MCP server outside the cluster; "
                    "use ClusterIP, or set {0} to do it on purpose",
                    Term.setting("expose_node_port", True),
                    code="internal-server-exposed",
                    value=service_type,
                )
            )
        if props.allow_external and not exposed:
            found.append(
                Problem.worded(
                    ("allow_external",),
                    "True would open the internal MCP server to every pod of every namespace; set {0} to do it on purpose",
                    Term.setting("expose_node_port", True),
                    code="internal-server-exposed",
                    value=True,
                )
            )
        return found

    @classmethod
    def routing_problem(cls, props: ServiceProps) -> str | None:
        if isinstance(props, McpServiceProps) and props.expose_node_port:
            return None
        return Worded("is an internal MCP server; set {0} to route to it on purpose", Term.setting("expose_node_port", True))

    def _guards_opening(self) -> bool:
        return not self.props.expose_node_port

    def _opening_refusal(self) -> str:
        return Worded(
            "would open the internal MCP server beyond the workloads that connect to it; "
            "set {0} to do it on purpose, or name the workloads (connect, allow_from)",
            Term.setting("expose_node_port", True),
        )

    @property
    def internal(self) -> bool:
        """Whether the server must stay inside the cluster (no Ingress path to it)."""
        return not self.props.expose_node_port
