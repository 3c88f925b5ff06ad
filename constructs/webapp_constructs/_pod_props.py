"""The props of a pod and its containers: resources, probes, security, extra containers, volumes,
scheduling, autoscaling and egress. Each is a small frozen dataclass that checks itself when it
is created and raises :class:`~._props.PropsError` with every problem, as the constructs do.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from typing import Any, Literal, NamedTuple

from . import _rules as rules
from ._prop_rules import (
    CAPABILITY,
    CIDR,
    CPU,
    FAILURES,
    HTTP_PATH,
    IMAGE,
    LABELS,
    MEMORY,
    NAME,
    NON_EMPTY,
    PERCENT,
    PORT,
    POSITIVE_SECONDS,
    REASON,
    SCALE,
    SECONDS,
    USER_ID,
    WRITABLE_PATH,
    PullPolicy,
)
from ._props import Problem, Props, PropsError, Term, Wording, check, defaults, literal, min_length, prop, propsclass, unchecked
from ._quantity import QuantityError, parse_quantity
from ._sources import ClaimSource, ConfigMapSource, SecretSource, Source, key_list, missing_keys, source_of

__all__ = [
    "RELAXATION_CHECKS",
    "RESTRICTED_CAPABILITIES",
    "Autoscaling",
    "Capabilities",
    "Container",
    "Destination",
    "DnsPeer",
    "Egress",
    "Probe",
    "Probes",
    "Relaxation",
    "ResourceAmounts",
    "Resources",
    "Security",
    "Toleration",
    "TopologySpread",
    "Volume",
    "relaxations",
    "restricted_exceptions",
]


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

    requests: ResourceAmounts = defaults(ResourceAmounts)
    """Default: none."""
    limits: ResourceAmounts = defaults(ResourceAmounts)
    """Default: none."""

    def cross_checks(self) -> Iterator[Problem]:
        for resource in ("cpu", "memory"):
            request, limit = getattr(self.requests, resource), getattr(self.limits, resource)
            try:
                exceeds = request is not None and limit is not None and parse_quantity(request) > parse_quantity(limit)
            except QuantityError:
                continue
            if exceeds:
                yield Problem(
                    ("requests", resource), f"{request} exceeds limits.{resource} {limit}", "request-above-limit", request
                )


@propsclass
class Probe(Props):
    """A probe of the container: an HTTP GET on ``path``, a command (``exec_command``), a gRPC
    health check (``grpc_port``), or else a TCP connect to the container port (or ``port``)."""

    path: str | None = prop(default=None, check=HTTP_PATH)
    """HTTP path such as ``/health``. Default: none."""
    exec_command: Sequence[str] | None = prop(default=None, check=NON_EMPTY)
    """A command run in the container; exit status 0 is healthy. Default: none."""
    grpc_port: int | None = prop(default=None, check=PORT)
    """Port of a gRPC health service (grpc.health.v1). Default: none."""
    port: int | None = prop(default=None, check=PORT)
    """Port of the HTTP GET or TCP check. Default: the container port."""
    initial_delay_seconds: int | None = prop(default=None, check=SECONDS)
    """Seconds before the first check. Default: Kubernetes' 0."""
    period_seconds: int | None = prop(default=None, check=POSITIVE_SECONDS)
    """Seconds between checks. Default: Kubernetes' 10."""
    timeout_seconds: int | None = prop(default=None, check=POSITIVE_SECONDS)
    """Seconds before a check times out. Default: Kubernetes' 1."""
    failure_threshold: int | None = prop(default=None, check=FAILURES)
    """Failures in a row before acting. Default: Kubernetes' 3."""

    def cross_checks(self) -> Iterator[Problem]:
        given = [name for name in ("path", "exec_command", "grpc_port") if getattr(self, name) is not None]
        if len(given) > 1:
            ways = (Term.prop("path"), Term.prop("exec_command"), Term.prop("grpc_port"))
            named = ", ".join(f"{{{3 + index}}}" for index in range(len(given)))
            yield Problem.worded(
                (given[1],),
                f"a probe checks one way: give one of {{0}}, {{1}} and {{2}}, not [{named}]",
                *ways,
                *(Term.prop(name) for name in given),
                code="probe-ways",
            )
        if self.port is not None and (self.exec_command is not None or self.grpc_port is not None):
            yield Problem.worded(
                ("port",),
                "{0} is for an HTTP or TCP check; a command needs none, a gRPC check has {1}",
                Term.prop("port"),
                Term.prop("grpc_port"),
                code="probe-port",
                value=self.port,
            )

    def action(self, container_port: int | None) -> dict[str, Any] | None:
        """The probe's action as Kubernetes spells it (None: a TCP check with no port to check)."""
        if self.exec_command is not None:
            return {"exec": {"command": list(self.exec_command)}}
        if self.grpc_port is not None:
            return {"grpc": {"port": self.grpc_port}}
        port = self.port if self.port is not None else container_port
        if port is None:
            return None
        return {"httpGet": {"path": self.path, "port": port}} if self.path is not None else {"tcpSocket": {"port": port}}


@propsclass
class Probes(Props):
    """Liveness and readiness probes (every container with a port gets both), and an optional
    startup probe that holds the other two back until a slow start is over."""

    liveness: Probe = defaults(Probe)
    """Default: TCP check on the container port."""
    readiness: Probe = defaults(Probe)
    """Default: TCP check on the container port."""
    startup: Probe | None = None
    """Default: none."""


@propsclass
class Capabilities(Props):
    """Linux capabilities of the container."""

    add: Sequence[str] = prop(default=(), each=CAPABILITY)
    """Capabilities to add back, e.g. ``NET_BIND_SERVICE``. Default: none."""
    drop: Sequence[str] = prop(default=("ALL",), each=CAPABILITY)
    """Capabilities to drop. Default: ``[ALL]``."""


RESTRICTED_CAPABILITIES = frozenset({"NET_BIND_SERVICE"})
"""The only capability the Pod Security Standard "restricted" lets a container add."""


class Relaxation(NamedTuple):
    """One way a :class:`Security` is weaker than the default."""

    name: str
    """What ``Security.reasons`` names it by: the field, or ``capabilities.add`` / ``capabilities.drop``."""

    field: str
    """The field to blame."""

    what: str
    """What it does, in one clause."""

    below_restricted: bool
    """Whether it falls below the Pod Security Standard "restricted" (a writable root filesystem does not)."""

    check: str
    """The policy-scanner check it fails (checkov), annotated with the reason."""

    wording: Wording
    """``what`` with the props it names apart (:class:`~._props.Wording`)."""


@propsclass
class Security(Props):
    """Who the process runs as and what it may do. The defaults meet the Pod Security Standard
    "restricted"; relax one field at a time where an image needs it, and say why in ``reasons``:
    every relaxation needs its reason (10 or more visible characters; blanks, zero-width and
    control characters do not count), keyed by its name
    (:func:`relaxations`: the field's name, or ``capabilities.add`` and ``capabilities.drop``)."""

    run_as_user: int | None = prop(default=None, check=USER_ID)
    """UID of the process. Default: 10001 when ``run_as_non_root`` (an extra container: the pod's),
    so that a pod starts whatever ``USER`` its image names (a name cannot be verified non-root);
    the image's user when ``run_as_non_root`` is false."""
    run_as_group: int | None = prop(default=None, check=USER_ID)
    """GID of the process. Default: the UID's number (10001), the image's group for root."""
    fs_group: int | None = prop(default=None, check=USER_ID)
    """Group that owns mounted volumes. Default: the GID when the pod mounts a Secret (its files are
    mode 0400) or a volume claim, else none."""
    run_as_non_root: bool = True
    """Refuse to start a container whose user is root. Default: true."""
    read_only_root_filesystem: bool = True
    """Mount the image read-only; ``writable_paths`` get emptyDir volumes. Default: true."""
    allow_privilege_escalation: bool = False
    """Let a process gain more privileges than its parent (setuid binaries). Default: false."""
    capabilities: Capabilities = defaults(Capabilities)
    """Default: drop ALL, add none."""
    seccomp_profile: Literal["RuntimeDefault", "Unconfined"] = "RuntimeDefault"
    """Seccomp profile of the pod. Default: RuntimeDefault."""
    reasons: Mapping[str, str] = prop(default={}, each=REASON)
    """Why each relaxation is needed, by its name, e.g. ``{"run_as_non_root": "nginx starts as
    root to switch user"}``. Default: none."""

    def cross_checks(self) -> Iterator[Problem]:
        if self.run_as_non_root and self.run_as_user == 0:
            yield Problem.worded(
                ("run_as_user",),
                "0 is root, but {0} is {1} (set {2} to run as root)",
                Term.prop("run_as_non_root"),
                Term.shown(True),
                Term.setting("run_as_non_root", False),
                code="root-but-non-root",
                value=0,
            )
        names = {relaxation.name for relaxation in _relaxations(self)}
        for name in self.reasons:
            if name not in names:
                known = ", ".join(sorted(names)) or "none: every field is at its default"
                yield Problem(
                    ("reasons", name),
                    f"{name!r} is not relaxed here, so it needs no reason (relaxed: {known})",
                    "reason-not-needed",
                    name,
                )


def _relaxation(name: str, field: str, what: Wording, below_restricted: bool) -> Relaxation:
    return Relaxation(name, field, what.spell(), below_restricted, RELAXATION_CHECKS[name], what)


RELAXATION_CHECKS = {
    "run_as_non_root": "CKV_K8S_23",
    "run_as_user": "CKV_K8S_23",
    "capabilities.add": "CKV_K8S_25",
    "capabilities.drop": "CKV_K8S_37",
    "allow_privilege_escalation": "CKV_K8S_20",
    "seccomp_profile": "CKV_K8S_31",
    "read_only_root_filesystem": "CKV_K8S_22",
}
"""The policy-scanner check (checkov) each relaxation fails, by the relaxation's name."""


def _relaxations(security: Security) -> list[Relaxation]:
    found = []
    if not security.run_as_non_root:
        what = Wording("{0} lets the container run as root", (Term.setting("run_as_non_root", False),))
        found.append(_relaxation("run_as_non_root", "run_as_non_root", what, True))
    if security.run_as_user == 0:
        what = Wording("{0} runs the container as root", (Term.setting("run_as_user", 0),))
        found.append(_relaxation("run_as_user", "run_as_user", what, True))
    extra = sorted(set(security.capabilities.add) - RESTRICTED_CAPABILITIES)
    if extra:
        what = Wording(f"{{0}} {literal(str(extra))} goes beyond NET_BIND_SERVICE", (Term.prop("capabilities.add"),))
        found.append(_relaxation("capabilities.add", "capabilities", what, True))
    if "ALL" not in security.capabilities.drop:
        what = Wording("{0} without ALL keeps the runtime's default capabilities", (Term.prop("capabilities.drop"),))
        found.append(_relaxation("capabilities.drop", "capabilities", what, True))
    if security.allow_privilege_escalation:
        what = Wording("{0} lets setuid binaries gain root", (Term.setting("allow_privilege_escalation", True),))
        found.append(_relaxation("allow_privilege_escalation", "allow_privilege_escalation", what, True))
    if security.seccomp_profile != "RuntimeDefault":
        profile = literal(security.seccomp_profile)
        what = Wording(f"{{0}} {profile} turns syscall filtering off", (Term.prop("seccomp_profile"),))
        found.append(_relaxation("seccomp_profile", "seccomp_profile", what, True))
    if not security.read_only_root_filesystem:
        what = Wording("{0} lets the process change the image's own files", (Term.setting("read_only_root_filesystem", False),))
        found.append(_relaxation("read_only_root_filesystem", "read_only_root_filesystem", what, False))
    return found


def relaxations(security: Security) -> list[Relaxation]:
    """Every way ``security`` is weaker than the default, each of which needs its reason."""
    if not isinstance(security, Security):
        hint = ": write Security(...)" if isinstance(security, Mapping) else ""
        raise TypeError(f"relaxations() takes a Security, not {type(security).__name__}{hint}")
    return _relaxations(security)


def restricted_exceptions(security: Security) -> list[Relaxation]:
    """The relaxations of ``security`` that fall below the Pod Security Standard "restricted"."""
    return [relaxation for relaxation in _relaxations(security) if relaxation.below_restricted]


_ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def _env_names(env: Mapping[str, str]) -> list[Problem]:
    return [
        Problem((name,), f"{name!r} is not an environment variable name (letters, digits, '_')", "rule", name)
        for name in env
        if not _ENV_NAME.fullmatch(name)
    ]


@propsclass
class Container(Props):
    """An extra container of the pod: an init container (runs to completion before the others
    start) or a sidecar (runs beside the main one). Hardened as the main container is: the same
    security context, a read-only root filesystem with writable emptyDirs at ``writable_paths``."""

    name: str = prop(check=NAME)
    """The container's name in the pod."""
    image: str = prop(check=IMAGE)
    """Container image, ``repository[:tag][@sha256:digest]``."""
    command: Sequence[str] | None = prop(default=None, check=NON_EMPTY)
    """Overrides the image's entrypoint. Default: the image's."""
    args: Sequence[str] | None = prop(default=None, check=NON_EMPTY)
    """Overrides the image's arguments. Default: the image's."""
    env: Mapping[str, str] = prop(default={}, check=check(_env_names))
    """Environment variables with literal values. Default: none."""
    port: int | None = prop(default=None, check=PORT)
    """A port it listens on (a sidecar; probed like the main container). Default: none."""
    image_pull_policy: PullPolicy = "IfNotPresent"
    """Default: IfNotPresent."""
    resources: Resources = unchecked(
        Resources,
        requests=unchecked(ResourceAmounts, cpu="10m", memory="32Mi"),
        limits=unchecked(ResourceAmounts, cpu="100m", memory="128Mi"),
    )
    """Default: 10m/100m CPU and 32Mi/128Mi memory."""
    security: Security = defaults(Security)
    """Default: the Pod Security Standard "restricted"."""
    writable_paths: Sequence[str] = prop(default=("/tmp",), each=WRITABLE_PATH)
    """Directories that get a writable emptyDir. Default: ``/tmp``."""
    volumes: Sequence[Volume] = ()
    """Volumes mounted in this container only (``Volume.config_map(...)`` and the rest). Default: none."""

    def cross_checks(self) -> Iterator[Problem]:
        for relaxation in relaxations(self.security):
            if relaxation.name not in self.security.reasons:
                yield _missing_reason(relaxation, ("security",))


def _missing_reason(relaxation: Relaxation, where: tuple[str, ...]) -> Problem:
    weaker = "below the Pod Security Standard 'restricted'" if relaxation.below_restricted else "weaker than the default"
    terms = relaxation.wording.terms
    return Problem.worded(
        (*where, relaxation.field),
        f"{relaxation.wording.template}, {weaker}; {{{len(terms)}}}",
        *terms,
        Term.reason(relaxation.name),
        code="relaxation-without-reason",
    )


VolumeKind = Literal["configMap", "secret", "persistentVolumeClaim", "emptyDir"]


@propsclass
class Volume(Props):
    """A volume mounted into a container at ``mount_path``: make one with :meth:`config_map`,
    :meth:`secret`, :meth:`pvc` or :meth:`empty_dir`."""

    kind: VolumeKind
    """``configMap``, ``secret``, ``persistentVolumeClaim`` or ``emptyDir``."""
    mount_path: str = prop(check=WRITABLE_PATH)
    """Where it is mounted; never over the image's own directories (``/etc``, ``/usr``, ...)."""
    source: str | None = prop(
        default=None,
        check=check(
            lambda name: [] if re.fullmatch(r"[a-z0-9]([-a-z0-9.]*[a-z0-9])?", name) else [f"{name!r} is not an object name"]
        ),
    )
    """The name of the ConfigMap, Secret or PersistentVolumeClaim. Default: none (an emptyDir)."""
    keys: Sequence[str] | None = prop(default=None, check=NON_EMPTY, each=check(rules.config_map_key))
    """Only these keys of a ConfigMap or Secret, each a file named like the key (so a key is a
    ConfigMap key: no ``/``, not ``..``; the API server refuses an item path that climbs out of
    the volume). Default: every key."""
    read_only: bool = True
    """Default: true (a PersistentVolumeClaim: false)."""
    size_limit: str | None = prop(default=None, check=MEMORY)
    """An emptyDir's size limit, e.g. ``1Gi``. Default: none."""
    medium: Literal["Memory"] | None = None
    """``Memory`` for an emptyDir in RAM (tmpfs). Default: the node's disk."""
    volume_name: str | None = prop(default=None, check=NAME)
    """The volume's name in the pod. Default: from its kind and mount path (``config-etc-shop``)."""

    @staticmethod
    def config_map(source: ConfigMapSource, mount_path: str, *, keys: Sequence[str] | None = None) -> Volume:
        """The keys of a ConfigMap (``AppConfig``, ``kp.ConfigMap`` or a name) as files in
        ``mount_path``; a Secret is refused (mount it with :meth:`secret`), and so is a key the
        ConfigMap is known not to have."""
        way_out = {"Secret": "mount a Secret with Volume.secret(...)"}
        found = source_of(source, "ConfigMap", owner="Volume", argument="source", way_out=way_out)
        return _with_keys(Volume(kind="configMap", mount_path=mount_path, source=found.name, keys=_keys(keys)), found)

    @staticmethod
    def secret(source: SecretSource, mount_path: str, *, keys: Sequence[str] | None = None) -> Volume:
        """The keys of a Secret (``AppSecret``, ``kp.Secret``, ``kp.ISecret`` or a name) as files in
        ``mount_path`` (mode 0400); a ConfigMap is refused (mount it with :meth:`config_map`), and
        so is a key the Secret is known not to have."""
        way_out = {"ConfigMap": "mount a ConfigMap with Volume.config_map(...)"}
        found = source_of(source, "Secret", owner="Volume", argument="source", way_out=way_out)
        return _with_keys(Volume(kind="secret", mount_path=mount_path, source=found.name, keys=_keys(keys)), found)

    @staticmethod
    def pvc(claim: ClaimSource, mount_path: str, *, read_only: bool = False) -> Volume:
        """A PersistentVolumeClaim (``kp.PersistentVolumeClaim`` or its name) at ``mount_path``."""
        way_out = {
            "Secret": "mount a Secret with Volume.secret(...)",
            "ConfigMap": "mount a ConfigMap with Volume.config_map(...)",
        }
        found = source_of(claim, "PersistentVolumeClaim", owner="Volume", argument="claim", way_out=way_out)
        return Volume(kind="persistentVolumeClaim", mount_path=mount_path, source=found.name, read_only=read_only)

    @staticmethod
    def empty_dir(mount_path: str, *, size_limit: str | None = None, memory: bool = False) -> Volume:
        """An empty, writable directory the pod's containers share, at ``mount_path``."""
        return Volume(
            kind="emptyDir", mount_path=mount_path, size_limit=size_limit, medium="Memory" if memory else None, read_only=False
        )

    @property
    def name(self) -> str:
        """The volume's name in the pod: ``volume_name``, or from its kind and mount path."""
        if self.volume_name is not None:
            return self.volume_name
        slug = re.sub(r"[^a-z0-9]+", "-", self.mount_path.lower()).strip("-") or "root"
        prefix = {"configMap": "config", "secret": "secret", "persistentVolumeClaim": "data", "emptyDir": ""}[self.kind]
        return (f"{prefix}-{slug}" if prefix else slug)[:63].rstrip("-")

    def cross_checks(self) -> Iterator[Problem]:
        needs_source = self.kind != "emptyDir"
        if needs_source and self.source is None:
            yield Problem(("source",), f"a {self.kind} volume needs its source", "volume-kind-fields")
        if not needs_source and self.source is not None:
            yield Problem(("source",), "an emptyDir has no source", "volume-kind-fields", self.source)
        if self.keys is not None and self.kind not in ("configMap", "secret"):
            yield Problem(("keys",), "only a ConfigMap or Secret volume has keys", "volume-kind-fields", self.keys)
        if (self.size_limit is not None or self.medium is not None) and self.kind != "emptyDir":
            yield Problem(("size_limit",), "only an emptyDir has a size limit or a medium", "volume-kind-fields")

    def pod_volume(self) -> dict[str, Any]:
        """The volume as the pod spec lists it."""
        items = [{"key": key, "path": key} for key in self.keys] if self.keys is not None else None
        if self.kind == "configMap":
            body: dict[str, Any] = {"name": self.source}
            if items:
                body["items"] = items
            return {"name": self.name, "configMap": body}
        if self.kind == "secret":
            body = {"secretName": self.source, "defaultMode": 0o400}
            if items:
                body["items"] = items
            return {"name": self.name, "secret": body}
        if self.kind == "persistentVolumeClaim":
            return {"name": self.name, "persistentVolumeClaim": {"claimName": self.source, "readOnly": self.read_only}}
        empty: dict[str, Any] = {}
        if self.medium is not None:
            empty["medium"] = self.medium
        if self.size_limit is not None:
            empty["sizeLimit"] = self.size_limit
        return {"name": self.name, "emptyDir": empty}

    def mount(self) -> dict[str, Any]:
        mount: dict[str, Any] = {"name": self.name, "mountPath": self.mount_path}
        if self.read_only:
            mount["readOnly"] = True
        return mount


def _keys(keys: Sequence[str] | None) -> Sequence[str] | None:
    return key_list(keys, owner="Volume", argument="keys")


def _with_keys(volume: Volume, source: Source) -> Volume:
    """``volume``, unless a key of it is one its source is known not to have."""
    absent = missing_keys(source, volume.keys or (), ("keys",))
    if absent:
        raise PropsError("Volume", absent)
    return volume


@propsclass
class Toleration(Props):
    """A taint the pods tolerate (``kubectl taint``): they may be scheduled on such nodes."""

    key: str | None = prop(default=None, check=check(rules.qualified_name))
    """The taint's key. Default: none, which with ``operator="Exists"`` tolerates every taint."""
    operator: Literal["Equal", "Exists"] = "Equal"
    """``Equal``: the taint's value is ``value``; ``Exists``: any value. Default: Equal."""
    value: str | None = prop(default=None, check=check(rules.label_value))
    """Default: none."""
    effect: Literal["NoSchedule", "PreferNoSchedule", "NoExecute"] | None = None
    """Default: every effect."""
    toleration_seconds: int | None = prop(default=None, check=SECONDS)
    """With NoExecute: how long the pods stay after the taint appears. Default: forever."""

    def cross_checks(self) -> Iterator[Problem]:
        if self.operator == "Exists" and self.value is not None:
            yield Problem(("value",), "an Exists toleration has no value", "toleration-operator", self.value)
        if self.operator == "Equal" and self.key is None:
            yield Problem(("key",), "an Equal toleration needs its key", "toleration-operator")
        if self.toleration_seconds is not None and self.effect != "NoExecute":
            effect = self.effect or "every effect"
            yield Problem.worded(
                ("toleration_seconds",),
                f"{self.toleration_seconds} is for a NoExecute toleration, not {literal(effect)}; set {{0}}",
                Term.setting("effect", "NoExecute"),
                code="toleration-seconds-without-no-execute",
                value=self.toleration_seconds,
            )

    def spec(self) -> dict[str, Any]:
        spec: dict[str, Any] = {"operator": self.operator}
        for name, key in (("key", "key"), ("value", "value"), ("effect", "effect"), ("toleration_seconds", "tolerationSeconds")):
            if getattr(self, name) is not None:
                spec[key] = getattr(self, name)
        return spec


@propsclass
class TopologySpread(Props):
    """Spread the pods over a topology (zones, nodes): at most ``max_skew`` more in one domain
    than in another."""

    topology_key: str = prop(default="topology.kubernetes.io/zone", check=check(rules.qualified_name))
    """The node label that names a domain. Default: the zone."""
    max_skew: int = prop(default=1, check=SCALE)
    """Default: 1."""
    when_unsatisfiable: Literal["DoNotSchedule", "ScheduleAnyway"] = "ScheduleAnyway"
    """Default: ScheduleAnyway (a preference, never a blocked rollout)."""


@propsclass
class Autoscaling(Props):
    """A HorizontalPodAutoscaler (autoscaling/v2) instead of fixed replicas: on CPU utilization,
    and on memory or any other metric when given."""

    max_replicas: int = prop(check=SCALE)
    min_replicas: int = prop(default=1, check=SCALE)
    """Default: 1."""
    target_cpu_utilization: int | None = prop(default=80, check=PERCENT)
    """Average CPU utilization to aim for, in percent of the CPU request; None for none. Default: 80."""
    target_memory_utilization: int | None = prop(default=None, check=PERCENT)
    """Average memory utilization to aim for, in percent of the memory request. Default: none."""
    metrics: Sequence[Mapping[str, Any]] = ()
    """More metrics, as autoscaling/v2 ``MetricSpec`` objects (``Pods``, ``Object``, ``External``).
    Default: none."""

    def cross_checks(self) -> Iterator[Problem]:
        if self.min_replicas > self.max_replicas:
            yield Problem.worded(
                ("min_replicas",),
                f"{self.min_replicas} exceeds {{0}} {self.max_replicas}",
                Term.prop("max_replicas"),
                code="min-above-max",
                value=self.min_replicas,
            )
        if self.target_cpu_utilization is None and self.target_memory_utilization is None and not self.metrics:
            yield Problem(("metrics",), "an autoscaler needs a metric: a CPU or memory target, or metrics", "no-metric")
        for index, metric in enumerate(self.metrics):
            if not isinstance(metric, Mapping) or metric.get("type") not in (
                "Resource",
                "Pods",
                "Object",
                "External",
                "ContainerResource",
            ):
                yield Problem(
                    ("metrics", index),
                    "a MetricSpec is a mapping whose type is Resource, Pods, Object, External or ContainerResource",
                    "type",
                    metric,
                )

    def metric_specs(self) -> list[dict[str, Any]]:
        specs = []
        for resource, target in (("cpu", self.target_cpu_utilization), ("memory", self.target_memory_utilization)):
            if target is not None:
                specs.append(
                    {
                        "type": "Resource",
                        "resource": {"name": resource, "target": {"type": "Utilization", "averageUtilization": target}},
                    }
                )
        return specs + [dict(metric) for metric in self.metrics]


@propsclass
class DnsPeer(Props):
    """Where the pods resolve names, which egress rules must let them reach (UDP and TCP 53): the
    cluster's DNS pods, or an address such as NodeLocal DNSCache's ``169.254.20.10/32``."""

    namespace: str | None = prop(default="kube-system", check=NAME)
    """The DNS pods' namespace. Default: kube-system."""
    pod_labels: Mapping[str, str] = prop(default={"k8s-app": "kube-dns"}, check=LABELS)
    """The DNS pods' labels. Default: ``k8s-app: kube-dns`` (CoreDNS and kube-dns alike)."""
    cidr: str | None = prop(default=None, check=CIDR)
    """An address block instead of pods (NodeLocal DNSCache: ``169.254.20.10/32``). Default: none."""

    def peer(self) -> dict[str, Any]:
        if self.cidr is not None:
            return {"ipBlock": {"cidr": self.cidr}}
        peer: dict[str, Any] = {"podSelector": {"matchLabels": dict(self.pod_labels)}}
        if self.namespace is not None:
            peer = {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": self.namespace}}, **peer}
        return peer


@propsclass
class Destination(Props):
    """A destination outside the cluster: the TCP ``ports`` the pods may reach at the addresses
    of ``cidrs`` (each port at each address of this destination, and nowhere else)."""

    cidrs: Sequence[str] = prop(check=min_length(1), each=CIDR)
    """Its address blocks, e.g. ``["10.20.0.5/32"]`` for a database."""
    ports: Sequence[int] = prop(check=min_length(1), each=PORT)
    """Its TCP ports, e.g. ``[5432]``."""


@propsclass
class Egress(Props):
    """Egress rules: deny egress except DNS, the services this one connects to, and the
    destinations outside the cluster: each of ``external``, and ``external_ports`` at
    ``external_cidrs``.

    Each egress rule is a (destinations, ports) pair: ``Egress(external=[Destination(cidrs=[DB],
    ports=[5432]), Destination(cidrs=[SMTP], ports=[587])])`` opens DB:5432 and SMTP:587 and no
    other pair. ``external_ports`` at ``external_cidrs`` is one such pair, so several ports at
    several address blocks (every port at every block) is refused: list them in ``external``."""

    external_ports: Sequence[int] = prop(default=(), each=PORT)
    """TCP ports the pods may reach at ``external_cidrs`` (e.g. 443 for an API, 5432 for a database).
    Default: none."""
    external_cidrs: Sequence[str] = prop(default=("0.0.0.0/0",), each=CIDR)
    """Where ``external_ports`` may be reached. Default: anywhere."""
    external: Sequence[Destination] = ()
    """Destinations outside the cluster, each with its own ports. Default: none."""
    dns: DnsPeer = defaults(DnsPeer)
    """Default: the cluster's DNS pods in kube-system."""

    def cross_checks(self) -> Iterator[Problem]:
        if len(self.external_ports) > 1 and len(self.external_cidrs) > 1:
            yield Problem(
                ("external_cidrs",),
                f"{len(self.external_ports)} external_ports at {len(self.external_cidrs)} external_cidrs would open every "
                "port at every block; list each destination with its own ports in "
                "external=[Destination(cidrs=[...], ports=[...]), ...] (or give one port or one CIDR)",
                "ports-at-every-block",
            )

    def destinations(self) -> list[Destination]:
        """Every destination outside the cluster, with its ports."""
        found = list(self.external)
        if self.external_ports:
            found.insert(0, unchecked(Destination, cidrs=tuple(self.external_cidrs), ports=tuple(self.external_ports)))
        return found
