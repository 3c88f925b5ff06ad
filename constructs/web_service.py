"""WebService: a browser-facing frontend (Next.js on 3000, or static files from nginx on 80)."""

from __future__ import annotations

from typing import Any, ClassVar, Literal, Unpack

from constructs import Construct

from .prop_rules import ServiceType
from .props import propsclass
from .service_workload import ServiceWorkload
from .workload_props import ServiceOptions, ServiceProps

__all__ = ["WebService", "WebServiceProps"]

Server = Literal["nextjs", "nginx"]


@propsclass
class WebServiceProps(ServiceProps):
    """Props of :class:`WebService`: those of every service, and ``server``."""

    server: Server = "nextjs"
    """What serves the frontend: ``nextjs`` (port 3000) or ``nginx`` (port 80). Default: nextjs."""


class WebService(ServiceWorkload):
    """A frontend's Deployment and its Service: NodePort by default, so a browser reaches it, and
    open to connections from anywhere, unless an Ingress routes to it (an
    :class:`~.app_ingress.AppIngress`, or a ``kp.Ingress`` through :meth:`ingress_backend`): then
    its Service is ClusterIP and it admits only the ingress controller's pods, unless a NodePort or
    LoadBalancer (``service_type``, ``node_port``) or ``allow_external`` is asked for explicitly.

    Defaults: port 3000 (80 with ``server="nginx"``); a NodePort Service (ClusterIP behind an Ingress); 100m/500m CPU and
    128Mi/512Mi memory; writable ``/tmp`` and ``/app/.next/cache`` (nginx: ``/tmp``,
    ``/var/cache/nginx`` and ``/var/run``). Every other prop as :class:`~.workload_props.ServiceProps` has it.
    """

    DEFAULT_PORT: ClassVar[int] = 3000
    DEFAULT_SERVICE_TYPE: ClassVar[ServiceType] = "NodePort"
    DEFAULT_WRITABLE_PATHS: ClassVar[tuple[str, ...]] = ("/tmp", "/app/.next/cache")
    NGINX_PORT: ClassVar[int] = 80
    NGINX_WRITABLE_PATHS: ClassVar[tuple[str, ...]] = ("/tmp", "/var/cache/nginx", "/var/run")
    DEFAULT_ALLOW_EXTERNAL: ClassVar[bool] = True
    PROPS: ClassVar[type[WebServiceProps]] = WebServiceProps

    props: WebServiceProps

    def __init__(
        self, scope: Construct, id: str, *, image: str, server: Server = "nextjs", **options: Unpack[ServiceOptions]
    ) -> None:
        self._build(scope, id, self.check_props(id, image=image, server=server, **options))

    @classmethod
    def port_of(cls, props: ServiceProps) -> int:
        if props.port is not None:
            return props.port
        return cls.NGINX_PORT if getattr(props, "server", None) == "nginx" else cls.DEFAULT_PORT

    @classmethod
    def default_writable_paths_of(cls, props: Any) -> tuple[str, ...]:
        return cls.NGINX_WRITABLE_PATHS if getattr(props, "server", None) == "nginx" else cls.DEFAULT_WRITABLE_PATHS
