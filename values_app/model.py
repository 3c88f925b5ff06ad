"""The values model: everything a values file (a preset) may say, typed and documented.

A values file describes one release of the app: its name, version and namespace, the
ConfigMaps and Secrets it declares (with their keys), and its services. Each service is a
``web``, ``api`` or ``mcp`` workload, rendered by the construct of that kind
(:class:`~webapp_constructs.WebService`, :class:`~webapp_constructs.ApiService`,
:class:`~webapp_constructs.McpService`), which holds the kind's defaults and its rules.

Keys are camelCase in YAML (``appVersion``, ``nodePort``), as in Helm values files. The nested
props of a service (``resources``, ``probes``, ``securityContext``, ``autoscaling``) are the
constructs' own (``Resources``, ``Probes``, ``Security``, ``Autoscaling`` of ``webapp_constructs``).
Every model is frozen and rejects unknown keys. Rules between fields of different parts (every
key a service asks for is declared, node ports are unique, ...) live in :mod:`values_app.checks`.
"""

import re
from collections.abc import Iterator, Mapping, Sequence
from typing import Any, Literal

from webapp_constructs import (
    Autoscaling,
    Check,
    Container,
    Probes,
    Problem,
    Props,
    PullPolicy,
    Resources,
    Security,
    ServiceType,
    StoreKind,
    Toleration,
    TopologySpread,
    Volume,
    check,
    defaults,
    evolve,
    max_length,
    min_length,
    pattern,
    prop_rules,
    relaxations,
    rules,
)

from .extra_objects import shape_problems
from .fields import prop, valuesclass

NEXT_APP_DIR = "/app"
"""Where a Next.js frontend's image has its standalone server, unless ``appDir`` says otherwise."""

__all__ = [
    "ApiServiceValues",
    "AppValues",
    "ContainerValues",
    "CronJobValues",
    "DeploymentValues",
    "EgressValues",
    "EnvFromValues",
    "EnvValues",
    "ExternalSecretValues",
    "ImageValues",
    "IngressPathValues",
    "IngressValues",
    "McpServiceValues",
    "MigrationValues",
    "NamespaceValues",
    "NetworkPoliciesValues",
    "NetworkPolicyValues",
    "SecretValues",
    "ServedValues",
    "ServicePortValues",
    "ServiceUnion",
    "ServiceValues",
    "VolumeValues",
    "WebServiceValues",
    "WorkerValues",
    "with_reasons",
]


ENV_KEY = check(rules.env_var_name, pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")
NAMESPACE = check(rules.namespace_name, pattern=r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", maxLength=63)
INGRESS_HOST = check(rules.ingress_host)
INGRESS_PATH = check(rules.http_path)


def _matching(regex: str, message: str) -> Check:
    compiled = re.compile(regex)

    def rule(value: str) -> list[str]:
        return [] if compiled.fullmatch(value) else [message.format(value=value)]

    return check(rule, pattern=f"^(?:{regex})$")


REPOSITORY = _matching(
    r"(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*(?::\d+)?/)?"
    r"[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*",
    "{value!r} is not an image repository (lowercase path such as registry.io/team/app)",
)
TAG = _matching(r"[\w][\w.-]{0,127}", "{value!r} is not an image tag (letters, digits, '_', '.', '-'; at most 128)")
DIGEST = _matching(r"sha256:[a-f0-9]{64}", "{value!r} is not an image digest (sha256: and 64 hex digits)")
VERSION = pattern(r"[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?", "a label value: letters, digits, '-', '_', '.'; at most 63")


def _host_or_ip(text: str) -> list[str]:
    if not rules.ip_address(text) or not rules.dns1123_subdomain(text):
        return []
    return [f"{text!r} is neither an IP address nor a host name"]


HOST_OR_IP = check(_host_or_ip)


def _config_data(data: Mapping[str, str]) -> list[Problem]:
    """The keys of a ConfigMap are environment variable names (its workloads read them as such),
    and its values total at most 1 MiB."""
    found = [Problem((key,), message) for key in data for message in rules.env_var_name(key)]
    found += [Problem((), message) for message in rules.config_map_size(data)]
    return found


CONFIG_DATA = check(_config_data)


@valuesclass
class ImageValues(Props):
    """The container image. Give a ``tag``, a ``digest`` or both."""

    repository: str = prop(check=REPOSITORY)
    """Image repository, e.g. ``todo-backend`` or ``ghcr.io/acme/todo-backend``."""
    tag: str | None = prop(default=None, check=TAG)
    """Image tag, e.g. ``1.0.0``. Default: none (then ``digest`` is required)."""
    digest: str | None = prop(default=None, check=DIGEST)
    """Image digest ``sha256:<64 hex>``; pins the image exactly. Default: none."""
    pull_policy: PullPolicy = prop(default="IfNotPresent", to="image_pull_policy")
    """``Never`` for images loaded into Minikube with ``minikube image load``. Default: IfNotPresent."""

    def cross_checks(self) -> Iterator[Problem]:
        if self.tag is None and self.digest is None:
            yield Problem(("tag",), "give a tag or a digest: an image without one silently means 'latest'")

    @property
    def reference(self) -> str:
        """The full image reference: ``repository[:tag][@digest]``."""
        ref = self.repository
        if self.tag is not None:
            ref += f":{self.tag}"
        if self.digest is not None:
            ref += f"@{self.digest}"
        return ref

    def extra_props(self) -> dict[str, object]:
        return {"image": self.reference}


@valuesclass
class ServicePortValues(Props):
    """The Kubernetes Service in front of a workload."""

    type: ServiceType | None = prop(default=None, to="service_type")
    """Service type. Default: NodePort for ``web``, ClusterIP for ``api`` and ``mcp``."""
    port: int | None = prop(default=None, check=prop_rules.PORT, to="service_port")
    """Port the Service listens on. Default: the container port."""
    target_port: int | None = prop(default=None, check=prop_rules.PORT)
    """Port on the pod; must be the container port. Default: the container port."""
    node_port: int | None = prop(default=None, check=prop_rules.NODE_PORT, to="node_port")
    """Fixed node port (30000-32767) for NodePort/LoadBalancer. Default: cluster-assigned."""


def _unique(keys: Sequence[str]) -> list[str]:
    seen: set[str] = set()
    twice = [key for key in keys if key in seen or seen.add(key)]  # type: ignore[func-returns-value]
    return [f"{key} is listed twice" for key in dict.fromkeys(twice)]


UNIQUE = check(_unique)


@valuesclass
class EnvValues(Props):
    """Which declared keys a workload receives as environment variables, key by key."""

    config: list[str] = prop(default=[], check=UNIQUE, each=ENV_KEY)
    """Keys of the app's ConfigMaps. Default: none."""
    secrets: list[str] = prop(default=[], check=UNIQUE, each=ENV_KEY)
    """Keys of the app's Secrets. Default: none."""


@valuesclass
class EnvFromValues(Props):
    """Every key of one ConfigMap or Secret as environment variables (``envFrom``)."""

    config_map: str | None = prop(default=None, check=prop_rules.NAME)
    """A ConfigMap's name (one of the app's, or one that exists). Default: none."""
    secret: str | None = prop(default=None, check=prop_rules.NAME)
    """A Secret's name (one of the app's, or one that exists). Default: none."""
    prefix: str | None = prop(default=None, check=ENV_KEY)
    """Put before each variable's name. Default: none."""

    def cross_checks(self) -> Iterator[Problem]:
        if (self.config_map is None) == (self.secret is None):
            yield Problem(("configMap",), "give either configMap or secret")


_VOLUME_SOURCES = (("config_map", "configMap"), ("secret", "secret"), ("pvc", "pvc"), ("empty_dir", "emptyDir"))


@valuesclass
class VolumeValues(Props):
    """A volume mounted into the container at ``mountPath``: give one of ``configMap``, ``secret``,
    ``pvc`` (a claim's name) and ``emptyDir``."""

    mount_path: str = prop(check=prop_rules.WRITABLE_PATH)
    """Where it is mounted; never over the image's own directories (``/etc``, ``/usr``, ...)."""
    config_map: str | None = prop(default=None, check=prop_rules.NAME)
    """A ConfigMap's name: its keys as files. Default: none."""
    secret: str | None = prop(default=None, check=prop_rules.NAME)
    """A Secret's name: its keys as files (mode 0400). Default: none."""
    pvc: str | None = prop(default=None, check=prop_rules.NAME)
    """A PersistentVolumeClaim's name. Default: none."""
    empty_dir: bool = False
    """An empty writable directory. Default: false."""
    keys: list[str] | None = None
    """Only these keys of the ConfigMap or Secret. Default: every key."""
    read_only: bool | None = None
    """Default: true, but for a PersistentVolumeClaim or an emptyDir."""
    size_limit: str | None = prop(default=None, check=prop_rules.MEMORY)
    """An emptyDir's size limit, e.g. ``1Gi``. Default: none."""

    def cross_checks(self) -> Iterator[Problem]:
        given = [alias for name, alias in _VOLUME_SOURCES if getattr(self, name) not in (None, False)]
        if not given:
            yield Problem((), "give its source: one of configMap, secret, pvc or emptyDir: true")
        elif len(given) > 1:
            yield Problem((given[1],), f"give one source only, not both {given[0]} and {given[1]}")
        else:  # what a volume of this source would not take (and the volume would silently drop)
            source = given[0]
            if self.size_limit is not None and source != "emptyDir":
                taken = "only an emptyDir does"
                yield Problem(("size_limit",), f"{self.size_limit}: {_a(source)} volume takes no size limit; {taken}")
            if self.keys is not None and source not in ("configMap", "secret"):
                yield Problem(("keys",), f"{_a(source)} volume has no keys; only a configMap or a secret volume does")
            elif self.keys == []:
                every = "[] would mount every key (an empty list of items is none)"
                yield Problem(("keys",), f"{every}; list the keys, or leave keys out")
            if self.read_only is False and source in ("configMap", "secret"):
                yield Problem(("read_only",), f"false: {_a(source)} volume is always mounted read-only")
            if self.read_only is True and source == "emptyDir":
                yield Problem(("read_only",), "true: an emptyDir is always writable (a read-only one would stay empty)")

    def volume(self) -> Volume:
        if self.config_map is not None:
            return Volume.config_map(self.config_map, self.mount_path, keys=self.keys)
        if self.secret is not None:
            return Volume.secret(self.secret, self.mount_path, keys=self.keys)
        if self.pvc is not None:
            return Volume.pvc(self.pvc, self.mount_path, read_only=bool(self.read_only))
        return Volume.empty_dir(self.mount_path, size_limit=self.size_limit)


def with_reasons(security: Security, audit_skips: Mapping[str, str]) -> Security:
    """``security`` with each relaxation's reason taken from ``audit_skips``, by its check's ID
    (a values file gives reasons there, never in ``securityContext``)."""
    reasons = {r.name: audit_skips[r.check] for r in relaxations(security) if r.check in audit_skips}
    return evolve(security, reasons=reasons) if reasons else security


def _a(word: str) -> str:
    return f"{'an' if word[0] in 'aeiou' else 'a'} {word}"


def _volumes(values: list[VolumeValues]) -> list[Volume]:
    return [value.volume() for value in values]


@valuesclass
class ContainerValues(Props):
    """An extra container: an init container or a sidecar, hardened as the main one."""

    name: str = prop(check=prop_rules.NAME, to="name")
    """Its name in the pod."""
    image: ImageValues = prop(to="image")
    command: list[str] | None = prop(default=None, check=prop_rules.NON_EMPTY, to="command")
    """Overrides the image's entrypoint. Default: the image's."""
    args: list[str] | None = prop(default=None, check=prop_rules.NON_EMPTY, to="args")
    """Overrides the image's arguments. Default: the image's."""
    port: int | None = prop(default=None, check=prop_rules.PORT, to="port")
    """A port it listens on. Default: none."""
    resources: Resources | None = prop(default=None, to="resources")
    """Default: 10m/100m CPU and 32Mi/128Mi memory."""
    security_context: Security = prop(default=Security(), to="security")
    """Default: the Pod Security Standard "restricted". A relaxation's reason is the service's
    ``auditSkips`` entry, as for the main container."""
    writable_paths: list[str] = prop(default=["/tmp"], each=prop_rules.WRITABLE_PATH, to="writable_paths")
    """Directories that get a writable emptyDir. Default: ``/tmp``."""

    def container(self, audit_skips: Mapping[str, str]) -> Container:
        """The construct's container; each relaxation's reason from ``audit_skips`` (by check ID).
        Raises :class:`~webapp_constructs.PropsError` (paths in the Container's props)."""
        security = with_reasons(self.security_context, audit_skips)
        extra: dict[str, Any] = {"resources": self.resources} if self.resources is not None else {}
        return Container(
            name=self.name,
            image=self.image.reference,
            image_pull_policy=self.image.pull_policy,
            command=self.command,
            args=self.args,
            port=self.port,
            security=security,
            writable_paths=self.writable_paths,
            **extra,
        )


@valuesclass
class NetworkPolicyValues(Props):
    """Who may connect to a service (when the app's ``networkPolicies`` are enabled)."""

    allow_from: list[str] | None = prop(default=None, each=prop_rules.NAME)
    """Keys of the services whose pods may connect. Default: per kind (web: none, api: every web
    service, mcp: every api service; a worker, a cronjob or a migration serves nothing)."""
    allow_external: bool | None = prop(default=None, to="allow_external")
    """Accept connections from anywhere, as a browser-facing service must. Default: true for a
    web service no Ingress routes to, and for any service with a NodePort or LoadBalancer Service."""


@valuesclass
class ServiceValues(Props):
    """A workload of the app, rendered by the construct of its ``kind`` (see
    :data:`values_app.kinds.KINDS`): what every kind has."""

    kind: Literal["web", "api", "mcp", "worker", "cronjob", "migration"]
    """``web``, ``api``, ``mcp`` (a Deployment behind a Service), ``worker`` (a Deployment serving
    nothing), ``cronjob``, ``migration`` (a Job that finishes before the services it names roll)."""
    name: str | None = prop(default=None, check=prop_rules.SERVICE_NAME)
    """Name of the workload's objects: a DNS-1035 label (starting with a letter, as a Service name
    must). Default: ``<release>-<service key>``."""
    image: ImageValues = prop(spread=True)
    command: list[str] | None = prop(default=None, check=prop_rules.NON_EMPTY, to="command")
    """Overrides the image's entrypoint; may use ``${...}`` references. Default: the image's."""
    args: list[str] | None = prop(default=None, check=prop_rules.NON_EMPTY, to="args")
    """Overrides the image's arguments; may use ``${...}`` references. Default: the image's."""
    resources: Resources | None = prop(default=None, to="resources")
    """Requests and limits. Default: per kind (see the kind's ``DEFAULT_RESOURCES``)."""
    probes: Probes = prop(default=Probes(), to="probes")
    security_context: Security = prop(default=Security(), to="security")
    """Who the process runs as and what it may do. Default: the Pod Security Standard "restricted";
    a relaxation needs its reason in ``auditSkips``."""
    labels: Mapping[str, str] = prop(default={}, check=prop_rules.LABELS)
    """Extra labels on the service's objects and pods. Default: none."""
    selector_labels: Mapping[str, str] | None = prop(
        default=None, check=[prop_rules.LABELS, prop_rules.UNRESERVED, prop_rules.NON_EMPTY], to="selector_labels"
    )
    """Labels the Service and Deployment select on; also added to every object of the service.
    Default: ``app.kubernetes.io/name`` and ``app.kubernetes.io/instance``."""
    annotations: Mapping[str, str] = prop(default={}, check=prop_rules.ANNOTATIONS, to="annotations")
    """Annotations on every object of the service. Default: none."""
    pod_annotations: Mapping[str, str] = prop(default={}, check=prop_rules.ANNOTATIONS, to="pod_annotations")
    """Annotations of the pods (``prometheus.io/scrape``, ...). Default: none."""
    env: EnvValues = defaults(EnvValues)
    env_from: list[EnvFromValues] = prop(default=[])
    """Whole ConfigMaps or Secrets as environment variables. Default: none."""
    volumes: list[VolumeValues] = prop(default=[], to="volumes", convert=_volumes)
    """Volumes of the main container. Default: none."""
    init_containers: list[ContainerValues] = prop(default=[], to="init_containers", convert=list)
    """Containers that run to completion before the others start. Default: none."""
    sidecars: list[ContainerValues] = prop(default=[], to="sidecars", convert=list)
    """Containers that run beside the main one. Default: none."""
    image_pull_secrets: list[str] = prop(default=[], each=prop_rules.SUBDOMAIN, to="image_pull_secrets")
    """Secrets with registry credentials. Default: none."""
    node_selector: Mapping[str, str] = prop(default={}, check=prop_rules.LABELS, to="node_selector")
    """Node labels the pods must be scheduled on. Default: any node."""
    tolerations: list[Toleration] = prop(default=[], to="tolerations")
    """Taints the pods tolerate. Default: none."""
    affinity: Mapping[str, Any] | None = prop(default=None, to="affinity")
    """A Kubernetes ``Affinity`` (``nodeAffinity``, ``podAffinity``, ``podAntiAffinity``). Default: none."""
    topology_spread: list[TopologySpread] = prop(default=[], to="topology_spread")
    """How the pods spread over zones or nodes. Default: none."""
    priority_class_name: str | None = prop(default=None, check=prop_rules.SUBDOMAIN, to="priority_class_name")
    """The pods' PriorityClass. Default: the cluster's default."""
    writable_paths: list[str] | None = prop(default=None, each=prop_rules.WRITABLE_PATH, to="writable_paths")
    """Directories that get a writable emptyDir when the root filesystem is read-only.
    Default: per kind (``/tmp``; ``/tmp``, ``<appDir>/.next/cache`` and ``<appDir>/.next/server`` for
    Next.js; ``/tmp``, ``/var/cache/nginx`` and ``/var/run`` for nginx)."""
    network_policy: NetworkPolicyValues = prop(default=defaults(NetworkPolicyValues), spread=True)
    termination_grace_period_seconds: int = prop(default=30, check=prop_rules.SECONDS, to="termination_grace_period_seconds")
    """Seconds a pod gets to finish after SIGTERM. Default: 30."""
    audit_skips: Mapping[str, str] = prop(default={}, keys=prop_rules.AUDIT_CHECK, each=prop_rules.REASON)
    """Policy-scanner checks this service deliberately fails, each with its reason: rendered as
    ``checkov.io/skip`` annotations on the service's objects the check is about; a relaxed
    ``securityContext`` field's reason is its check's. Default: none."""

    @property
    def node_port(self) -> int | None:
        """The fixed node port of its Service (none: it has none, or no Service)."""
        return None


@valuesclass
class DeploymentValues(ServiceValues):
    """A workload that runs as a Deployment."""

    replicas: int | None = prop(default=None, check=prop_rules.REPLICAS, to="replicas")
    """Pod replicas. Default: 1 (none with ``autoscaling``, which owns the count)."""
    autoscaling: Autoscaling | None = prop(default=None, to="autoscaling")
    """A HorizontalPodAutoscaler; then ``replicas`` must not be set. Default: none."""
    pod_disruption_budget: bool | None = prop(default=None, to="pod_disruption_budget")
    """Render a PodDisruptionBudget (``maxUnavailable: 1``, so it never blocks a node drain).
    Default: when there is more than one replica or an autoscaler."""


@valuesclass
class ServedValues(DeploymentValues):
    """A Deployment behind a Service."""

    port: int | None = prop(default=None, check=prop_rules.PORT, to="port")
    """Port the container listens on. Default: per kind (web 3000 or 80 for nginx, api 8000, mcp 8001)."""
    service: ServicePortValues = prop(default=defaults(ServicePortValues), spread=True)

    @property
    def node_port(self) -> int | None:
        return self.service.node_port


@valuesclass
class WebServiceValues(ServedValues):
    """A browser-facing frontend: Next.js (port 3000) or static files served by nginx (port 80)."""

    kind: Literal["web"]
    server: Literal["nextjs", "nginx"] = prop(default="nextjs", to="server")
    """What serves the frontend; sets the default port (3000 or 80). Default: nextjs."""
    app_dir: str | None = prop(default=None, check=prop_rules.DIRECTORY, to="app_dir")
    """Where the Next.js standalone server is in the image; its ``.next/cache`` and
    ``.next/server`` are writable by default. Next.js only. Default: ``/app`` (as Next.js's own
    Dockerfile example builds it)."""

    def extra_props(self) -> dict[str, object]:
        if self.server == "nextjs" and self.app_dir is None:
            return {"app_dir": NEXT_APP_DIR}
        return {}


@valuesclass
class ApiServiceValues(ServedValues):
    """The HTTP API backend (FastAPI on 8000)."""

    kind: Literal["api"]


@valuesclass
class McpServiceValues(ServedValues):
    """The internal MCP server (port 8001), ClusterIP only unless ``exposeNodePort`` is set."""

    kind: Literal["mcp"]
    expose_node_port: bool = prop(default=False, to="expose_node_port")
    """Allow a NodePort or LoadBalancer Service, an Ingress path, or ``networkPolicy.allowExternal``
    (connections from every pod of every namespace) for this internal server. Default: false."""


@valuesclass
class WorkerValues(DeploymentValues):
    """A worker: a Deployment without a Service or a port (a queue consumer, a mailer)."""

    kind: Literal["worker"]


@valuesclass
class CronJobValues(ServiceValues):
    """A CronJob: the workload run on a schedule."""

    kind: Literal["cronjob"]
    schedule: str = prop(to="schedule")
    """When it runs: a cron schedule such as ``0 3 * * *``, or ``@daily``."""
    time_zone: str | None = prop(default=None, to="time_zone")
    """The schedule's time zone, e.g. ``Europe/Paris``. Default: the controller's."""
    concurrency_policy: Literal["Allow", "Forbid", "Replace"] = prop(default="Forbid", to="concurrency_policy")
    """What when a run is due while the last still runs. Default: Forbid (skip it)."""
    backoff_limit: int = prop(default=2, to="backoff_limit")
    """Retries of a failed run. Default: 2."""
    active_deadline_seconds: int | None = prop(default=3600, to="active_deadline_seconds")
    """A run that takes longer is stopped. Default: one hour."""


@valuesclass
class MigrationValues(ServiceValues):
    """A migration: a Job that must finish before the services it names roll (a Job's pod
    template cannot change, so its name follows the template: ``<name>-<8 hex digits>``)."""

    kind: Literal["migration"]
    before: list[str] = prop(check=min_length(1), each=prop_rules.NAME)
    """Keys of the services that roll only once it finished."""
    backoff_limit: int = prop(default=2, to="backoff_limit")
    """Retries of a failed run. Default: 2."""
    active_deadline_seconds: int = prop(default=600, to="active_deadline_seconds")
    """A run that takes longer is stopped (and fails). Default: 10 minutes."""
    ttl_seconds_after_finished: int | None = prop(default=None, to="ttl_seconds_after_finished")
    """Delete the finished Job this long after. Default: never."""


ServiceUnion = WebServiceValues | ApiServiceValues | McpServiceValues | WorkerValues | CronJobValues | MigrationValues
"""A service of any kind; its ``kind`` picks which."""


@valuesclass
class NamespaceValues(Props):
    """The namespace of every object, and whether the chart renders it."""

    name: str = prop(default="default", check=NAMESPACE)
    """Namespace of every object; never one of the cluster's own (``kube-*``). Default: default."""
    create: bool | None = None
    """Render the Namespace object. Default: true unless the name is ``default``; set false for a
    namespace created outside the chart."""

    @property
    def rendered(self) -> bool:
        return self.create if self.create is not None else self.name != "default"

    def cross_checks(self) -> Iterator[Problem]:
        # The library's rule of a Namespace it renders (AppNamespace): kube-* is refused at name already.
        if self.rendered:
            for problem in rules.rendered_namespace_name(self.name):
                if problem not in rules.namespace_name(self.name):
                    yield Problem(("create",), f"{problem} (leave create out, or set it false)")


@valuesclass
class ExternalSecretValues(Props):
    """Where the External Secrets Operator fetches a Secret's values from: an ``ExternalSecret``
    (``external-secrets.io/v1``) is rendered instead of the Secret, and no value is asked for."""

    store: str = prop(check=check(rules.dns1123_subdomain, maxLength=253))
    """Name of the SecretStore or ClusterSecretStore, e.g. ``vault``."""
    store_kind: StoreKind = "ClusterSecretStore"
    """``ClusterSecretStore`` or ``SecretStore`` (one in the release's namespace). Default:
    ClusterSecretStore."""
    remote_key: str = prop(check=prop_rules.REMOTE_KEY)
    """The entry of the store that holds the values, e.g. ``prod/todo-chatbot``; each key of the
    Secret is the property of the same name."""
    refresh_interval: str = prop(default="1h", check=prop_rules.REFRESH_INTERVAL)
    """How often the operator reads the store again, a duration such as ``1h`` or ``15m`` (``0s``:
    never). Default: 1h."""
    properties: Mapping[str, str] = prop(default={}, keys=ENV_KEY, each=prop_rules.REMOTE_KEY)
    """The property of ``remoteKey`` a key reads, where it is not named like the key
    (``{DATABASE_URL: database-url}``). Default: none."""


@valuesclass
class SecretValues(Props):
    """A Secret and its keys. Values never live in a values file: they come from the
    environment or an ``--env-file`` at synth time, or from a secret store (``externalSecret``)."""

    keys: list[str] = prop(check=[min_length(1), UNIQUE], each=ENV_KEY)
    """The Secret's keys; each value comes from the environment variable of the same name."""
    external: bool = False
    """The Secret is created outside the chart (by ``kubectl create secret``): referenced, never
    rendered. Default: false."""
    external_secret: ExternalSecretValues | None = None
    """Render an External Secrets Operator ``ExternalSecret`` that makes this Secret from a secret
    store, instead of the Secret: its values never pass through the synth. Default: none."""

    def cross_checks(self) -> Iterator[Problem]:
        if self.external and self.external_secret is not None:
            yield Problem(("externalSecret",), "give external: true or externalSecret, not both")
        if self.external_secret is not None:
            for key in self.external_secret.properties:
                if key not in self.keys:
                    yield Problem(("externalSecret", "properties", key), f"{key} is not one of the keys ({', '.join(self.keys)})")


@valuesclass
class EgressValues(Props):
    """Egress rules: off by default; on, each pod may reach DNS, the app's services it calls, and
    the external ports listed (the Neon Postgres, HTTPS to LLM APIs)."""

    enabled: bool = False
    """Deny egress except what the rules allow. Default: false."""
    external_ports: list[int] = prop(default=[443, 5432], each=prop_rules.PORT)
    """TCP ports the pods may reach outside the cluster. Default: 443 (HTTPS) and 5432 (Postgres)."""
    external_cidrs: list[str] = prop(default=["0.0.0.0/0"], each=prop_rules.CIDR)
    """Where those ports may be reached. Default: anywhere."""

    def cross_checks(self) -> Iterator[Problem]:
        if self.enabled and len(self.external_ports) > 1 and len(self.external_cidrs) > 1:
            yield Problem(
                ("externalCidrs",),
                f"{len(self.external_ports)} externalPorts at {len(self.external_cidrs)} externalCidrs would open every port "
                "at every CIDR, also the pairs nobody meant; give one CIDR or one port (a destination with its own "
                "ports is Egress(external=[Destination(...)]) in the Python library)",
            )


@valuesclass
class NetworkPoliciesValues(Props):
    """NetworkPolicies: deny ingress to the app's pods except from whom each service allows."""

    enabled: bool = True
    """Default: true."""
    egress: EgressValues = defaults(EgressValues)


@valuesclass
class IngressPathValues(Props):
    """A path prefix of the Ingress and the service behind it."""

    path: str = prop(check=[prop_rules.HTTP_PATH, INGRESS_PATH])
    """URL path prefix, e.g. ``/`` or ``/api``."""
    service: str = prop(check=prop_rules.NAME)
    """Key of the service that serves it."""


@valuesclass
class IngressValues(Props):
    """An Ingress in front of the app, with TLS."""

    host: str = prop(check=INGRESS_HOST)
    """Public host name, e.g. ``todo.example.com``."""
    paths: list[IngressPathValues] = prop(check=min_length(1))
    """Path prefixes and the services behind them; the longest prefix wins."""
    class_name: str | None = prop(default=None, check=prop_rules.NAME)
    """IngressClass, e.g. ``nginx``. Default: the cluster's default class."""
    tls_secret: str | None = prop(default=None, check=prop_rules.NAME)
    """Secret holding the TLS certificate (e.g. made by cert-manager). Default: no TLS."""
    annotations: Mapping[str, str] = prop(default={}, check=prop_rules.ANNOTATIONS)
    """Annotations for the ingress controller or cert-manager. A configuration snippet
    (``*-snippet``, CVE-2021-25742) needs its reason in ``auditSkips.CKV_K8S_153``. Default: none."""
    controller_namespace: str = prop(default="ingress-nginx", check=prop_rules.NAME)
    """Namespace of the ingress controller's pods, allowed through the NetworkPolicies.
    Default: ingress-nginx."""


def _extra_object(obj: Any) -> list[str]:
    return shape_problems(obj)


@valuesclass
class AppValues(Props):
    """A whole values file: one release of the app."""

    description: str = prop(default="", check=max_length(200))
    """One line on what this values file renders; ``main.py --list-presets`` shows it. Default: none."""
    release: str = prop(check=prop_rules.NAME)
    """Release name: ``app.kubernetes.io/instance`` and the default prefix of object names."""
    app_name: str | None = prop(default=None, check=prop_rules.NAME)
    """The application (``app.kubernetes.io/part-of``). Default: the release name."""
    app_version: str = prop(check=VERSION)
    """Version of the app (``app.kubernetes.io/version``), e.g. ``1.0.0`` (quote numbers)."""
    namespace: NamespaceValues = defaults(NamespaceValues)
    node_host: str = prop(default="192.168.49.2", check=HOST_OR_IP)
    """Address browsers use to reach node ports, for ``${services.X.nodeUrl}``. Default: Minikube's
    node address with its default docker driver (``minikube ip`` prints yours)."""
    labels: Mapping[str, str] = prop(default={}, check=prop_rules.LABELS)
    """Extra labels on every object. Default: none."""
    config_maps: Mapping[str, Mapping[str, str]] = prop(default={}, keys=prop_rules.NAME, each=CONFIG_DATA)
    """ConfigMaps by name, each a mapping of key to value; values may use ``${...}`` references."""
    secrets: Mapping[str, SecretValues] = prop(default={}, keys=prop_rules.NAME)
    """Secrets by name, with their keys. Default: none."""
    services: Mapping[str, ServiceUnion] = prop(check=min_length(1), keys=prop_rules.NAME)
    """Services by key (the ``app.kubernetes.io/component`` label)."""
    network_policies: NetworkPoliciesValues = defaults(NetworkPoliciesValues)
    ingress: IngressValues | None = None
    """An Ingress for the browser-facing services. Default: none."""
    audit_skips: Mapping[str, str] = prop(default={}, keys=prop_rules.AUDIT_CHECK, each=prop_rules.REASON)
    """Policy-scanner checks the whole app deliberately fails, with reasons; annotated on the
    objects each check is about. Default: none."""
    extra_objects: list[Mapping[str, Any]] = prop(default=[], each=check(lambda obj: _extra_object(obj)))
    """Objects the model has no field for (a PersistentVolumeClaim, a Role and its RoleBinding, ...),
    as Kubernetes spells them, each of a namespaced kind it knows and valid against its schema;
    rendered after the services, in the release's namespace, with the release's labels
    (:mod:`values_app.extra_objects` says what it accepts). Default: none."""
    reloader: bool = False
    """The cluster runs Stakater Reloader: each workload that reads a Secret is annotated
    (``secret.reloader.stakater.com/reload``) so that Reloader restarts its pods when the Secret
    changes. Otherwise the synth prints the ``kubectl rollout restart`` that does it. Default: false."""

    @property
    def part_of(self) -> str:
        return self.app_name or self.release

    def object_name(self, key: str) -> str:
        """The name of service ``key``'s Deployment and Service."""
        name = self.services[key].name
        return name if name is not None else f"{self.release}-{key}"
