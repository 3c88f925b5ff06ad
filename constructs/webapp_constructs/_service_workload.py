"""ServiceWorkload: a Deployment behind a Service, reachable at ``http://<name>:<port>`` by what
connects to it. The shared base of :class:`~._web_service.WebService`,
:class:`~._api_service.ApiService` and :class:`~._mcp_service.McpService`."""

from __future__ import annotations

from typing import Any, ClassVar, NamedTuple, Unpack

from constructs import Construct

from . import _rules as rules
from ._common import owner_name
from ._deployment_workload import DeploymentWorkload
from ._manifest import Lazy, Manifest
from ._pod_template import PORT_NAME, drop_none
from ._prop_rules import ServiceType
from ._props import Problem, Term
from ._workload_props import ServiceOptions, ServiceProps

__all__ = ["ServiceFacts", "ServiceWorkload"]


class ServiceFacts(NamedTuple):
    """What a service's props come to, after its kind's defaults: what the values app and a
    diagram ask instead of working it out again."""

    port: int
    """The port the container listens on."""

    service_type: ServiceType

    service_port: int
    """The port the Service listens on."""

    allows_external: bool
    """Whether anyone may connect (when no Ingress routes to it)."""


class ServiceWorkload(DeploymentWorkload):
    """A Deployment of one container, its Service and ServiceAccount, and when asked or implied an
    HPA, a PDB and a NetworkPolicy. The pods are selected by ``app.kubernetes.io/name`` and
    ``app.kubernetes.io/instance`` (or ``selector_labels``); two workloads of a chart never select
    each other's pods. Objects: ``service_account``, ``service``, ``deployment``, ``hpa``, ``pdb``,
    ``network_policy`` (construct IDs ``service-account``, ``service``, ``deployment``, ``hpa``,
    ``pdb``, ``network-policy``, stable API); ``cdk8s.ApiObject.of(service)`` is the Deployment."""

    DEFAULT_PORT: ClassVar[int] = 8000
    """Port the container listens on, unless ``port`` says otherwise."""
    DEFAULT_SERVICE_TYPE: ClassVar[ServiceType] = "ClusterIP"
    DEFAULT_ALLOW_EXTERNAL: ClassVar[bool] = False
    """Whether anyone may connect, unless ``allow_external`` says otherwise (a NodePort or
    LoadBalancer Service always defaults to yes; an Ingress in front makes it no)."""
    PROPS: ClassVar[type[ServiceProps]] = ServiceProps
    RENDERS: ClassVar[tuple[tuple[str, str], ...]] = (("v1", "Service"), *DeploymentWorkload.RENDERS)
    props: ServiceProps

    def __init__(self, scope: Construct, id: str, *, image: str, **options: Unpack[ServiceOptions]) -> None:
        self._build(scope, id, self.check_props(id, image=image, **options))

    @classmethod
    def _kind_problems(cls, props: Any, id: str) -> list[Problem]:
        found = super()._kind_problems(props, id)
        service_type = props.service_type or cls.DEFAULT_SERVICE_TYPE
        if props.node_port is not None and service_type == "ClusterIP":
            found.append(
                Problem.worded(
                    ("node_port",),
                    f"{props.node_port} needs {{0}} NodePort or LoadBalancer, not ClusterIP",
                    Term.prop("service_type"),
                    code="node-port-needs-type",
                    value=props.node_port,
                )
            )
        return found

    @classmethod
    def routing_problem(cls, props: ServiceProps) -> str | None:
        """Why an Ingress may not route to a service with ``props`` (a clause after its name:
        "is an internal ..."), or None when it may."""
        return None

    @classmethod
    def port_of(cls, props: ServiceProps) -> int:
        """The container port of a service with ``props`` (``port``, else the kind's default)."""
        return props.port if props.port is not None else cls.DEFAULT_PORT

    @classmethod
    def facts(cls, props: ServiceProps, *, behind_ingress: bool = False) -> ServiceFacts:
        """What ``props`` come to for this kind (see :class:`ServiceFacts`)."""
        port = cls.port_of(props)
        service_type = cls.service_type_of(props, behind_ingress=behind_ingress)
        service_port = props.service_port if props.service_port is not None else port
        if props.allow_external is not None:
            external = props.allow_external
        else:
            external = (cls.DEFAULT_ALLOW_EXTERNAL and not behind_ingress) or service_type != "ClusterIP"
        return ServiceFacts(port, service_type, service_port, external)

    @classmethod
    def service_type_of(cls, props: ServiceProps, *, behind_ingress: bool = False) -> ServiceType:
        """The Service type of a service with ``props``: ``service_type``; else, behind an Ingress
        (the way in) and without a ``node_port``, ClusterIP; else the kind's default."""
        if props.service_type is not None:
            return props.service_type
        if props.node_port is not None or not behind_ingress:
            return cls.DEFAULT_SERVICE_TYPE
        return "ClusterIP"

    def _build(self, scope: Construct, id: str, props: Any) -> None:
        self.behind_ingress = False
        """An Ingress routes to it: then only the ingress controller's pods may connect, and its
        Service is ClusterIP (unless a NodePort or LoadBalancer, or ``allow_external``, is asked for)."""
        facts = type(self).facts(props)
        self._port = facts.port
        self.service_port: int = facts.service_port
        """The port the Service listens on."""
        super()._build(scope, id, props)

    @property
    def service_type(self) -> ServiceType:
        """The Service's type (ClusterIP once an Ingress routes to it, unless asked otherwise)."""
        return type(self).service_type_of(self.props, behind_ingress=self.behind_ingress)

    @property
    def port(self) -> int:
        """The port the container listens on."""
        return self._port

    def _objects_of_kind(self) -> None:
        self._object("service", "v1", "Service", spec=self._service_spec())
        self._deployment_objects()

    def _service_spec(self) -> dict[str, Any]:
        port = drop_none(
            name=PORT_NAME, protocol="TCP", port=self.service_port, targetPort=self.port, nodePort=self.props.node_port
        )
        return {"type": Lazy(lambda: self.service_type), "selector": dict(self.selector), "ports": [port]}

    @property
    def url(self) -> str:
        """``http://<name>:<service port>``: how pods of the same namespace reach this service."""
        return f"http://{self.name}:{self.service_port}"

    def host_from(self, namespace: str | None) -> str:
        """The host name pods of ``namespace`` reach this service by (``<name>.<namespace>``
        from another namespace)."""
        if namespace is not None and not isinstance(namespace, str):
            raise TypeError(
                f"{owner_name(type(self), self.construct_id)}: a namespace is its name or None, not {type(namespace).__name__}"
            )
        if namespace == self.namespace or self.namespace is None:
            return self.name
        return f"{self.name}.{self.namespace}"

    def endpoint(self, namespace: str | None) -> tuple[str, int]:
        """Its host name as pods of ``namespace`` see it, and its Service's port."""
        return self.host_from(namespace), self.service_port

    def url_from(self, namespace: str | None) -> str:
        """How pods of ``namespace`` reach this service (through the namespace when it is another)."""
        return f"http://{self.host_from(namespace)}:{self.service_port}"

    @property
    def allows_external(self) -> bool:
        """Whether anyone may connect (a browser, through a node port)."""
        return type(self).facts(self.props, behind_ingress=self.behind_ingress).allows_external

    def _ingress_rules(self) -> list[dict[str, Any]]:
        port = self._own_ports()
        if self.allows_external:
            return [{"ports": port}]
        peers = self._peer_list()
        return [{"from": peers, "ports": port}] if peers else []

    @property
    def service(self) -> Manifest:
        found = self._get("service")
        assert found is not None
        return found

    def ingress_backend(self, *, controller_namespace: str = "ingress-nginx") -> Any:
        """This service as a cdk8s-plus ``kp.IngressBackend``, to put it behind a ``kp.Ingress``::

            kp.Ingress(chart, "ingress", default_backend=web.ingress_backend())

        The service then admits the ingress controller's pods (in ``controller_namespace``) and no
        others, and its Service is ClusterIP unless asked otherwise, as behind an
        :class:`~._app_ingress.AppIngress`; an internal one (an MCP server without
        ``expose_node_port``) is refused as there. Imports cdk8s-plus-27."""
        from ._props import PropsError

        problem = type(self).routing_problem(self.props)
        if problem is not None:
            raise PropsError(
                owner_name(type(self), self.construct_id),
                [Problem(("ingress_backend",), f"{self.name} {problem}", "not-routable", self.name)],
            )
        problems = rules.dns1123_label(controller_namespace) if isinstance(controller_namespace, str) else ["is not a string"]
        if problems:
            raise PropsError(
                owner_name(type(self), self.construct_id),
                [
                    Problem(
                        ("ingress_backend", "controller_namespace"),
                        f"{p}; give the ingress controller's namespace",
                        "rule",
                        controller_namespace,
                    )
                    for p in problems
                ],
            )
        import cdk8s
        import cdk8s_plus_27 as kp

        # A kp.Service of this name and port, in an app of its own that is never synthesized: what
        # cdk8s-plus needs to name the backend.
        handle = kp.Service(
            cdk8s.Chart(cdk8s.App(), "backend", namespace=self.namespace),
            "service",
            metadata=cdk8s.ApiObjectMetadata(name=self.name),
            ports=[kp.ServicePort(port=self.service_port)],
        )
        self.behind_ingress = True
        self.allow_from_namespace(controller_namespace)
        return kp.IngressBackend.from_service(handle, port=self.service_port)
