"""The props of the workload constructs, one class per family, each with its defaults and rules:

* :class:`WorkloadProps`: every workload (a pod template, its security, labels and policies):
  :class:`~._scheduled_job.ScheduledJob` and :class:`~._migration_job.MigrationJob` add theirs;
* :class:`DeploymentProps`: a Deployment's (replicas, autoscaling, disruption budget):
  :class:`~._worker_service.WorkerService`;
* :class:`ServiceProps`: a Deployment behind a Service (ports, exposure):
  :class:`~._web_service.WebService`, :class:`~._api_service.ApiService`, :class:`~._mcp_service.McpService`.

``None`` means "the kind's default". The nested props (resources, probes, security, volumes, ...)
are in :mod:`._pod_props`; the field rules in :mod:`._prop_rules`. Each ``*Options`` TypedDict lists
the same keyword arguments for type checkers, generated from the props (``make options``).
"""

from collections.abc import Iterator, Mapping, Sequence
from typing import Any, TypedDict

from . import _rules as rules
from ._affinity import AFFINITY
from ._app_secret import AppSecret
from ._pod_props import (
    Autoscaling,
    Container,
    Egress,
    Probes,
    Resources,
    Security,
    Toleration,
    TopologySpread,
    Volume,
    _missing_reason,
    relaxations,
)
from ._pod_security import pod_annotations_problems
from ._prop_rules import (
    ANNOTATIONS,
    AUDIT_CHECK,
    IMAGE,
    LABEL_VALUE,
    LABELS,
    NODE_PORT,
    NON_EMPTY,
    PORT,
    REASON,
    REPLICAS,
    SECONDS,
    SERVICE_NAME,
    SUBDOMAIN,
    UNRESERVED,
    WRITABLE_PATH,
    PullPolicy,
    ServiceType,
)
from ._props import Problem, Props, Term, Worded, check, defaults, literal, min_length, prop, propsclass
from ._sources import NamedSecret, secret_reference_problems

__all__ = [
    "DeploymentOptions",
    "DeploymentProps",
    "ServiceOptions",
    "ServiceProps",
    "WorkloadOptions",
    "WorkloadProps",
]


def _pod_security_annotations(annotations: Mapping[str, str]) -> list[str]:
    return [
        Worded(
            f"annotation {literal(key)}: {literal(why)}, which breaks the Pod Security Standard 'baseline'; leave it out: "
            "the pods run under the runtime's default profiles (seccomp is relaxed with {0} and its reason)",
            Term.prop("security.seccomp_profile"),
        )
        for key, why in pod_annotations_problems(annotations)
    ]


POD_SECURITY_ANNOTATIONS = check(_pod_security_annotations)
"""No pod annotation that breaks "baseline" (AppArmor, legacy seccomp): the pods' profiles are
the security props', which name each relaxation and its reason."""


@propsclass
class WorkloadProps(Props):
    """Props of every workload construct: one pod template and what goes with it."""

    image: str = prop(check=IMAGE)
    """Container image, ``repository[:tag][@sha256:digest]``; a tag or a digest is required."""
    image_pull_policy: PullPolicy = "IfNotPresent"
    """``Never`` for images loaded into Minikube with ``minikube image load``. Default: IfNotPresent."""
    name: str | None = prop(default=None, check=SERVICE_NAME)
    """Name of every object of the workload, a DNS-1035 label. Default: the construct ID."""
    command: Sequence[str] | None = prop(default=None, check=NON_EMPTY)
    """Overrides the image's entrypoint. Default: the image's."""
    args: Sequence[str] | None = prop(default=None, check=NON_EMPTY)
    """Overrides the image's arguments. Default: the image's."""
    env: Mapping[str, str] = prop(default={}, keys=check(rules.env_var_name))
    """Environment variables with literal values. Default: none (see also ``env_from_config_map``,
    ``env_from_secret``, ``env_from`` and ``connect``)."""
    resources: Resources | None = None
    """Requests and limits. Default: the kind's (``DEFAULT_RESOURCES``)."""
    probes: Probes = defaults(Probes)
    """Default: TCP checks on the container port (none for a workload without a port)."""
    security: Security = defaults(Security)
    """Default: the Pod Security Standard "restricted"; each relaxation needs its reason
    (``Security(reasons=...)``)."""
    writable_paths: Sequence[str] | None = prop(default=None, each=WRITABLE_PATH)
    """Directories that get a writable emptyDir when the root filesystem is read-only.
    Default: the kind's (``/tmp``; a Next.js WebService with ``app_dir`` adds its ``.next/cache`` and
    ``.next/server``, nginx ``/var/cache/nginx`` and ``/var/run``)."""
    volumes: Sequence[Volume] = ()
    """Volumes of the main container: ``Volume.config_map(...)``, ``.secret(...)``, ``.pvc(...)``,
    ``.empty_dir(...)``. Default: none."""
    init_containers: Sequence[Container] = ()
    """Containers that run to completion, in order, before the others start. Default: none."""
    sidecars: Sequence[Container] = ()
    """Containers that run beside the main one. Default: none."""
    node_selector: Mapping[str, str] = prop(default={}, check=LABELS)
    """Node labels the pods must be scheduled on. Default: any node."""
    tolerations: Sequence[Toleration] = ()
    """Taints the pods tolerate. Default: none."""
    affinity: Mapping[str, Any] | None = prop(default=None, check=AFFINITY)
    """A Kubernetes ``Affinity`` (``nodeAffinity``, ``podAffinity``, ``podAntiAffinity``), as
    Kubernetes spells it, checked as the 1.27 API server checks it (:mod:`._affinity`). Default: none."""
    topology_spread: Sequence[TopologySpread] = ()
    """How the pods spread over zones or nodes (each constraint selects the pods by the workload's
    selector). Default: none."""
    priority_class_name: str | None = prop(default=None, check=SUBDOMAIN)
    """The pods' PriorityClass. Default: the cluster's default."""
    image_pull_secrets: Sequence[str | AppSecret | NamedSecret] = prop(default=(), each=check(secret_reference_problems))
    """Secrets with registry credentials (``kubectl create secret docker-registry``): their names, or
    the Secrets (an :class:`~._app_secret.AppSecret`, a ``kp.Secret`` or ``kp.ISecret``). Default: none."""
    annotations: Mapping[str, str] = prop(default={}, check=ANNOTATIONS)
    """Annotations on every object of the workload. Default: none."""
    pod_annotations: Mapping[str, str] = prop(default={}, check=[ANNOTATIONS, POD_SECURITY_ANNOTATIONS])
    """Annotations of the pods (``prometheus.io/scrape``, ...); never one that takes the pods below
    the Pod Security Standard "baseline" (an AppArmor or legacy seccomp profile other than the
    runtime's default or a localhost one). Default: none."""
    pod_labels: Mapping[str, str] = prop(default={}, check=[LABELS, UNRESERVED])
    """Labels of the pods only (the workload's own objects do not carry them). Default: none."""
    automount_service_account_token: bool = False
    """Mount the ServiceAccount's API token into the pods (only a pod that calls the Kubernetes API
    needs it). Default: false."""
    pre_stop: Sequence[str] | None = prop(default=None, check=min_length(1))
    """A command run in the container before it is stopped (``lifecycle.preStop``), e.g. a sleep
    that lets endpoints drain. Default: none."""
    termination_grace_period_seconds: int = prop(default=30, check=SECONDS)
    """Seconds a pod gets to finish after SIGTERM. Default: 30."""
    labels: Mapping[str, str] = prop(default={}, check=[LABELS, UNRESERVED])
    """Extra labels on every object of the workload and on its pods. Default: none."""
    selector_labels: Mapping[str, str] | None = prop(default=None, check=[LABELS, UNRESERVED, NON_EMPTY])
    """Labels the workload's selectors (Service, Deployment, PodDisruptionBudget, NetworkPolicy)
    select the pods by; also on every object. Default: ``app.kubernetes.io/name`` and
    ``app.kubernetes.io/instance``."""
    instance: str | None = prop(default=None, check=LABEL_VALUE)
    """``app.kubernetes.io/instance``: the release. Default: the chart's construct ID."""
    part_of: str | None = prop(default=None, check=LABEL_VALUE)
    """``app.kubernetes.io/part-of``: the application. Default: the instance."""
    version: str | None = prop(default=None, check=LABEL_VALUE)
    """``app.kubernetes.io/version``. Default: the image's tag (none for an image by digest only)."""
    component: str | None = prop(default=None, check=LABEL_VALUE)
    """``app.kubernetes.io/component``. Default: the construct ID."""
    audit_skips: Mapping[str, str] = prop(default={}, keys=AUDIT_CHECK, each=REASON)
    """Policy-scanner checks (checkov IDs) the workload fails on purpose, each with its reason,
    rendered as ``checkov.io/skipN`` annotations on the objects each check is about. (A
    relaxation's reason in ``Security.reasons`` is annotated on its own.) Default: none."""
    network_policy: bool = True
    """Render the workload's NetworkPolicy: only the peers allowed with ``allow_from`` and
    ``connect`` reach it. Default: true."""
    egress: Egress | None = None
    """Deny egress except DNS, what this workload connects to, and the external ports of
    ``egress``. Default: none (egress open)."""
    reloader: bool = False
    """For clusters that run Stakater Reloader: annotate the workload with the Secrets its pods
    read (``secret.reloader.stakater.com/reload``), so that Reloader restarts them when one
    changes. Without it a changed Secret value reaches the pods at their next restart. Default: false."""

    def cross_checks(self) -> Iterator[Problem]:
        for relaxation in relaxations(self.security):
            if relaxation.name not in self.security.reasons:
                yield _missing_reason(relaxation, ("security",))
        names = [container.name for container in (*self.init_containers, *self.sidecars)]
        for index, name in enumerate(names):
            if name in names[:index]:
                yield Problem(("sidecars",), f"two extra containers are named {name}", "container-name-taken", name)
        spreads = [(spread.topology_key, spread.when_unsatisfiable) for spread in self.topology_spread]
        for index, spread in enumerate(spreads):
            if spread in spreads[:index]:  # validateTopologySpreadConstraints: a duplicate
                yield Problem(
                    ("topology_spread", index), f"a second constraint on {spread[0]} with {spread[1]}; merge them", "spread-twice"
                )
        paths = [volume.mount_path for volume in self.volumes]
        for index, path in enumerate(paths):
            if path in paths[:index]:
                yield Problem(("volumes", index), f"two volumes are mounted at {path}", "mounted-twice", path)


@propsclass
class DeploymentProps(WorkloadProps):
    """Props of a workload that runs as a Deployment."""

    replicas: int | None = prop(default=None, check=REPLICAS)
    """Pod replicas. Default: 1 (none with ``autoscaling``, which owns the count)."""
    autoscaling: Autoscaling | None = None
    """A HorizontalPodAutoscaler instead of fixed ``replicas``. Default: none."""
    pod_disruption_budget: bool | None = None
    """Render a PodDisruptionBudget (``maxUnavailable: 1``, so it never blocks a node drain).
    Default: when there is more than one replica or an autoscaler."""

    @property
    def wants_disruption_budget(self) -> bool:
        if self.pod_disruption_budget is not None:
            return self.pod_disruption_budget
        return self.autoscaling is not None or (self.replicas or 1) > 1

    def cross_checks(self) -> Iterator[Problem]:
        yield from super().cross_checks()
        if self.autoscaling is not None and self.replicas is not None:
            yield Problem(
                ("replicas",),
                "set either replicas or autoscaling, not both: the autoscaler owns the replica count",
                "replicas-and-autoscaling",
            )


@propsclass
class ServiceProps(DeploymentProps):
    """Props of a Deployment behind a Service."""

    port: int | None = prop(default=None, check=PORT)
    """Port the container listens on. Default: the kind's (web 3000 or 80 for nginx, api 8000, mcp 8001)."""
    service_type: ServiceType | None = None
    """Type of the Service. Default: the kind's (NodePort for web, ClusterIP for api and mcp)."""
    service_port: int | None = prop(default=None, check=PORT)
    """Port the Service listens on. Default: the container port."""
    node_port: int | None = prop(default=None, check=NODE_PORT)
    """Fixed node port (30000-32767) of a NodePort or LoadBalancer Service. Default: cluster-assigned."""
    allow_external: bool | None = None
    """Accept connections from anywhere, as a browser-facing service must. Default: true for a web
    service that no Ingress routes to, and for any NodePort or LoadBalancer Service."""


# --- generated by `make options` (scripts/props_options.py) from the props above: do not edit ---


class WorkloadOptions(TypedDict, total=False):
    """The keyword arguments of :class:`WorkloadProps` but ``image`` (each documented there)."""

    image_pull_policy: PullPolicy
    name: str | None
    command: Sequence[str] | None
    args: Sequence[str] | None
    env: Mapping[str, str]
    resources: Resources | None
    probes: Probes
    security: Security
    writable_paths: Sequence[str] | None
    volumes: Sequence[Volume]
    init_containers: Sequence[Container]
    sidecars: Sequence[Container]
    node_selector: Mapping[str, str]
    tolerations: Sequence[Toleration]
    affinity: Mapping[str, Any] | None
    topology_spread: Sequence[TopologySpread]
    priority_class_name: str | None
    image_pull_secrets: Sequence[str | AppSecret | NamedSecret]
    annotations: Mapping[str, str]
    pod_annotations: Mapping[str, str]
    pod_labels: Mapping[str, str]
    automount_service_account_token: bool
    pre_stop: Sequence[str] | None
    termination_grace_period_seconds: int
    labels: Mapping[str, str]
    selector_labels: Mapping[str, str] | None
    instance: str | None
    part_of: str | None
    version: str | None
    component: str | None
    audit_skips: Mapping[str, str]
    network_policy: bool
    egress: Egress | None
    reloader: bool


class DeploymentOptions(WorkloadOptions, total=False):
    """The keyword arguments of :class:`DeploymentProps` (each documented there)."""

    replicas: int | None
    autoscaling: Autoscaling | None
    pod_disruption_budget: bool | None


class ServiceOptions(DeploymentOptions, total=False):
    """The keyword arguments of :class:`ServiceProps` (each documented there)."""

    port: int | None
    service_type: ServiceType | None
    service_port: int | None
    node_port: int | None
    allow_external: bool | None


# --- end of the generated options ---
