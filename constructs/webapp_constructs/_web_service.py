"""WebService: a browser-facing frontend (Next.js on 3000, or static files from nginx on 80)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, ClassVar, Literal, Unpack

from constructs import Construct

from ._pod_props import Container, Volume
from ._prop_rules import DIRECTORY, ServiceType
from ._props import Problem, prop, propsclass
from ._service_workload import ServiceWorkload
from ._workload_props import ServiceOptions, ServiceProps

__all__ = ["WebService", "WebServiceProps"]

Server = Literal["nextjs", "nginx"]

SEED_CONTAINER = "seed-next-server"
SEED_MOUNT = "/seed"


@propsclass
class WebServiceProps(ServiceProps):
    """Props of :class:`WebService`: those of every service, and ``server``."""

    server: Server = "nextjs"
    """What serves the frontend: ``nextjs`` (port 3000) or ``nginx`` (port 80). Default: nextjs."""
    app_dir: str | None = prop(default=None, check=DIRECTORY)
    """Where a Next.js standalone server is in the image (the image's working directory, ``/app``
    in Next.js's own Dockerfile example): ``<app_dir>/.next/cache`` and ``<app_dir>/.next/server``,
    where Next.js writes at run time, are then writable by default. ``server="nextjs"`` only.
    Default: none (only ``/tmp`` is writable)."""

    def cross_checks(self) -> Iterator[Problem]:
        yield from super().cross_checks()
        if self.app_dir is not None and self.server != "nextjs":
            yield Problem(
                ("app_dir",),
                f"is where a Next.js server is; {self.server} has none: leave it out",
                "app-dir-without-server",
                self.app_dir,
            )


class WebService(ServiceWorkload):
    """A frontend's Deployment and its Service: NodePort by default, so a browser reaches it, and
    open to connections from anywhere, unless an Ingress routes to it (an
    :class:`~._app_ingress.AppIngress`, or a ``kp.Ingress`` through :meth:`ingress_backend`): then
    its Service is ClusterIP and it admits only the ingress controller's pods, unless a NodePort or
    LoadBalancer (``service_type``, ``node_port``) or ``allow_external`` is asked for explicitly.

    Defaults: port 3000 (80 with ``server="nginx"``); a NodePort Service (ClusterIP behind an Ingress); 100m/500m CPU and
    128Mi/512Mi memory; writable ``/tmp`` (nginx: ``/tmp``, ``/var/cache/nginx`` and ``/var/run``;
    Next.js with ``app_dir``: ``/tmp``, ``<app_dir>/.next/cache`` and ``<app_dir>/.next/server``).
    Every other prop as :class:`~._workload_props.ServiceProps` has it.

    Next.js (15, ``output: "standalone"``) writes at run time into ``<app_dir>/.next/cache`` (fetch
    cache, optimized images) and into ``<app_dir>/.next/server``, beside the built server files: the
    pages that incremental static regeneration renders again (``.next/server/app``,
    ``.next/server/pages``, ``isrFlushToDisk``). An emptyDir over ``.next/server`` would hide the
    built files, so a writable ``<app_dir>/.next/server`` is seeded from the image: an init
    container ``seed-next-server`` (the same image, ``cp -R``, which every Node.js image has) copies
    the image's directory into the emptyDir before the server starts. ``writable_paths`` without
    it (with ``experimental.isrFlushToDisk: false`` in ``next.config``, or an image without ISR)
    leaves it read-only and adds no init container.
    """

    DEFAULT_PORT: ClassVar[int] = 3000
    DEFAULT_SERVICE_TYPE: ClassVar[ServiceType] = "NodePort"
    NGINX_PORT: ClassVar[int] = 80
    NGINX_WRITABLE_PATHS: ClassVar[tuple[str, ...]] = ("/tmp", "/var/cache/nginx", "/var/run")
    DEFAULT_ALLOW_EXTERNAL: ClassVar[bool] = True
    PROPS: ClassVar[type[WebServiceProps]] = WebServiceProps

    props: WebServiceProps

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        image: str,
        server: Server = "nextjs",
        app_dir: str | None = None,
        **options: Unpack[ServiceOptions],
    ) -> None:
        self._build(scope, id, self.check_props(id, image=image, server=server, app_dir=app_dir, **options))

    @classmethod
    def port_of(cls, props: ServiceProps) -> int:
        if props.port is not None:
            return props.port
        return cls.NGINX_PORT if getattr(props, "server", None) == "nginx" else cls.DEFAULT_PORT

    @classmethod
    def default_writable_paths_of(cls, props: Any) -> tuple[str, ...]:
        if getattr(props, "server", None) == "nginx":
            return cls.NGINX_WRITABLE_PATHS
        app_dir = getattr(props, "app_dir", None)
        if app_dir is None:
            return cls.DEFAULT_WRITABLE_PATHS
        return (*cls.DEFAULT_WRITABLE_PATHS, _next(app_dir, "cache"), _next(app_dir, "server"))

    @classmethod
    def _kind_problems(cls, props: Any, id: str) -> list[Problem]:
        found = super()._kind_problems(props, id)
        for index, container in enumerate(props.init_containers):
            if container.name == SEED_CONTAINER:
                why = f"{SEED_CONTAINER} is the init container that seeds a writable .next/server; name yours otherwise"
                found.append(Problem(("init_containers", index, "name"), why, "container-name-taken", container.name))
        return found

    def _seeding_containers(self) -> list[Container]:
        """A Next.js server with a writable ``<app_dir>/.next/server`` (an emptyDir): the init
        container that copies the image's built server files into it."""
        props = self.props
        if props.server != "nextjs" or props.app_dir is None or not props.security.read_only_root_filesystem:
            return []
        server = _next(props.app_dir, "server")
        if server not in self.writable_paths:
            return []
        target = Volume(kind="emptyDir", mount_path=SEED_MOUNT, volume_name=Volume.empty_dir(server).name, read_only=False)
        return [
            Container(
                name=SEED_CONTAINER,
                image=props.image,
                image_pull_policy=props.image_pull_policy,
                command=["cp", "-R", f"{server}/.", f"{SEED_MOUNT}/"],
                writable_paths=(),
                volumes=[target],
            )
        ]


def _next(app_dir: str, name: str) -> str:
    """``<app_dir>/.next/<name>``."""
    return f"{app_dir.rstrip('/')}/.next/{name}"
