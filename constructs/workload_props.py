"""The props of a service construct (:class:`~.workload.Workload` and its kinds), with their
defaults and rules.

Nested props are small frozen dataclasses: :class:`Resources`, :class:`Probes`, :class:`Security`,
:class:`Autoscaling`, :class:`Egress`. Each checks itself when created and raises
:class:`~.props.PropsError` with every problem, as the constructs do.
"""

import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any, Literal, TypedDict

from . import rules
from .props import Check, Problem, Props, check, int_range, min_length, pattern, prop, propsclass
from .quantity import QuantityError, parse_quantity

__all__ = [
    "Autoscaling",
    "Capabilities",
    "Egress",
    "Probe",
    "Probes",
    "PullPolicy",
    "ResourceAmounts",
    "Resources",
    "Security",
    "ServiceType",
    "WorkloadOptions",
    "WorkloadProps",
    "relaxations",
    "restricted_exceptions",
]

PullPolicy = Literal["Always", "IfNotPresent", "Never"]
ServiceType = Literal["ClusterIP", "NodePort", "LoadBalancer"]


def _from(rule: Callable[[Any], list[str]], **schema: object) -> Check:
    """A rule of :mod:`.rules` as a props check."""
    return check(rule, **schema)


PORT = int_range(1, 65535, "port")
NODE_PORT = int_range(30000, 32767, "node port")
REPLICAS = int_range(0, 1000, "replica count")
SCALE = int_range(1, 1000, "replica count")
SECONDS = int_range(0, 3600, "number of seconds")
POSITIVE_SECONDS = int_range(1, 3600, "number of seconds")
USER_ID = int_range(0, 2147483647, "user or group id")
PERCENT = int_range(1, 100, "percentage")
FAILURES = int_range(1, 100, "failure threshold")
NAME = _from(rules.dns1123_label, pattern=r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", maxLength=63)
SERVICE_NAME = _from(rules.dns1035_label, pattern=r"^[a-z]([-a-z0-9]*[a-z0-9])?$", maxLength=63)
"""The name of a service's objects, its Service's included: a DNS-1035 label (starts with a letter)."""
LABELS = _from(rules.labels)
LABEL_VALUE = _from(rules.label_value, maxLength=63)
CIDR = _from(rules.cidr)
CAPABILITY = pattern(r"[A-Z][A-Z_]*", "a Linux capability in capitals, such as NET_BIND_SERVICE")
AUDIT_CHECK = pattern(r"CKV2?_K8S_\d+", "a checkov Kubernetes check ID such as CKV_K8S_15")
REASON_LENGTH = 10
"""The fewest non-blank characters a reason for a relaxation has."""


def _reason(text: str) -> list[str]:
    non_blank = sum(not char.isspace() for char in text)
    if non_blank >= REASON_LENGTH:
        return []
    shown = text if len(text) <= 40 else text[:37] + "..."
    return [
        f"{shown!r} has {non_blank} non-blank characters; a reason has at least {REASON_LENGTH}: say why the check does not apply"
    ]


REASON = check(_reason, minLength=REASON_LENGTH, pattern=rf"(\S\s*){{{REASON_LENGTH}}}")

_CPU = re.compile(r"(\d+(\.\d+)?|\.\d+)m?")
_MEMORY = re.compile(r"(\d+(\.\d+)?|\.\d+)(Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E)?")


def _cpu(text: str) -> list[str]:
    if not _CPU.fullmatch(text):
        return [f"{text!r} is not a CPU quantity (cores such as 0.5 or 2, or millicores such as 500m)"]
    return []


def _memory(text: str) -> list[str]:
    if not _MEMORY.fullmatch(text):
        return [f"{text!r} is not a memory quantity (bytes with a suffix such as 128Mi or 1Gi)"]
    return []


CPU = check(_cpu, pattern=rf"^{_CPU.pattern}$")
MEMORY = check(_memory, pattern=rf"^{_MEMORY.pattern}$")

_PATH = re.compile(r"/[^\s]*")


def _http_path(value: str) -> list[str]:
    if not _PATH.fullmatch(value):
        return [f"{value!r} is not an HTTP path (it starts with '/' and has no spaces)"]
    return []


HTTP_PATH = check(_http_path, pattern=r"^/[^\s]*$")

HIDDEN_BY_EMPTY_DIR = frozenset(
    {"/", "/app", "/bin", "/boot", "/dev", "/etc", "/lib", "/lib32", "/lib64", "/libx32", "/opt", "/proc", "/root"}
    | {"/sbin", "/sys", "/usr", "/usr/bin", "/usr/lib", "/usr/local", "/usr/sbin", "/usr/share", "/var", "/var/lib"}
)
"""Directories whose own files an image needs: an emptyDir mounted there would hide them."""


def _writable_path(value: str) -> list[str]:
    if not _PATH.fullmatch(value) or "//" in value or "/../" in value + "/" or "/./" in value + "/":
        return [f"{value!r} is not an absolute directory path (it starts with '/', without blanks, '//', '.' or '..')"]
    normal = value.rstrip("/") or "/"
    if normal in HIDDEN_BY_EMPTY_DIR:
        return [
            f"{value} would hide the image's own files under an empty directory; "
            "list the directory the program writes to (such as /tmp or /var/cache/nginx) instead"
        ]
    return []


WRITABLE_PATH = check(_writable_path, pattern=r"^/[^\s]*$")

# A registry host (with optional port) and a path of lowercase components, as in the distribution
# reference grammar; then an optional tag and an optional digest.
_REPOSITORY = (
    r"(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*(?::\d+)?/)?"
    r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*"
)
_TAG = r"[\w][\w.-]{0,127}"
_DIGEST = r"sha256:[a-f0-9]{64}"
_IMAGE = re.compile(rf"(?P<repository>{_REPOSITORY})(?::(?P<tag>{_TAG}))?(?:@(?P<digest>{_DIGEST}))?")


def _image(value: str) -> list[str]:
    match = _IMAGE.fullmatch(value)
    if match is None:
        return [f"{value!r} is not an image reference (repository[:tag][@sha256:digest], e.g. ghcr.io/acme/api:1.0.0)"]
    if match["tag"] is None and match["digest"] is None:
        return [f"{value!r} has no tag or digest: an image without one silently means 'latest'"]
    return []


IMAGE = check(_image)


def image_tag(reference: str) -> str | None:
    """The tag of an image reference, if it has one."""
    match = _IMAGE.fullmatch(reference)
    return match["tag"] if match else None


@propsclass
class ResourceAmounts(Props):
    """CPU and memory amounts. The output spells them as the API server stores them (``1000m``
    is rendered ``"1"``, ``1024Mi`` is rendered ``1Gi``)."""

    cpu: str | None = prop(default=None, check=CPU)
    """CPU, e.g. ``100m`` or ``0.5``. Default: none."""
    memory: str | None = prop(default=None, check=MEMORY)
    """Memory, e.g. ``128Mi``. Default: none."""


@propsclass
class Resources(Props):
    """CPU and memory requests and limits. A request may not exceed its limit."""

    requests: ResourceAmounts = ResourceAmounts()
    """Default: none."""
    limits: ResourceAmounts = ResourceAmounts()
    """Default: none."""

    def cross_checks(self) -> Iterator[Problem]:
        for resource in ("cpu", "memory"):
            request, limit = getattr(self.requests, resource), getattr(self.limits, resource)
            try:
                exceeds = request is not None and limit is not None and parse_quantity(request) > parse_quantity(limit)
            except QuantityError:
                continue
            if exceeds:
                yield Problem(("requests", resource), f"{request} exceeds limits.{resource} {limit}")


@propsclass
class Probe(Props):
    """A liveness or readiness probe: HTTP GET on ``path`` if given, else a TCP check on the port."""

    path: str | None = prop(default=None, check=HTTP_PATH)
    """HTTP path such as ``/health``. Default: none, i.e. a TCP connect check on the container port."""
    initial_delay_seconds: int | None = prop(default=None, check=SECONDS)
    """Seconds before the first check. Default: Kubernetes' 0."""
    period_seconds: int | None = prop(default=None, check=POSITIVE_SECONDS)
    """Seconds between checks. Default: Kubernetes' 10."""
    timeout_seconds: int | None = prop(default=None, check=POSITIVE_SECONDS)
    """Seconds before a check times out. Default: Kubernetes' 1."""
    failure_threshold: int | None = prop(default=None, check=FAILURES)
    """Failures in a row before acting. Default: Kubernetes' 3."""


@propsclass
class Probes(Props):
    """Liveness and readiness probes. Every container gets both."""

    liveness: Probe = Probe()
    """Default: TCP check on the container port."""
    readiness: Probe = Probe()
    """Default: TCP check on the container port."""


@propsclass
class Capabilities(Props):
    """Linux capabilities of the container."""

    add: Sequence[str] = prop(default=(), each=CAPABILITY)
    """Capabilities to add back, e.g. ``NET_BIND_SERVICE``. Default: none."""
    drop: Sequence[str] = prop(default=("ALL",), each=CAPABILITY)
    """Capabilities to drop. Default: ``[ALL]``."""


@propsclass
class Security(Props):
    """Who the process runs as and what it may do. The defaults meet the Pod Security Standard
    "restricted"; relax one field at a time where an image needs it, and say why (a service's
    ``audit_skips`` must give the reason for every check a relaxation fails)."""

    run_as_user: int | None = prop(default=None, check=USER_ID)
    """UID of the process. Default: the image's user."""
    run_as_group: int | None = prop(default=None, check=USER_ID)
    """GID of the process. Default: the image's group."""
    fs_group: int | None = prop(default=None, check=USER_ID)
    """Group that owns mounted volumes. Default: none."""
    run_as_non_root: bool = True
    """Refuse to start a container whose user is root. Default: true."""
    read_only_root_filesystem: bool = True
    """Mount the image read-only; ``writable_paths`` get emptyDir volumes. Default: true."""
    allow_privilege_escalation: bool = False
    """Let a process gain more privileges than its parent (setuid binaries). Default: false."""
    capabilities: Capabilities = Capabilities()
    """Default: drop ALL, add none."""
    seccomp_profile: Literal["RuntimeDefault", "Unconfined"] = "RuntimeDefault"
    """Seccomp profile of the pod. Default: RuntimeDefault."""

    def cross_checks(self) -> Iterator[Problem]:
        if self.run_as_non_root and self.run_as_user == 0:
            yield Problem(("run_as_user",), "0 is root, but runAsNonRoot is true (set runAsNonRoot: false to run as root)")


RESTRICTED_CAPABILITIES = frozenset({"NET_BIND_SERVICE"})
"""The only capability the Pod Security Standard "restricted" lets a container add."""


def restricted_exceptions(security: Security) -> dict[str, tuple[str, str]]:
    """Where ``security`` falls below the Pod Security Standard "restricted": for each policy check
    it then fails (a checkov ID), the field to blame and what it does."""
    found: dict[str, tuple[str, str]] = {}
    if not security.run_as_non_root:
        found["CKV_K8S_23"] = ("run_as_non_root", "runAsNonRoot: false lets the container run as root")
    if security.run_as_user == 0:
        found.setdefault("CKV_K8S_23", ("run_as_user", "runAsUser: 0 runs the container as root"))
    extra = sorted(set(security.capabilities.add) - RESTRICTED_CAPABILITIES)
    if extra:
        found["CKV_K8S_25"] = ("capabilities", f"capabilities.add {extra} goes beyond NET_BIND_SERVICE")
    if "ALL" not in security.capabilities.drop:
        found["CKV_K8S_37"] = ("capabilities", "capabilities.drop without ALL keeps the runtime's default capabilities")
    if security.allow_privilege_escalation:
        found["CKV_K8S_20"] = ("allow_privilege_escalation", "allowPrivilegeEscalation: true lets setuid binaries gain root")
    if security.seccomp_profile != "RuntimeDefault":
        found["CKV_K8S_31"] = ("seccomp_profile", f"seccompProfile {security.seccomp_profile} turns syscall filtering off")
    return found


def relaxations(security: Security) -> dict[str, tuple[str, str]]:
    """Every way ``security`` is weaker than the default, each of which needs its reason: where it
    falls below "restricted" (:func:`restricted_exceptions`), and a writable root filesystem
    (checkov ``CKV_K8S_22``), which "restricted" allows but which lets an attacker change the
    image's own files."""
    found = restricted_exceptions(security)
    if not security.read_only_root_filesystem:
        found["CKV_K8S_22"] = (
            "read_only_root_filesystem",
            "readOnlyRootFilesystem: false lets the process change the image's own files",
        )
    return found


@propsclass
class Autoscaling(Props):
    """A HorizontalPodAutoscaler (autoscaling/v2) on CPU utilization, instead of fixed replicas."""

    max_replicas: int = prop(check=SCALE)
    min_replicas: int = prop(default=1, check=SCALE)
    """Default: 1."""
    target_cpu_utilization: int = prop(default=80, check=PERCENT)
    """Average CPU utilization to aim for, in percent of the CPU request. Default: 80."""

    def cross_checks(self) -> Iterator[Problem]:
        if self.min_replicas > self.max_replicas:
            yield Problem(("min_replicas",), f"{self.min_replicas} exceeds maxReplicas {self.max_replicas}")


@propsclass
class Egress(Props):
    """Egress rules: deny egress except DNS, the services this one connects to, and ``external_ports``
    to ``external_cidrs`` (the Neon Postgres, HTTPS to LLM APIs)."""

    external_ports: Sequence[int] = prop(default=(443, 5432), each=PORT)
    """TCP ports the pods may reach outside the cluster. Default: 443 (HTTPS) and 5432 (Postgres)."""
    external_cidrs: Sequence[str] = prop(default=("0.0.0.0/0",), each=CIDR)
    """Where those ports may be reached. Default: anywhere."""


@propsclass
class WorkloadProps(Props):
    """Props of every service construct: one Deployment and what goes with it. ``None`` means
    "the kind's default" (see :class:`~.web_service.WebService`, :class:`~.api_service.ApiService`,
    :class:`~.mcp_service.McpService`)."""

    image: str = prop(check=IMAGE)
    """Container image, ``repository[:tag][@sha256:digest]``; a tag or a digest is required."""
    image_pull_policy: PullPolicy = "IfNotPresent"
    """``Never`` for images loaded into Minikube with ``minikube image load``. Default: IfNotPresent."""
    name: str | None = prop(default=None, check=SERVICE_NAME)
    """Name of every object of the service (Deployment, Service, ...), a DNS-1035 label. Default:
    the construct ID."""
    port: int | None = prop(default=None, check=PORT)
    """Port the container listens on. Default: the kind's (web 3000 or 80 for nginx, api 8000, mcp 8001)."""
    replicas: int | None = prop(default=None, check=REPLICAS)
    """Pod replicas. Default: 1 (none with ``autoscaling``, which owns the count)."""
    command: Sequence[str] | None = prop(default=None, check=min_length(1))
    """Overrides the image's entrypoint. Default: the image's."""
    args: Sequence[str] | None = prop(default=None, check=min_length(1))
    """Overrides the image's arguments. Default: the image's."""
    env: Mapping[str, str] = prop(default={}, keys=_from(rules.env_var_name))
    """Environment variables with literal values. Default: none (see also ``env_from_config_map``,
    ``env_from_secret`` and ``connect``)."""
    service_type: ServiceType | None = None
    """Type of the Service. Default: the kind's (NodePort for web, ClusterIP for api and mcp)."""
    service_port: int | None = prop(default=None, check=PORT)
    """Port the Service listens on. Default: the container port."""
    node_port: int | None = prop(default=None, check=NODE_PORT)
    """Fixed node port (30000-32767) of a NodePort or LoadBalancer Service. Default: cluster-assigned."""
    resources: Resources | None = None
    """Requests and limits. Default: the kind's (``DEFAULT_RESOURCES``)."""
    probes: Probes = Probes()
    """Default: TCP checks on the container port."""
    security: Security = Security()
    """Default: the Pod Security Standard "restricted"."""
    writable_paths: Sequence[str] | None = prop(default=None, each=WRITABLE_PATH)
    """Directories that get a writable emptyDir when the root filesystem is read-only.
    Default: the kind's (``/tmp``; Next.js adds ``/app/.next/cache``, nginx ``/var/cache/nginx`` and ``/var/run``)."""
    autoscaling: Autoscaling | None = None
    """A HorizontalPodAutoscaler instead of fixed ``replicas``. Default: none."""
    pod_disruption_budget: bool | None = None
    """Render a PodDisruptionBudget (``maxUnavailable: 1``, so it never blocks a node drain).
    Default: when there is more than one replica or an autoscaler."""
    termination_grace_period_seconds: int = prop(default=30, check=SECONDS)
    """Seconds a pod gets to finish after SIGTERM. Default: 30."""
    labels: Mapping[str, str] = prop(default={}, check=LABELS)
    """Extra labels on every object of the service and on its pods. Default: none."""
    selector_labels: Mapping[str, str] | None = prop(default=None, check=[LABELS, min_length(1)])
    """Labels the Service, Deployment, PodDisruptionBudget and NetworkPolicy select the pods by;
    also on every object. Default: ``app.kubernetes.io/name`` and ``app.kubernetes.io/instance``."""
    instance: str | None = prop(default=None, check=LABEL_VALUE)
    """``app.kubernetes.io/instance``: the release. Default: the chart's construct ID."""
    part_of: str | None = prop(default=None, check=LABEL_VALUE)
    """``app.kubernetes.io/part-of``: the application. Default: the instance."""
    version: str | None = prop(default=None, check=LABEL_VALUE)
    """``app.kubernetes.io/version``. Default: the image's tag (none for an image by digest only)."""
    component: str | None = prop(default=None, check=LABEL_VALUE)
    """``app.kubernetes.io/component``. Default: the construct ID."""
    audit_skips: Mapping[str, str] = prop(default={}, keys=AUDIT_CHECK, each=REASON)
    """Policy-scanner checks (checkov IDs) this service fails on purpose, each with its reason
    (10+ characters), rendered as ``checkov.io/skipN`` annotations on the objects each check is
    about. Required for every check a relaxed ``security`` fails. Default: none."""
    network_policy: bool = True
    """Render the service's NetworkPolicy: only the peers allowed with ``allow_from`` and
    ``connect`` (and anyone, with ``allow_external``) reach the container port. Default: true."""
    allow_external: bool | None = None
    """Accept connections from anywhere, as a browser-facing service must. Default: true for web
    and for any NodePort or LoadBalancer Service."""
    egress: Egress | None = None
    """Deny egress except DNS, the services this one connects to, and the external ports of
    ``egress``. Default: none (egress open)."""
    reloader: bool = False
    """For clusters that run Stakater Reloader: annotate the Deployment with the Secrets its pods
    read (``secret.reloader.stakater.com/reload``), so that Reloader restarts them when one
    changes. Without it a changed Secret value reaches the pods at their next restart (the values
    app prints the ``kubectl rollout restart`` for them). Default: false."""

    @property
    def wants_disruption_budget(self) -> bool:
        if self.pod_disruption_budget is not None:
            return self.pod_disruption_budget
        return self.autoscaling is not None or (self.replicas or 1) > 1

    def cross_checks(self) -> Iterator[Problem]:
        if self.autoscaling is not None and self.replicas is not None:
            yield Problem(("replicas",), "set either replicas or autoscaling, not both: the autoscaler owns the replica count")
        below = restricted_exceptions(self.security)
        for check_id, (field, what) in relaxations(self.security).items():
            if check_id not in self.audit_skips:
                weaker = "below the Pod Security Standard 'restricted'" if check_id in below else "weaker than the default"
                yield Problem(
                    ("security", field),
                    f"{what}, {weaker}; give the reason in auditSkips.{check_id} (or keep the default)",
                )


class WorkloadOptions(TypedDict, total=False):
    """The keyword arguments every service construct takes besides ``image`` (each documented,
    with its default, on :class:`WorkloadProps`)."""

    image_pull_policy: PullPolicy
    name: str | None
    port: int | None
    replicas: int | None
    command: Sequence[str] | None
    args: Sequence[str] | None
    env: Mapping[str, str]
    service_type: ServiceType | None
    service_port: int | None
    node_port: int | None
    resources: Resources | None
    probes: Probes
    security: Security
    writable_paths: Sequence[str] | None
    autoscaling: Autoscaling | None
    pod_disruption_budget: bool | None
    termination_grace_period_seconds: int
    labels: Mapping[str, str]
    selector_labels: Mapping[str, str] | None
    instance: str | None
    part_of: str | None
    version: str | None
    component: str | None
    audit_skips: Mapping[str, str]
    network_policy: bool
    allow_external: bool | None
    egress: Egress | None
    reloader: bool
