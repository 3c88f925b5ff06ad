"""The values model: everything a values file (a preset) may say, typed and documented.

A values file describes one release of the app: its name, version and namespace, the
ConfigMaps and Secrets it declares (with their keys), and its services. Each service is a
``web``, ``api`` or ``mcp`` workload; the three kinds share one set of props and differ in
their defaults (see :class:`WebServiceProps`, :class:`ApiServiceProps`, :class:`McpServiceProps`).

Keys are camelCase in YAML (``appVersion``, ``nodePort``), as in Helm values files. Every model
is frozen and rejects unknown keys. Cross-field rules (every key a service asks for is declared,
node ports are unique, ...) live in :mod:`constructs.checks`.
"""

from __future__ import annotations

import ipaddress
import re
from decimal import Decimal, InvalidOperation
from typing import Annotated, ClassVar, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)
from pydantic.alias_generators import to_camel

__all__ = [
    "ApiServiceProps",
    "AppValues",
    "AutoscalingProps",
    "CapabilitiesProps",
    "ContainerSecurityProps",
    "EgressProps",
    "EnvProps",
    "FieldError",
    "ImageProps",
    "IngressPathProps",
    "IngressProps",
    "McpServiceProps",
    "NamespaceProps",
    "NetworkPoliciesProps",
    "NetworkPolicyProps",
    "ProbeProps",
    "ProbesProps",
    "ResourceAmounts",
    "ResourcesProps",
    "SecretProps",
    "ServicePortProps",
    "ServiceProps",
    "WebServiceProps",
    "WorkloadProps",
    "parse_quantity",
]


class FieldError(ValueError):
    """A cross-field rule broken inside one model; ``field`` is the camelCase path of the field
    to blame, relative to the model, so error messages can point at its line."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = tuple(field.split("."))


class _Model(BaseModel):
    model_config = ConfigDict(
        frozen=True,
        extra="forbid",
        strict=True,
        alias_generator=to_camel,
        populate_by_name=True,
        validate_default=False,
        use_attribute_docstrings=True,
    )


# --- scalar types -------------------------------------------------------------------------

DNS1123_LABEL = r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$"
Name = Annotated[str, StringConstraints(pattern=DNS1123_LABEL, max_length=63)]
"""A DNS-1123 label: lowercase letters, digits and '-', at most 63 characters."""

EnvKey = Annotated[str, StringConstraints(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$", max_length=253)]
"""An environment variable name: letters, digits and '_', not starting with a digit."""


def _int_range(low: int, high: int, what: str) -> tuple[AfterValidator, Field]:  # type: ignore[valid-type]
    """Bounds for an int: one precise message on violation, and the bounds in the JSON schema."""

    def check(value: int) -> int:
        if not low <= value <= high:
            raise ValueError(f"{value} is not a valid {what} ({low}-{high})")
        return value

    return AfterValidator(check), Field(json_schema_extra={"minimum": low, "maximum": high})


Port = Annotated[int, *_int_range(1, 65535, "port")]
NodePort = Annotated[int, *_int_range(30000, 32767, "node port")]
Seconds = Annotated[int, *_int_range(0, 3600, "number of seconds")]
PositiveSeconds = Annotated[int, *_int_range(1, 3600, "number of seconds")]
Id = Annotated[int, *_int_range(0, 2147483647, "user or group id")]

_LABEL_KEY = re.compile(
    r"^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?"
    r"[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$"
)
_LABEL_VALUE = re.compile(r"^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$")


def _check_labels(labels: dict[str, str]) -> dict[str, str]:
    for key, value in labels.items():
        if not _LABEL_KEY.match(key) or len(key.rsplit("/", 1)[-1]) > 63:
            raise ValueError(f"{key!r} is not a valid label key (an optional DNS prefix and '/', then a name)")
        if not _LABEL_VALUE.match(value):
            raise ValueError(
                f"label {key}: {value!r} is not a valid label value "
                "(at most 63 letters, digits, '-', '_' or '.', starting and ending alphanumeric)"
            )
    return labels


Labels = Annotated[dict[str, str], AfterValidator(_check_labels)]


def _check_annotations(annotations: dict[str, str]) -> dict[str, str]:
    for key in annotations:
        if not _LABEL_KEY.match(key) or len(key.rsplit("/", 1)[-1]) > 63:
            raise ValueError(f"{key!r} is not a valid annotation key (an optional DNS prefix and '/', then a name)")
    return annotations


Annotations = Annotated[dict[str, str], AfterValidator(_check_annotations)]

AuditSkips = dict[
    Annotated[str, StringConstraints(pattern=r"^CKV2?_K8S_\d+$")],
    Annotated[str, StringConstraints(min_length=10)],
]
"""Checkov check IDs (``CKV_K8S_15``) and the reason each is deliberately failed (10+ characters)."""

_CPU = re.compile(r"^(\d+(\.\d+)?|\.\d+)m?$")
_MEMORY = re.compile(r"^(\d+(\.\d+)?|\.\d+)(Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E)?$")
_SUFFIX = {
    "m": Decimal("0.001"),
    "k": Decimal(10**3), "M": Decimal(10**6), "G": Decimal(10**9),
    "T": Decimal(10**12), "P": Decimal(10**15), "E": Decimal(10**18),
    "Ki": Decimal(2**10), "Mi": Decimal(2**20), "Gi": Decimal(2**30),
    "Ti": Decimal(2**40), "Pi": Decimal(2**50), "Ei": Decimal(2**60),
}  # fmt: skip


def parse_quantity(text: str) -> Decimal:
    """Return the numeric value of a Kubernetes quantity (``500m`` -> 0.5, ``1Gi`` -> 2**30)."""
    for suffix in sorted(_SUFFIX, key=len, reverse=True):
        if text.endswith(suffix):
            number, factor = text[: -len(suffix)], _SUFFIX[suffix]
            break
    else:
        number, factor = text, Decimal(1)
    try:
        return Decimal(number) * factor
    except InvalidOperation:
        raise ValueError(f"{text!r} is not a Kubernetes quantity") from None


def _cpu(text: str) -> str:
    if not _CPU.match(text):
        raise ValueError(f"{text!r} is not a CPU quantity (cores such as 0.5 or 2, or millicores such as 500m)")
    return text


def _memory(text: str) -> str:
    if not _MEMORY.match(text):
        raise ValueError(f"{text!r} is not a memory quantity (bytes with a suffix such as 128Mi or 1Gi)")
    return text


Cpu = Annotated[str, AfterValidator(_cpu)]
Memory = Annotated[str, AfterValidator(_memory)]

# A registry host (with optional port) and a path of lowercase components, as in the
# distribution reference grammar; tag and digest are separate fields.
_REPOSITORY = re.compile(
    r"^(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*(?::\d+)?/)?"
    r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*$"
)
_TAG = re.compile(r"^[\w][\w.-]{0,127}$")
_DIGEST = re.compile(r"^sha256:[a-f0-9]{64}$")


# --- props ----------------------------------------------------------------------------------


class ImageProps(_Model):
    """The container image. Give a ``tag``, a ``digest`` or both."""

    repository: str
    """Image repository, e.g. ``todo-backend`` or ``ghcr.io/acme/todo-backend``."""
    tag: str | None = None
    """Image tag, e.g. ``1.0.0``. Default: none (then ``digest`` is required)."""
    digest: str | None = None
    """Image digest ``sha256:<64 hex>``; pins the image exactly. Default: none."""
    pull_policy: Literal["Always", "IfNotPresent", "Never"] = "IfNotPresent"
    """``Never`` for images loaded into Minikube with ``minikube image load``. Default: IfNotPresent."""

    @field_validator("repository")
    @classmethod
    def _repository(cls, value: str) -> str:
        if not _REPOSITORY.match(value):
            raise ValueError(f"{value!r} is not an image repository (lowercase path such as registry.io/team/app)")
        return value

    @field_validator("tag")
    @classmethod
    def _tag(cls, value: str | None) -> str | None:
        if value is not None and not _TAG.match(value):
            raise ValueError(f"{value!r} is not an image tag (letters, digits, '_', '.', '-'; at most 128)")
        return value

    @field_validator("digest")
    @classmethod
    def _digest(cls, value: str | None) -> str | None:
        if value is not None and not _DIGEST.match(value):
            raise ValueError(f"{value!r} is not an image digest (sha256: and 64 hex digits)")
        return value

    @model_validator(mode="after")
    def _tag_or_digest(self) -> ImageProps:
        if self.tag is None and self.digest is None:
            raise FieldError("tag", "give a tag or a digest: an image without one silently means 'latest'")
        return self

    @property
    def reference(self) -> str:
        """The full image reference: ``repository[:tag][@digest]``."""
        ref = self.repository
        if self.tag is not None:
            ref += f":{self.tag}"
        if self.digest is not None:
            ref += f"@{self.digest}"
        return ref


class ServicePortProps(_Model):
    """The Kubernetes Service in front of a workload."""

    type: Literal["ClusterIP", "NodePort", "LoadBalancer"] | None = None
    """Service type. Default: NodePort for ``web``, ClusterIP for ``api`` and ``mcp``."""
    port: Port | None = None
    """Port the Service listens on. Default: the container port."""
    target_port: Port | None = None
    """Port on the pod; must be the container port. Default: the container port."""
    node_port: NodePort | None = None
    """Fixed node port (30000-32767) for NodePort/LoadBalancer. Default: cluster-assigned."""


class ProbeProps(_Model):
    """A liveness or readiness probe: HTTP GET on ``path`` if given, else a TCP check on the port."""

    path: str | None = None
    """HTTP path such as ``/health``. Default: none, i.e. a TCP connect check on the container port."""
    initial_delay_seconds: Seconds | None = None
    """Seconds before the first check. Default: Kubernetes' 0."""
    period_seconds: PositiveSeconds | None = None
    """Seconds between checks. Default: Kubernetes' 10."""
    timeout_seconds: PositiveSeconds | None = None
    """Seconds before a check times out. Default: Kubernetes' 1."""
    failure_threshold: Annotated[int, *_int_range(1, 100, "failure threshold")] | None = None
    """Failures in a row before acting. Default: Kubernetes' 3."""

    @field_validator("path")
    @classmethod
    def _path(cls, value: str | None) -> str | None:
        if value is not None and (not value.startswith("/") or any(c.isspace() for c in value)):
            raise ValueError(f"{value!r} is not an HTTP path (it starts with '/' and has no spaces)")
        return value


class ProbesProps(_Model):
    """Liveness and readiness probes. Every container gets both."""

    liveness: ProbeProps = ProbeProps()
    """Default: TCP check on the container port."""
    readiness: ProbeProps = ProbeProps()
    """Default: TCP check on the container port."""


class ResourceAmounts(_Model):
    cpu: Cpu | None = None
    """CPU, e.g. ``100m`` or ``0.5``. Default: none."""
    memory: Memory | None = None
    """Memory, e.g. ``128Mi``. Default: none."""


class ResourcesProps(_Model):
    """CPU and memory requests and limits. A request may not exceed its limit."""

    requests: ResourceAmounts = ResourceAmounts()
    limits: ResourceAmounts = ResourceAmounts()

    @model_validator(mode="after")
    def _requests_within_limits(self) -> ResourcesProps:
        for resource in ("cpu", "memory"):
            request, limit = getattr(self.requests, resource), getattr(self.limits, resource)
            if request is not None and limit is not None and parse_quantity(request) > parse_quantity(limit):
                raise FieldError(f"requests.{resource}", f"{request} exceeds limits.{resource} {limit}")
        return self


_CAPABILITY = r"^[A-Z][A-Z_]*$"
Capability = Annotated[str, StringConstraints(pattern=_CAPABILITY)]


class CapabilitiesProps(_Model):
    """Linux capabilities of the container."""

    add: list[Capability] = []
    """Capabilities to add back, e.g. ``NET_BIND_SERVICE``. Default: none."""
    drop: list[Capability] = ["ALL"]
    """Capabilities to drop. Default: ``[ALL]``."""


class ContainerSecurityProps(_Model):
    """Who the process runs as and what it may do. The defaults meet the Pod Security Standard
    "restricted"; relax one field at a time where an image needs it, and say why."""

    run_as_user: Id | None = None
    """UID of the process. Default: the image's user."""
    run_as_group: Id | None = None
    """GID of the process. Default: the image's group."""
    fs_group: Id | None = None
    """Group that owns mounted volumes. Default: none."""
    run_as_non_root: bool = True
    """Refuse to start a container whose user is root. Default: true."""
    read_only_root_filesystem: bool = True
    """Mount the image read-only; ``writablePaths`` get emptyDir volumes. Default: true."""
    allow_privilege_escalation: bool = False
    """Let a process gain more privileges than its parent (setuid binaries). Default: false."""
    capabilities: CapabilitiesProps = CapabilitiesProps()
    """Default: drop ALL, add none."""
    seccomp_profile: Literal["RuntimeDefault", "Unconfined"] = "RuntimeDefault"
    """Seccomp profile of the pod. Default: RuntimeDefault."""

    @model_validator(mode="after")
    def _non_root_user(self) -> ContainerSecurityProps:
        if self.run_as_non_root and self.run_as_user == 0:
            raise FieldError("runAsUser", "0 is root, but runAsNonRoot is true (set runAsNonRoot: false to run as root)")
        return self


class AutoscalingProps(_Model):
    """A HorizontalPodAutoscaler (autoscaling/v2) on CPU utilization, instead of fixed replicas."""

    min_replicas: Annotated[int, *_int_range(1, 1000, "replica count")] = 1
    """Default: 1."""
    max_replicas: Annotated[int, *_int_range(1, 1000, "replica count")]
    target_cpu_utilization: Annotated[int, *_int_range(1, 100, "percentage")] = 80
    """Average CPU utilization to aim for, in percent of the CPU request. Default: 80."""

    @model_validator(mode="after")
    def _bounds(self) -> AutoscalingProps:
        if self.min_replicas > self.max_replicas:
            raise FieldError("minReplicas", f"{self.min_replicas} exceeds maxReplicas {self.max_replicas}")
        return self


class NetworkPolicyProps(_Model):
    """Who may connect to a service (when the app's ``networkPolicies`` are enabled)."""

    allow_from: list[Name] | None = None
    """Keys of the services whose pods may connect. Default: per kind (web: none, api: every web
    service, mcp: every api service)."""
    allow_external: bool | None = None
    """Accept connections from anywhere, as a browser-facing service must. Default: true for web
    and for any service with a NodePort or LoadBalancer Service."""


class EnvProps(_Model):
    """Which declared keys a workload receives as environment variables, key by key."""

    config: list[EnvKey] = []
    """Keys of the app's ConfigMaps. Default: none."""
    secrets: list[EnvKey] = []
    """Keys of the app's Secrets. Default: none."""

    @field_validator("config", "secrets")
    @classmethod
    def _unique(cls, keys: list[str]) -> list[str]:
        seen: set[str] = set()
        for key in keys:
            if key in seen:
                raise ValueError(f"{key} is listed twice")
            seen.add(key)
        return keys


class WorkloadProps(_Model):
    """Props shared by every kind of service: one Deployment and the Service in front of it."""

    name: Name | None = None
    """Name of the Deployment and the Service. Default: ``<release>-<service key>``."""
    image: ImageProps
    replicas: Annotated[int, *_int_range(0, 1000, "replica count")] = 1
    """Pod replicas. Default: 1."""
    port: Port | None = None
    """Port the container listens on. Default: per kind (web 3000 or 80 for nginx, api 8000, mcp 8001)."""
    command: list[str] | None = None
    """Overrides the image's entrypoint; may use ``${...}`` references. Default: the image's."""
    args: list[str] | None = None
    """Overrides the image's arguments; may use ``${...}`` references. Default: the image's."""
    service: ServicePortProps = ServicePortProps()
    resources: ResourcesProps | None = None
    """Requests and limits. Default: per kind (see the kind's ``DEFAULT_RESOURCES``)."""
    probes: ProbesProps = ProbesProps()
    security_context: ContainerSecurityProps = ContainerSecurityProps()
    labels: Labels = {}
    """Extra labels on the service's objects and pods. Default: none."""
    selector_labels: Labels | None = None
    """Labels the Service and Deployment select on; also added to every object of the service.
    Default: ``app.kubernetes.io/name`` and ``app.kubernetes.io/instance``."""
    env: EnvProps = EnvProps()
    writable_paths: list[Annotated[str, StringConstraints(pattern=r"^/[^\s]*$")]] | None = None
    """Directories that get a writable emptyDir when the root filesystem is read-only.
    Default: per kind (``/tmp`` for api and mcp; ``/tmp`` and ``/app/.next/cache`` for Next.js;
    ``/tmp``, ``/var/cache/nginx`` and ``/var/run`` for nginx)."""
    autoscaling: AutoscalingProps | None = None
    """A HorizontalPodAutoscaler; then ``replicas`` must not be set. Default: none."""
    pod_disruption_budget: bool | None = None
    """Render a PodDisruptionBudget (``maxUnavailable: 1``, so it never blocks a node drain).
    Default: when there is more than one replica or an autoscaler."""
    network_policy: NetworkPolicyProps = NetworkPolicyProps()
    termination_grace_period_seconds: Seconds = 30
    """Seconds a pod gets to finish after SIGTERM. Default: 30."""
    audit_skips: AuditSkips = {}
    """Policy-scanner checks this service deliberately fails, each with its reason: rendered as
    ``checkov.io/skip`` annotations on the service's objects. Default: none."""

    DEFAULT_PORT: ClassVar[int] = 8000
    DEFAULT_SERVICE_TYPE: ClassVar[str] = "ClusterIP"
    DEFAULT_RESOURCES: ClassVar[ResourcesProps] = ResourcesProps(
        requests=ResourceAmounts(cpu="100m", memory="128Mi"),
        limits=ResourceAmounts(cpu="500m", memory="512Mi"),
    )

    @field_validator("command", "args")
    @classmethod
    def _no_empty_command(cls, value: list[str] | None) -> list[str] | None:
        if value is not None and not value:
            raise ValueError("an empty list; leave it out to use the image's default")
        return value

    DEFAULT_WRITABLE_PATHS: ClassVar[tuple[str, ...]] = ("/tmp",)

    @property
    def effective_writable_paths(self) -> list[str]:
        return list(self.writable_paths if self.writable_paths is not None else self.DEFAULT_WRITABLE_PATHS)

    @property
    def max_replicas(self) -> int:
        return self.autoscaling.max_replicas if self.autoscaling else self.replicas

    @property
    def wants_disruption_budget(self) -> bool:
        if self.pod_disruption_budget is not None:
            return self.pod_disruption_budget
        return self.autoscaling is not None or self.replicas > 1

    @property
    def container_port(self) -> int:
        """The container port, after the kind's default."""
        return self.port if self.port is not None else self.DEFAULT_PORT

    @property
    def service_type(self) -> str:
        return self.service.type or self.DEFAULT_SERVICE_TYPE

    @property
    def service_port(self) -> int:
        return self.service.port if self.service.port is not None else self.container_port

    @property
    def effective_resources(self) -> ResourcesProps:
        return self.resources if self.resources is not None else self.DEFAULT_RESOURCES

    @model_validator(mode="after")
    def _replicas_or_autoscaling(self) -> WorkloadProps:
        if self.autoscaling is not None and "replicas" in self.model_fields_set:
            raise FieldError("replicas", "set either replicas or autoscaling, not both: the autoscaler owns the replica count")
        return self

    @model_validator(mode="after")
    def _ports(self) -> WorkloadProps:
        if self.service.target_port is not None and self.service.target_port != self.container_port:
            raise FieldError(
                "service.targetPort",
                f"{self.service.target_port} is not the container port {self.container_port}; "
                "the Service would send traffic where nothing listens",
            )
        if self.service.node_port is not None and self.service_type == "ClusterIP":
            raise FieldError(
                "service.nodePort", f"{self.service.node_port} needs service.type NodePort or LoadBalancer, not ClusterIP"
            )
        return self


class WebServiceProps(WorkloadProps):
    """A browser-facing frontend: Next.js (port 3000) or static files served by nginx (port 80).

    Defaults: a NodePort Service; 100m/500m CPU, 128Mi/512Mi memory.
    """

    kind: Literal["web"]
    server: Literal["nextjs", "nginx"] = "nextjs"
    """What serves the frontend; sets the default port (3000 or 80). Default: nextjs."""

    DEFAULT_SERVICE_TYPE: ClassVar[str] = "NodePort"

    @property
    def container_port(self) -> int:
        if self.port is not None:
            return self.port
        return 80 if self.server == "nginx" else 3000

    @property
    def effective_writable_paths(self) -> list[str]:
        if self.writable_paths is not None:
            return list(self.writable_paths)
        if self.server == "nginx":
            return ["/tmp", "/var/cache/nginx", "/var/run"]
        return ["/tmp", "/app/.next/cache"]


class ApiServiceProps(WorkloadProps):
    """The HTTP API backend (FastAPI on 8000).

    Defaults: a ClusterIP Service on 8000; 100m/500m CPU, 128Mi/512Mi memory.
    """

    kind: Literal["api"]


class McpServiceProps(WorkloadProps):
    """The internal MCP server (port 8001). ClusterIP only unless ``exposeNodePort`` is set.

    Defaults: a ClusterIP Service on 8001; 50m/250m CPU, 64Mi/256Mi memory.
    """

    kind: Literal["mcp"]
    expose_node_port: bool = False
    """Allow a NodePort or LoadBalancer Service for this internal server. Default: false."""

    DEFAULT_PORT: ClassVar[int] = 8001
    DEFAULT_RESOURCES: ClassVar[ResourcesProps] = ResourcesProps(
        requests=ResourceAmounts(cpu="50m", memory="64Mi"),
        limits=ResourceAmounts(cpu="250m", memory="256Mi"),
    )

    @model_validator(mode="after")
    def _internal_only(self) -> McpServiceProps:
        if self.service_type != "ClusterIP" and not self.expose_node_port:
            raise FieldError(
                "service.type",
                f"{self.service_type} would expose the internal MCP server outside the cluster; "
                "use ClusterIP, or set exposeNodePort: true to do it on purpose",
            )
        return self


ServiceProps = Annotated[
    WebServiceProps | ApiServiceProps | McpServiceProps,
    Field(discriminator="kind"),
]
"""One service of the app; ``kind`` (web, api or mcp) picks its defaults and its construct."""


class NamespaceProps(_Model):
    name: Name = "default"
    """Namespace of every object. Default: default."""
    create: bool | None = None
    """Render the Namespace object. Default: true unless the name is ``default``; set false for a
    namespace created outside the chart."""

    @property
    def rendered(self) -> bool:
        return self.create if self.create is not None else self.name != "default"


class SecretProps(_Model):
    """A Secret and its keys. Values never live in a values file: they come from the
    environment or an ``--env-file`` at synth time."""

    keys: Annotated[list[EnvKey], Field(min_length=1)]
    """The Secret's keys; each value comes from the environment variable of the same name."""
    external: bool = False
    """The Secret is created outside the chart (by ``kubectl create secret``): referenced, never
    rendered. Default: false."""


def _cidr(text: str) -> str:
    try:
        ipaddress.ip_network(text)
    except ValueError:
        raise ValueError(f"{text!r} is not a CIDR block such as 0.0.0.0/0 or 10.0.0.0/8") from None
    return text


def _host_or_ip(text: str) -> str:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        if not re.match(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$", text) or len(text) > 253:
            raise ValueError(f"{text!r} is neither an IP address nor a host name") from None
    return text


class EgressProps(_Model):
    """Egress rules: off by default; on, each pod may reach DNS, the app's services it calls, and
    the external ports listed (the Neon Postgres, HTTPS to LLM APIs)."""

    enabled: bool = False
    """Deny egress except what the rules allow. Default: false."""
    external_ports: list[Port] = [443, 5432]
    """TCP ports the pods may reach outside the cluster. Default: 443 (HTTPS) and 5432 (Postgres)."""
    external_cidrs: list[Annotated[str, AfterValidator(_cidr)]] = ["0.0.0.0/0"]
    """Where those ports may be reached. Default: anywhere."""


class NetworkPoliciesProps(_Model):
    """NetworkPolicies: deny ingress to the app's pods except from whom each service allows."""

    enabled: bool = True
    """Default: true."""
    egress: EgressProps = EgressProps()


_HOST = re.compile(r"^(\*\.)?[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)+$")


class IngressPathProps(_Model):
    path: Annotated[str, StringConstraints(pattern=r"^/[^\s]*$")]
    """URL path prefix, e.g. ``/`` or ``/api``."""
    service: Name
    """Key of the service that serves it."""


class IngressProps(_Model):
    """An Ingress in front of the app, with TLS."""

    host: str
    """Public host name, e.g. ``todo.example.com``."""
    paths: Annotated[list[IngressPathProps], Field(min_length=1)]
    """Path prefixes and the services behind them; the longest prefix wins."""
    class_name: str | None = None
    """IngressClass, e.g. ``nginx``. Default: the cluster's default class."""
    tls_secret: Name | None = None
    """Secret holding the TLS certificate (e.g. made by cert-manager). Default: no TLS."""
    annotations: Annotations = {}
    """Annotations for the ingress controller or cert-manager. Default: none."""
    controller_namespace: Name = "ingress-nginx"
    """Namespace of the ingress controller's pods, allowed through the NetworkPolicies.
    Default: ingress-nginx."""

    @field_validator("host")
    @classmethod
    def _host(cls, value: str) -> str:
        if not _HOST.match(value) or len(value) > 253:
            raise ValueError(f"{value!r} is not a DNS host name such as todo.example.com")
        return value


class AppValues(_Model):
    """A whole values file: one release of the app."""

    description: Annotated[str, StringConstraints(max_length=200)] = ""
    """One line on what this values file renders; ``main.py --list-presets`` shows it. Default: none."""
    release: Name
    """Release name: ``app.kubernetes.io/instance`` and the default prefix of object names."""
    app_name: Name | None = None
    """The application (``app.kubernetes.io/part-of``). Default: the release name."""
    app_version: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$")]
    """Version of the app (``app.kubernetes.io/version``), e.g. ``1.0.0`` (quote numbers)."""
    namespace: NamespaceProps = NamespaceProps()
    node_host: Annotated[str, AfterValidator(_host_or_ip)] = "192.168.49.2"
    """Address browsers use to reach node ports, for ``${services.X.nodeUrl}``. Default: Minikube's
    node address with its default docker driver (``minikube ip`` prints yours)."""
    labels: Labels = {}
    """Extra labels on every object. Default: none."""
    config_maps: dict[Name, dict[EnvKey, str]] = {}
    """ConfigMaps by name, each a mapping of key to value; values may use ``${...}`` references."""
    secrets: dict[Name, SecretProps] = {}
    """Secrets by name, with their keys. Default: none."""
    services: Annotated[dict[Name, ServiceProps], Field(min_length=1)]
    """Services by key (the ``app.kubernetes.io/component`` label)."""
    network_policies: NetworkPoliciesProps = NetworkPoliciesProps()
    ingress: IngressProps | None = None
    """An Ingress for the browser-facing services. Default: none."""
    audit_skips: AuditSkips = {}
    """Policy-scanner checks the whole app deliberately fails, with reasons; annotated on every
    object. Default: none."""

    @property
    def part_of(self) -> str:
        return self.app_name or self.release

    def object_name(self, key: str) -> str:
        """The name of service ``key``'s Deployment and Service."""
        name = self.services[key].name
        return name if name is not None else f"{self.release}-{key}"
