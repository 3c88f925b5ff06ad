"""The values model: everything a values file (a preset) may say, typed and documented.

A values file describes one release of the app: its name, version and namespace, the
ConfigMaps and Secrets it declares (with their keys), and its services. Each service is a
``web``, ``api`` or ``mcp`` workload, rendered by the construct of that kind
(:class:`~constructs.web_service.WebService`, :class:`~constructs.api_service.ApiService`,
:class:`~constructs.mcp_service.McpService`), which holds the kind's defaults and its rules.

Keys are camelCase in YAML (``appVersion``, ``nodePort``), as in Helm values files. The nested
props of a service (``resources``, ``probes``, ``securityContext``, ``autoscaling``) are the
constructs' own (:mod:`constructs.workload_props`). Every model is frozen and rejects unknown
keys. Rules between fields of different parts (every key a service asks for is declared, node
ports are unique, ...) live in :mod:`values_app.checks`.
"""

import re
from collections.abc import Iterator, Mapping, Sequence
from typing import Literal

from constructs import rules
from constructs.api_service import ApiService
from constructs.external_secret import DURATION, REMOTE_KEY, StoreKind
from constructs.mcp_service import McpService
from constructs.props import Check, Problem, Props, check, max_length, min_length, pattern, prop, propsclass
from constructs.web_service import WebService
from constructs.workload import Workload
from constructs.workload_props import (
    AUDIT_CHECK,
    CIDR,
    HTTP_PATH,
    LABELS,
    NAME,
    NODE_PORT,
    PORT,
    REASON,
    REPLICAS,
    SECONDS,
    SERVICE_NAME,
    WRITABLE_PATH,
    Autoscaling,
    Probes,
    PullPolicy,
    Resources,
    Security,
    ServiceType,
)

__all__ = [
    "CONSTRUCTS",
    "ApiServiceValues",
    "AppValues",
    "EgressValues",
    "EnvValues",
    "ExternalSecretValues",
    "ImageValues",
    "IngressPathValues",
    "IngressValues",
    "McpServiceValues",
    "NamespaceValues",
    "NetworkPoliciesValues",
    "NetworkPolicyValues",
    "SecretValues",
    "ServicePortValues",
    "ServiceUnion",
    "ServiceValues",
    "WebServiceValues",
]

CONSTRUCTS: dict[str, type[Workload]] = {"web": WebService, "api": ApiService, "mcp": McpService}
"""The construct that renders each ``kind`` of service (and holds its defaults)."""

ENV_KEY = check(rules.env_var_name, pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")
NAMESPACE = check(rules.namespace_name, pattern=r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", maxLength=63)
ANNOTATIONS = check(rules.annotation_keys_and_size)
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


@propsclass
class ImageValues(Props):
    """The container image. Give a ``tag``, a ``digest`` or both."""

    repository: str = prop(check=REPOSITORY)
    """Image repository, e.g. ``todo-backend`` or ``ghcr.io/acme/todo-backend``."""
    tag: str | None = prop(default=None, check=TAG)
    """Image tag, e.g. ``1.0.0``. Default: none (then ``digest`` is required)."""
    digest: str | None = prop(default=None, check=DIGEST)
    """Image digest ``sha256:<64 hex>``; pins the image exactly. Default: none."""
    pull_policy: PullPolicy = "IfNotPresent"
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


@propsclass
class ServicePortValues(Props):
    """The Kubernetes Service in front of a workload."""

    type: ServiceType | None = None
    """Service type. Default: NodePort for ``web``, ClusterIP for ``api`` and ``mcp``."""
    port: int | None = prop(default=None, check=PORT)
    """Port the Service listens on. Default: the container port."""
    target_port: int | None = prop(default=None, check=PORT)
    """Port on the pod; must be the container port. Default: the container port."""
    node_port: int | None = prop(default=None, check=NODE_PORT)
    """Fixed node port (30000-32767) for NodePort/LoadBalancer. Default: cluster-assigned."""


def _unique(keys: Sequence[str]) -> list[str]:
    seen: set[str] = set()
    twice = [key for key in keys if key in seen or seen.add(key)]  # type: ignore[func-returns-value]
    return [f"{key} is listed twice" for key in dict.fromkeys(twice)]


UNIQUE = check(_unique)


@propsclass
class EnvValues(Props):
    """Which declared keys a workload receives as environment variables, key by key."""

    config: list[str] = prop(default=[], check=UNIQUE, each=ENV_KEY)
    """Keys of the app's ConfigMaps. Default: none."""
    secrets: list[str] = prop(default=[], check=UNIQUE, each=ENV_KEY)
    """Keys of the app's Secrets. Default: none."""


@propsclass
class NetworkPolicyValues(Props):
    """Who may connect to a service (when the app's ``networkPolicies`` are enabled)."""

    allow_from: list[str] | None = prop(default=None, each=NAME)
    """Keys of the services whose pods may connect. Default: per kind (web: none, api: every web
    service, mcp: every api service)."""
    allow_external: bool | None = None
    """Accept connections from anywhere, as a browser-facing service must. Default: true for web
    and for any service with a NodePort or LoadBalancer Service."""


@propsclass
class ServiceValues(Props):
    """A service: one Deployment and the Service in front of it, rendered by the construct of its
    ``kind``."""

    kind: Literal["web", "api", "mcp"]
    """``web``, ``api`` or ``mcp``: picks the construct and its defaults."""
    name: str | None = prop(default=None, check=SERVICE_NAME)
    """Name of the Deployment, the Service and the rest: a DNS-1035 label (starting with a
    letter, as a Service name must). Default: ``<release>-<service key>``."""
    image: ImageValues
    replicas: int | None = prop(default=None, check=REPLICAS)
    """Pod replicas. Default: 1 (none with ``autoscaling``, which owns the count)."""
    port: int | None = prop(default=None, check=PORT)
    """Port the container listens on. Default: per kind (web 3000 or 80 for nginx, api 8000, mcp 8001)."""
    command: list[str] | None = prop(default=None, check=min_length(1))
    """Overrides the image's entrypoint; may use ``${...}`` references. Default: the image's."""
    args: list[str] | None = prop(default=None, check=min_length(1))
    """Overrides the image's arguments; may use ``${...}`` references. Default: the image's."""
    service: ServicePortValues = ServicePortValues()
    resources: Resources | None = None
    """Requests and limits. Default: per kind (see the kind's ``DEFAULT_RESOURCES``)."""
    probes: Probes = Probes()
    security_context: Security = Security()
    """Who the process runs as and what it may do. Default: the Pod Security Standard "restricted";
    a relaxation needs its reason in ``auditSkips``."""
    labels: Mapping[str, str] = prop(default={}, check=LABELS)
    """Extra labels on the service's objects and pods. Default: none."""
    selector_labels: Mapping[str, str] | None = prop(default=None, check=[LABELS, min_length(1)])
    """Labels the Service and Deployment select on; also added to every object of the service.
    Default: ``app.kubernetes.io/name`` and ``app.kubernetes.io/instance``."""
    env: EnvValues = EnvValues()
    writable_paths: list[str] | None = prop(default=None, each=WRITABLE_PATH)
    """Directories that get a writable emptyDir when the root filesystem is read-only.
    Default: per kind (``/tmp`` for api and mcp; ``/tmp`` and ``/app/.next/cache`` for Next.js;
    ``/tmp``, ``/var/cache/nginx`` and ``/var/run`` for nginx)."""
    autoscaling: Autoscaling | None = None
    """A HorizontalPodAutoscaler; then ``replicas`` must not be set. Default: none."""
    pod_disruption_budget: bool | None = None
    """Render a PodDisruptionBudget (``maxUnavailable: 1``, so it never blocks a node drain).
    Default: when there is more than one replica or an autoscaler."""
    network_policy: NetworkPolicyValues = NetworkPolicyValues()
    termination_grace_period_seconds: int = prop(default=30, check=SECONDS)
    """Seconds a pod gets to finish after SIGTERM. Default: 30."""
    audit_skips: Mapping[str, str] = prop(default={}, keys=AUDIT_CHECK, each=REASON)
    """Policy-scanner checks this service deliberately fails, each with its reason: rendered as
    ``checkov.io/skip`` annotations on the service's objects the check is about. Default: none."""

    @property
    def construct(self) -> type[Workload]:
        """The construct that renders this kind of service."""
        return CONSTRUCTS[self.kind]

    @property
    def container_port(self) -> int:
        """The port the container listens on, after the kind's default."""
        return self.port if self.port is not None else self.construct.default_port(self)

    @property
    def service_type(self) -> str:
        return self.service.type or self.construct.DEFAULT_SERVICE_TYPE

    @property
    def service_port(self) -> int:
        return self.service.port if self.service.port is not None else self.container_port


@propsclass
class WebServiceValues(ServiceValues):
    """A browser-facing frontend: Next.js (port 3000) or static files served by nginx (port 80)."""

    kind: Literal["web"]
    server: Literal["nextjs", "nginx"] = "nextjs"
    """What serves the frontend; sets the default port (3000 or 80). Default: nextjs."""


@propsclass
class ApiServiceValues(ServiceValues):
    """The HTTP API backend (FastAPI on 8000)."""

    kind: Literal["api"]


@propsclass
class McpServiceValues(ServiceValues):
    """The internal MCP server (port 8001), ClusterIP only unless ``exposeNodePort`` is set."""

    kind: Literal["mcp"]
    expose_node_port: bool = False
    """Allow a NodePort or LoadBalancer Service, an Ingress path, or ``networkPolicy.allowExternal``
    (connections from every pod of every namespace) for this internal server. Default: false."""


ServiceUnion = WebServiceValues | ApiServiceValues | McpServiceValues
"""A service of any kind; its ``kind`` picks which."""


@propsclass
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


@propsclass
class ExternalSecretValues(Props):
    """Where the External Secrets Operator fetches a Secret's values from: an ``ExternalSecret``
    (``external-secrets.io/v1``) is rendered instead of the Secret, and no value is asked for."""

    store: str = prop(check=check(rules.dns1123_subdomain, maxLength=253))
    """Name of the SecretStore or ClusterSecretStore, e.g. ``vault``."""
    store_kind: StoreKind = "ClusterSecretStore"
    """``ClusterSecretStore`` or ``SecretStore`` (one in the release's namespace). Default:
    ClusterSecretStore."""
    remote_key: str = prop(check=REMOTE_KEY)
    """The entry of the store that holds the values, e.g. ``prod/todo-chatbot``; each key of the
    Secret is the property of the same name."""
    refresh_interval: str = prop(default="1h", check=DURATION)
    """How often the operator reads the store again, a duration such as ``1h`` or ``15m`` (``0s``:
    never). Default: 1h."""
    properties: Mapping[str, str] = prop(default={}, keys=ENV_KEY, each=REMOTE_KEY)
    """The property of ``remoteKey`` a key reads, where it is not named like the key
    (``{DATABASE_URL: database-url}``). Default: none."""


@propsclass
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


@propsclass
class EgressValues(Props):
    """Egress rules: off by default; on, each pod may reach DNS, the app's services it calls, and
    the external ports listed (the Neon Postgres, HTTPS to LLM APIs)."""

    enabled: bool = False
    """Deny egress except what the rules allow. Default: false."""
    external_ports: list[int] = prop(default=[443, 5432], each=PORT)
    """TCP ports the pods may reach outside the cluster. Default: 443 (HTTPS) and 5432 (Postgres)."""
    external_cidrs: list[str] = prop(default=["0.0.0.0/0"], each=CIDR)
    """Where those ports may be reached. Default: anywhere."""


@propsclass
class NetworkPoliciesValues(Props):
    """NetworkPolicies: deny ingress to the app's pods except from whom each service allows."""

    enabled: bool = True
    """Default: true."""
    egress: EgressValues = EgressValues()


@propsclass
class IngressPathValues(Props):
    """A path prefix of the Ingress and the service behind it."""

    path: str = prop(check=[HTTP_PATH, INGRESS_PATH])
    """URL path prefix, e.g. ``/`` or ``/api``."""
    service: str = prop(check=NAME)
    """Key of the service that serves it."""


@propsclass
class IngressValues(Props):
    """An Ingress in front of the app, with TLS."""

    host: str = prop(check=INGRESS_HOST)
    """Public host name, e.g. ``todo.example.com``."""
    paths: list[IngressPathValues] = prop(check=min_length(1))
    """Path prefixes and the services behind them; the longest prefix wins."""
    class_name: str | None = prop(default=None, check=NAME)
    """IngressClass, e.g. ``nginx``. Default: the cluster's default class."""
    tls_secret: str | None = prop(default=None, check=NAME)
    """Secret holding the TLS certificate (e.g. made by cert-manager). Default: no TLS."""
    annotations: Mapping[str, str] = prop(default={}, check=ANNOTATIONS)
    """Annotations for the ingress controller or cert-manager. A configuration snippet
    (``*-snippet``, CVE-2021-25742) needs its reason in ``auditSkips.CKV_K8S_153``. Default: none."""
    controller_namespace: str = prop(default="ingress-nginx", check=NAME)
    """Namespace of the ingress controller's pods, allowed through the NetworkPolicies.
    Default: ingress-nginx."""


@propsclass
class AppValues(Props):
    """A whole values file: one release of the app."""

    description: str = prop(default="", check=max_length(200))
    """One line on what this values file renders; ``main.py --list-presets`` shows it. Default: none."""
    release: str = prop(check=NAME)
    """Release name: ``app.kubernetes.io/instance`` and the default prefix of object names."""
    app_name: str | None = prop(default=None, check=NAME)
    """The application (``app.kubernetes.io/part-of``). Default: the release name."""
    app_version: str = prop(check=VERSION)
    """Version of the app (``app.kubernetes.io/version``), e.g. ``1.0.0`` (quote numbers)."""
    namespace: NamespaceValues = NamespaceValues()
    node_host: str = prop(default="192.168.49.2", check=HOST_OR_IP)
    """Address browsers use to reach node ports, for ``${services.X.nodeUrl}``. Default: Minikube's
    node address with its default docker driver (``minikube ip`` prints yours)."""
    labels: Mapping[str, str] = prop(default={}, check=LABELS)
    """Extra labels on every object. Default: none."""
    config_maps: Mapping[str, Mapping[str, str]] = prop(default={}, keys=NAME, each=CONFIG_DATA)
    """ConfigMaps by name, each a mapping of key to value; values may use ``${...}`` references."""
    secrets: Mapping[str, SecretValues] = prop(default={}, keys=NAME)
    """Secrets by name, with their keys. Default: none."""
    services: Mapping[str, ServiceUnion] = prop(check=min_length(1), keys=NAME)
    """Services by key (the ``app.kubernetes.io/component`` label)."""
    network_policies: NetworkPoliciesValues = NetworkPoliciesValues()
    ingress: IngressValues | None = None
    """An Ingress for the browser-facing services. Default: none."""
    audit_skips: Mapping[str, str] = prop(default={}, keys=AUDIT_CHECK, each=REASON)
    """Policy-scanner checks the whole app deliberately fails, with reasons; annotated on the
    objects each check is about. Default: none."""
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
