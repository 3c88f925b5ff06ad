"""WebService: a browser-facing frontend (Next.js on 3000, or static files from nginx on 80)."""

from __future__ import annotations

from typing import Any, ClassVar, Literal, Unpack

from constructs import Construct

from .pod_props import Container, Volume
from .prop_rules import ServiceType
from .props import Problem, propsclass
from .service_workload import ServiceWorkload
from .workload_props import ServiceOptions, ServiceProps

__all__ = ["WebService", "WebServiceProps"]

Server = Literal["nextjs", "nginx"]

NEXT_SERVER = "/app/.next/server"
"""Where a Next.js standalone server's built files are, and where it writes regenerated pages."""
SEED_CONTAINER = "seed-next-server"
SEED_MOUNT = "/seed"


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
    128Mi/512Mi memory; writable ``/tmp``, ``/app/.next/cache`` and ``/app/.next/server`` (nginx:
    ``/tmp``, ``/var/cache/nginx`` and ``/var/run``). Every other prop as
    :class:`~.workload_props.ServiceProps` has it.

    Next.js (15, ``output: "standalone"``) writes at run time into ``/app/.next/cache`` (fetch
    cache, optimized images) and into ``/app/.next/server``, beside the built server files: the pages
    that incremental static regeneration renders again (``.next/server/app``, ``.next/server/pages``,
    ``isrFlushToDisk``). An emptyDir over ``/app/.next/server`` would hide the built files, so the
    writable ``/app/.next/server`` is seeded from the image: an init container ``seed-next-server``
    (the same image, ``cp -R``, which every Node.js image has) copies the image's directory into the
    emptyDir before the server starts. ``writable_paths`` without ``/app/.next/server`` (with
    ``experimental.isrFlushToDisk: false`` in ``next.config``, or an image without ISR) leaves it
    read-only and adds no init container.
    """

    DEFAULT_PORT: ClassVar[int] = 3000
    DEFAULT_SERVICE_TYPE: ClassVar[ServiceType] = "NodePort"
    DEFAULT_WRITABLE_PATHS: ClassVar[tuple[str, ...]] = ("/tmp", "/app/.next/cache", NEXT_SERVER)
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

    @classmethod
    def _kind_problems(cls, props: Any, id: str) -> list[Problem]:
        found = super()._kind_problems(props, id)
        for index, container in enumerate(props.init_containers):
            if container.name == SEED_CONTAINER:
                why = f"{SEED_CONTAINER} is the init container that seeds the writable {NEXT_SERVER}; name yours otherwise"
                found.append(Problem(("init_containers", index, "name"), why))
        return found

    def _seeding_containers(self) -> list[Container]:
        """A Next.js server with a writable ``/app/.next/server`` (an emptyDir): the init container
        that copies the image's built server files into it."""
        props = self.props
        if props.server != "nextjs" or NEXT_SERVER not in self.writable_paths or not props.security.read_only_root_filesystem:
            return []
        target = Volume(kind="emptyDir", mount_path=SEED_MOUNT, volume_name=Volume.empty_dir(NEXT_SERVER).name, read_only=False)
        return [
            Container(
                name=SEED_CONTAINER,
                image=props.image,
                image_pull_policy=props.image_pull_policy,
                command=["cp", "-R", f"{NEXT_SERVER}/.", f"{SEED_MOUNT}/"],
                writable_paths=(),
                volumes=[target],
            )
        ]
