"""Workload: the shared core of WebService, ApiService and McpService.

One container in a Deployment, and what goes with it: a ServiceAccount (no API token mounted), a
Service, a Deployment hardened to the Pod Security Standard "restricted" (unless the props relax
it, with a reason), rolling updates that never drop below the desired count, and when asked or
implied a HorizontalPodAutoscaler, a PodDisruptionBudget and a NetworkPolicy. Every field is
exactly what the props say: no generated name suffixes, no construct-path selector labels, no
default resources or startup probes nobody asked for.

Services connect in code::

    api.connect(mcp, env="MCP_SERVER_URL")     # the env var holds mcp's URL; mcp admits api's pods
    api.env_from_secret("todo-secrets", ["DATABASE_URL"])
    api.allow_from(nightly)                    # any cdk8s-plus workload, or one of ours
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, ClassVar, Literal, NamedTuple, Unpack

from constructs import Construct

from . import rules
from .app_config import AppConfig
from .app_secret import AppSecret
from .audit import audit_annotations
from .common import make_props, owner_name
from .labels import default_selector, pod_labels, selects
from .manifest import Lazy, Manifest, ManifestConstruct, object_meta
from .props import Problem, PropsError
from .quantity import canonical_quantity
from .workload_props import (
    Egress,
    Probe,
    ResourceAmounts,
    Resources,
    ServiceType,
    WorkloadOptions,
    WorkloadProps,
    image_tag,
    restricted_exceptions,
)

if TYPE_CHECKING:
    import cdk8s_plus_27

__all__ = ["RELOADER_ANNOTATION", "Workload"]

PORT_NAME = "http"
RELOADER_ANNOTATION = "secret.reloader.stakater.com/reload"
"""Stakater Reloader restarts a workload's pods when a Secret this annotation names changes."""
BASELINE_CAPABILITIES = frozenset(
    {"AUDIT_WRITE", "CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL", "MKNOD", "NET_BIND_SERVICE"}
    | {"SETFCAP", "SETGID", "SETPCAP", "SETUID", "SYS_CHROOT"}
)
"""The capabilities the Pod Security Standard "baseline" lets a container add."""


class _EnvValue(NamedTuple):
    """An environment variable with a literal value."""

    name: str
    value: str


class _EnvFrom(NamedTuple):
    """An environment variable from one key of a ConfigMap or a Secret."""

    name: str
    source: Literal["configMap", "secret"]
    object_name: str
    key: str
    known: AppConfig | AppSecret | None
    """The construct that holds the value, when it is one of this library's (for the checksum)."""


def _volume_name(path: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", path.lower()).strip("-")[:63] or "root"


def _drop_none(**fields: Any) -> dict[str, Any]:
    return {key: value for key, value in fields.items() if value is not None}


def _quantities(amounts: ResourceAmounts) -> dict[str, str] | None:
    canonical = {key: canonical_quantity(value) for key, value in (("cpu", amounts.cpu), ("memory", amounts.memory)) if value}
    return canonical or None


class Workload(ManifestConstruct):
    """A Deployment of one container, its Service and ServiceAccount, and when asked or implied
    a HorizontalPodAutoscaler, a PodDisruptionBudget and a NetworkPolicy.

    Every object has the same name (``name``, default: the construct ID) and the recommended
    labels; the pods are selected by ``app.kubernetes.io/name`` and ``app.kubernetes.io/instance``
    (or ``selector_labels``). Two services of a chart never select each other's pods.

    The objects are ``service_account``, ``service``, ``deployment``, ``hpa``, ``pdb`` and
    ``network_policy`` (None when not rendered), each a :class:`~.manifest.Manifest`; their
    construct IDs (``service-account``, ``service``, ``deployment``, ``hpa``, ``pdb``,
    ``network-policy``) are stable API. ``cdk8s.ApiObject.of(service)`` is the Deployment.

    Props: :class:`~.workload_props.WorkloadProps`; invalid props raise
    :class:`~.props.PropsError` listing every problem.
    """

    DEFAULT_PORT: ClassVar[int] = 8000
    """Port the container listens on, unless ``port`` says otherwise."""
    DEFAULT_SERVICE_TYPE: ClassVar[ServiceType] = "ClusterIP"
    DEFAULT_RESOURCES: ClassVar[Resources] = Resources(
        requests=ResourceAmounts(cpu="100m", memory="128Mi"),
        limits=ResourceAmounts(cpu="500m", memory="512Mi"),
    )
    DEFAULT_WRITABLE_PATHS: ClassVar[tuple[str, ...]] = ("/tmp",)
    DEFAULT_ALLOW_EXTERNAL: ClassVar[bool] = False
    """Whether anyone may connect, unless ``allow_external`` says otherwise (a NodePort or
    LoadBalancer Service always defaults to yes)."""
    PROPS: ClassVar[type[WorkloadProps]] = WorkloadProps
    RENDERS: ClassVar[tuple[tuple[str, str], ...]] = (
        ("v1", "ServiceAccount"),
        ("v1", "Service"),
        ("apps/v1", "Deployment"),
        ("autoscaling/v2", "HorizontalPodAutoscaler"),
        ("policy/v1", "PodDisruptionBudget"),
        ("networking.k8s.io/v1", "NetworkPolicy"),
    )

    def __init__(self, scope: Construct, id: str, *, image: str, **options: Unpack[WorkloadOptions]) -> None:
        self._build(scope, id, self.make(id, image=image, **options))

    # --- props ------------------------------------------------------------------------------

    @classmethod
    def make(cls, id: str, **kwargs: Any) -> WorkloadProps:
        """The props of a construct ``id`` of this kind, checked; raise :class:`~.props.PropsError`."""
        owner = owner_name(cls, id)
        props = make_props(cls.PROPS, owner, id, **kwargs)
        problems = cls.kind_problems(props, id)
        if problems:
            raise PropsError(owner, problems)
        return props

    @classmethod
    def kind_problems(cls, props: WorkloadProps, id: str) -> list[Problem]:
        """The rules that depend on the kind's defaults (every one of them, at once)."""
        found: list[Problem] = []
        if props.name is None:
            found += [Problem(("name",), f"the construct ID {message}; pass name=") for message in rules.dns1035_label(id)]
        name = props.name or id
        # Every service renders a ServiceAccount and (but a worker) a Service of its name.
        owned = dict.fromkeys(rules.cluster_owned_name("ServiceAccount", name) + rules.cluster_owned_name("Service", name))
        found += [Problem(("name",), message) for message in owned]
        service_type = props.service_type or cls.DEFAULT_SERVICE_TYPE
        if props.node_port is not None and service_type == "ClusterIP":
            found.append(Problem(("node_port",), f"{props.node_port} needs service.type NodePort or LoadBalancer, not ClusterIP"))
        return found

    # --- building ---------------------------------------------------------------------------

    def _build(self, scope: Construct, id: str, props: WorkloadProps) -> None:
        super().__init__(scope, id)
        info = self.chart_info
        self.props = props
        self.name: str = props.name or id
        """Name of every object of the service; also its host name inside the namespace."""
        self.namespace: str | None = info.namespace
        self.port: int = props.port if props.port is not None else type(self).default_port(props)
        """The port the container listens on."""
        self.service_type: ServiceType = props.service_type or self.DEFAULT_SERVICE_TYPE
        self.service_port: int = props.service_port if props.service_port is not None else self.port
        """The port the Service listens on."""
        instance = props.instance or info.id
        tag = image_tag(props.image)
        version = props.version or (tag if tag is not None and not rules.label_value(tag) else None)
        self.selector: dict[str, str] = (
            dict(props.selector_labels) if props.selector_labels is not None else default_selector(self.name, instance)
        )
        """The labels the Service, Deployment, PodDisruptionBudget and NetworkPolicy select the pods by."""
        self.labels: dict[str, str] = pod_labels(
            name=self.name,
            instance=instance,
            component=props.component or id,
            part_of=props.part_of or instance,
            version=version,
            extra=props.labels,
            selector=self.selector,
        )
        """The labels of every object of the service and of its pods."""
        self._check_chart(id)

        self._env: list[_EnvValue | _EnvFrom] = [_EnvValue(name, value) for name, value in props.env.items()]
        self._peers: list[dict[str, Any]] = []
        self._egress_to: list[Workload] = []
        self._allow_external = props.allow_external
        self._pods: Any = None

        self._object("service-account", "v1", "ServiceAccount", automountServiceAccountToken=False)
        self._object("service", "v1", "Service", spec=self._service_spec())
        self._object("deployment", "apps/v1", "Deployment", spec=self._deployment_spec())
        if props.autoscaling is not None:
            self._object("hpa", "autoscaling/v2", "HorizontalPodAutoscaler", spec=self._autoscaler_spec())
        if props.wants_disruption_budget:
            # maxUnavailable 1 (not minAvailable): a drain can always evict one pod, even at one replica.
            self._object("pdb", "policy/v1", "PodDisruptionBudget", spec={"maxUnavailable": 1, "selector": self._match()})
        if props.network_policy:
            self._object("network-policy", "networking.k8s.io/v1", "NetworkPolicy", spec=self._policy_spec())
        if not info.deferred:
            self.node.default_child = self._objects["deployment"]

    @classmethod
    def default_port(cls, props: Any) -> int:
        """The container port when ``port`` is not given (``props``: these props, or any object
        with the same attributes, such as a values file's service)."""
        return cls.DEFAULT_PORT

    def default_writable_paths(self) -> tuple[str, ...]:
        return self.DEFAULT_WRITABLE_PATHS

    def _check_chart(self, construct_id: str) -> None:
        """Refuse a name another service of the chart has, and selectors that overlap (either
        service's selector matching the other's pods). Indexed by label: a chart of many services
        is checked in linear time."""
        registry = self.chart_info.registry
        names: dict[str, Workload] = registry.setdefault("service-names", {})
        carrying: dict[tuple[str, str], list[Workload]] = registry.setdefault("pod-labels", {})
        selecting: dict[tuple[str, str], list[Workload]] = registry.setdefault("selector-last-labels", {})
        problems = []
        if self.name in names:
            other = names[self.name]
            taken = f"{self.name} is already the name of {owner_name(type(other), other.construct_id)}"
            problems.append(Problem(("name",), taken))
        else:
            # Pods this selector matches carry every one of its labels: look at the rarest.
            carriers: list[list[Workload]] = [carrying.get(label, []) for label in self.selector.items()]
            candidates: list[Workload] = []
            if carriers:
                smallest = carriers[0]
                for carrier in carriers[1:]:
                    if len(carrier) < len(smallest):
                        smallest = carrier
                candidates = list(smallest)
            # Selectors that match these pods have their last label (by key: the name, usually, which
            # no other service shares) among these labels.
            for label in self.labels.items():
                candidates += selecting.get(label, [])
            for other in candidates:
                if selects(self.selector, other.labels) or selects(other.selector, self.labels):
                    problems.append(
                        Problem(
                            ("selector_labels",),
                            f"the selector {self.selector} and the pods of {owner_name(type(other), other.construct_id)} "
                            "overlap; add a label that tells them apart",
                        )
                    )
                    break
        if problems:
            raise PropsError(owner_name(type(self), construct_id), problems)
        names[self.name] = self
        for label in self.labels.items():
            carrying.setdefault(label, []).append(self)
        if self.selector:
            selecting.setdefault(max(self.selector.items()), []).append(self)

    def create_objects(self) -> None:
        deferred = "deployment" not in self._objects
        super().create_objects()
        if deferred:
            self.node.default_child = self._objects["deployment"]

    def _object(self, id: str, api_version: str, kind: str, **body: Any) -> None:
        audit = audit_annotations(self.props.audit_skips, kind)
        meta = object_meta(self.name, namespace=self.namespace, labels=self.labels, annotations=audit)
        if id == "deployment" and self.props.reloader:
            meta["annotations"] = Lazy(lambda: {**audit, **(self._workload_annotations() or {})} or None)
        self._add(id, {"apiVersion": api_version, "kind": kind, "metadata": meta, **body})

    def _match(self) -> dict[str, Any]:
        return {"matchLabels": dict(self.selector)}

    def _service_spec(self) -> dict[str, Any]:
        port = _drop_none(
            name=PORT_NAME, protocol="TCP", port=self.service_port, targetPort=self.port, nodePort=self.props.node_port
        )
        return {"type": self.service_type, "selector": dict(self.selector), "ports": [port]}

    def _deployment_spec(self) -> dict[str, Any]:
        props = self.props
        template_meta: dict[str, Any] = {"labels": dict(self.labels), "annotations": Lazy(self._pod_annotations)}
        return _drop_none(
            replicas=None if props.autoscaling is not None else (props.replicas if props.replicas is not None else 1),
            selector=self._match(),
            strategy={"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 0, "maxSurge": 1}},
            template={"metadata": template_meta, "spec": self._pod_spec()},
        )

    def _pod_spec(self) -> dict[str, Any]:
        security = self.props.security
        paths = self.writable_paths if security.read_only_root_filesystem else []
        return _drop_none(
            serviceAccountName=self.name,
            automountServiceAccountToken=False,
            terminationGracePeriodSeconds=self.props.termination_grace_period_seconds,
            securityContext=_drop_none(
                runAsNonRoot=security.run_as_non_root,
                runAsUser=security.run_as_user,
                runAsGroup=security.run_as_group,
                fsGroup=security.fs_group,
                seccompProfile={"type": security.seccomp_profile},
            ),
            containers=[self._container(paths)],
            volumes=[{"name": _volume_name(p), "emptyDir": {}} for p in paths] or None,
        )

    @property
    def writable_paths(self) -> list[str]:
        """The directories that get a writable emptyDir."""
        paths = self.props.writable_paths
        return list(paths if paths is not None else self.default_writable_paths())

    @property
    def resources(self) -> Resources:
        """Requests and limits, after the kind's default."""
        return self.props.resources if self.props.resources is not None else self.DEFAULT_RESOURCES

    def _container(self, writable_paths: list[str]) -> dict[str, Any]:
        props = self.props
        security = props.security
        resources = self.resources
        capabilities = security.capabilities
        return _drop_none(
            name=props.component or self.construct_id,
            image=props.image,
            imagePullPolicy=props.image_pull_policy,
            command=list(props.command) if props.command is not None else None,
            args=list(props.args) if props.args is not None else None,
            ports=[{"name": PORT_NAME, "containerPort": self.port, "protocol": "TCP"}],
            env=Lazy(self._env_vars),
            resources=_drop_none(requests=_quantities(resources.requests), limits=_quantities(resources.limits)),
            livenessProbe=self._probe(props.probes.liveness),
            readinessProbe=self._probe(props.probes.readiness),
            securityContext=_drop_none(
                allowPrivilegeEscalation=security.allow_privilege_escalation,
                readOnlyRootFilesystem=security.read_only_root_filesystem,
                runAsNonRoot=security.run_as_non_root,
                capabilities=_drop_none(drop=list(capabilities.drop) or None, add=list(capabilities.add) or None),
            ),
            volumeMounts=[{"name": _volume_name(p), "mountPath": p} for p in writable_paths] or None,
        )

    def _probe(self, probe: Probe) -> dict[str, Any]:
        port = self.port
        action = {"httpGet": {"path": probe.path, "port": port}} if probe.path is not None else {"tcpSocket": {"port": port}}
        return action | _drop_none(
            initialDelaySeconds=probe.initial_delay_seconds,
            periodSeconds=probe.period_seconds,
            timeoutSeconds=probe.timeout_seconds,
            failureThreshold=probe.failure_threshold,
        )

    def _autoscaler_spec(self) -> dict[str, Any]:
        scaling = self.props.autoscaling
        assert scaling is not None
        return {
            "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": self.name},
            "minReplicas": scaling.min_replicas,
            "maxReplicas": scaling.max_replicas,
            "metrics": [
                {
                    "type": "Resource",
                    "resource": {
                        "name": "cpu",
                        "target": {"type": "Utilization", "averageUtilization": scaling.target_cpu_utilization},
                    },
                }
            ],
        }

    # --- environment --------------------------------------------------------------------------

    def _env_vars(self) -> list[dict[str, Any]] | None:
        out: list[dict[str, Any]] = []
        for entry in self._env:
            if isinstance(entry, _EnvValue):
                out.append({"name": entry.name, "value": entry.value})
            else:
                selector = {"name": entry.object_name, "key": entry.key}
                source = {"configMapKeyRef": selector} if entry.source == "configMap" else {"secretKeyRef": selector}
                out.append({"name": entry.name, "valueFrom": source})
        return out or None

    def _pod_annotations(self) -> dict[str, str] | None:
        """``checksum/config``: a digest of every ConfigMap value the pods read (of the ConfigMaps
        this library renders), so that changing one rolls the pods. Never of a Secret's values:
        the annotation is in files that are committed and in diffs that are logged, and a digest
        of a value lets anyone check a guess offline (see :attr:`secrets_read` for rotation)."""
        material = [
            ["configMap", ref.object_name, ref.key, ref.known.data[ref.key]]
            for ref in self._env
            if isinstance(ref, _EnvFrom) and isinstance(ref.known, AppConfig)
        ]
        if not material:
            return None
        import hashlib  # here: a synth without env from ConfigMaps never loads it
        import json

        return {"checksum/config": hashlib.sha256(json.dumps(material, sort_keys=True).encode()).hexdigest()}

    @property
    def secrets_read(self) -> list[str]:
        """The names of the Secrets the pods read, in order: a changed value reaches them only
        when they restart (``kubectl rollout restart``, or Reloader with ``reloader=True``)."""
        return list(dict.fromkeys(e.object_name for e in self._env if isinstance(e, _EnvFrom) and e.source == "secret"))

    def _workload_annotations(self) -> dict[str, str] | None:
        """Stakater Reloader's annotation, with ``reloader``: it restarts the pods when one of the
        Secrets they read changes."""
        secrets = self.secrets_read
        if not self.props.reloader or not secrets:
            return None
        return {RELOADER_ANNOTATION: ",".join(secrets)}

    def add_env(self, name: str, value: str) -> None:
        """Add the environment variable ``name`` with a literal value."""
        self._check_env_name(name)
        self._env.append(_EnvValue(name, value))

    def env_from_config_map(self, config_map: AppConfig | str, keys: Iterable[str]) -> None:
        """Add an environment variable for each of ``keys`` (named like the key), read from the
        ConfigMap ``config_map``: an :class:`~.app_config.AppConfig` (its keys are checked, and a
        change of their values rolls the pods) or the name of an existing ConfigMap."""
        self._env_from("configMap", config_map, keys)

    def env_from_secret(self, secret: AppSecret | str, keys: Iterable[str]) -> None:
        """Add an environment variable for each of ``keys`` (named like the key), read from the
        Secret ``secret``: an :class:`~.app_secret.AppSecret` (its keys are checked, and a change
        of their values rolls the pods) or the name of an existing Secret, e.g. one created with
        ``kubectl create secret``."""
        self._env_from("secret", secret, keys)

    def _env_from(self, source: Literal["configMap", "secret"], holder: AppConfig | AppSecret | str, keys: Iterable[str]) -> None:
        keys = list(keys)
        for key in keys:
            self._check_env_name(key)
        known = holder if isinstance(holder, AppConfig | AppSecret) else None
        if known is not None:
            absent = [key for key in keys if key not in known.data]
            if absent:
                what = "ConfigMap" if isinstance(known, AppConfig) else "Secret"
                raise PropsError(
                    owner_name(type(self), self.construct_id),
                    [
                        Problem(("env",), f"{what} {known.name} has no key {key} (it has {', '.join(known.data)})")
                        for key in absent
                    ],
                )
        name = known.name if known is not None else str(holder)
        self._env += [_EnvFrom(key, source, name, key, known) for key in keys]

    def _check_env_name(self, name: str) -> None:
        problems = rules.env_var_name(name)
        taken = {entry.name for entry in self._env}
        if name in taken:
            problems.append(f"{name} is already set")
        if problems:
            raise PropsError(owner_name(type(self), self.construct_id), [Problem(("env", name), p) for p in problems])

    # --- connections ---------------------------------------------------------------------------

    @property
    def url(self) -> str:
        """``http://<name>:<service port>``: how pods of the same namespace reach this service."""
        return f"http://{self.name}:{self.service_port}"

    def url_from(self, other: Workload) -> str:
        """How pods of ``other`` reach this service (through the namespace when they differ)."""
        if other.namespace == self.namespace or self.namespace is None:
            return self.url
        return f"http://{self.name}.{self.namespace}:{self.service_port}"

    def connect(self, other: Workload, *, env: str | None = None) -> None:
        """This service calls ``other``: ``other``'s NetworkPolicy admits this service's pods (and,
        with egress rules, this one may reach it); with ``env``, the environment variable ``env``
        holds ``other``'s in-cluster URL."""
        if env is not None:
            self.add_env(env, other.url_from(self))
        other.allow_from(self)

    def allow_from(self, peer: Workload | Mapping[str, str] | Any) -> None:
        """Admit connections to the container port from ``peer``: one of this library's services,
        any cdk8s-plus workload or pod (``kp.Deployment``, ``kp.Job``, ``kp.CronJob``,
        ``kp.StatefulSet``, ``kp.Pod``), or the labels of the pods (same namespace)."""
        if isinstance(peer, Workload):
            self._peers.append(self._pod_peer(peer.selector, peer.namespace))
            peer._egress_to.append(self)
        elif isinstance(peer, Mapping):
            self._peers.append(self._pod_peer(dict(peer), self.namespace))
        elif hasattr(peer, "pod_metadata"):
            plus = sys.modules[type(peer).__module__.split(".")[0]]
            label = plus.Pod.ADDRESS_LABEL
            value = peer.pod_metadata.get_label(label)
            import cdk8s

            self._peers.append(self._pod_peer({label: value}, cdk8s.Chart.of(peer).namespace))
        else:
            raise TypeError(
                f"{owner_name(type(self), self.construct_id)}: allow_from takes a service of this library, a cdk8s-plus "
                f"workload or pod, or pod labels; not {type(peer).__name__}"
            )

    def allow_from_namespace(self, namespace: str) -> None:
        """Admit connections to the container port from every pod of ``namespace`` (e.g. the
        ingress controller's)."""
        self._peers.append({"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": namespace}}})

    def _pod_peer(self, labels: Mapping[str, str], namespace: str | None) -> dict[str, Any]:
        peer: dict[str, Any] = {"podSelector": {"matchLabels": dict(labels)}}
        if namespace is not None and namespace != self.namespace:
            peer["namespaceSelector"] = {"matchLabels": {"kubernetes.io/metadata.name": namespace}}
        return peer

    @property
    def allows_external(self) -> bool:
        """Whether anyone may connect (a browser, through a node port)."""
        if self._allow_external is not None:
            return self._allow_external
        return self.DEFAULT_ALLOW_EXTERNAL or self.service_type != "ClusterIP"

    def _policy_spec(self) -> dict[str, Any]:
        spec: dict[str, Any] = {
            "podSelector": self._match(),
            "policyTypes": ["Ingress"] if self.props.egress is None else ["Ingress", "Egress"],
            "ingress": Lazy(self._ingress_rules),
        }
        if self.props.egress is not None:
            spec["egress"] = Lazy(lambda: self._egress_rules(self.props.egress))
        return spec

    def _ingress_rules(self) -> list[dict[str, Any]]:
        port = [{"protocol": "TCP", "port": self.port}]
        if self.allows_external:
            return [{"ports": port}]
        return [{"from": list(self._peers), "ports": port}] if self._peers else []

    def _egress_rules(self, egress: Egress | None) -> list[dict[str, Any]]:
        assert egress is not None
        dns = {
            "to": [
                {
                    "namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "kube-system"}},
                    "podSelector": {"matchLabels": {"k8s-app": "kube-dns"}},
                }
            ],
            "ports": [{"protocol": "UDP", "port": 53}, {"protocol": "TCP", "port": 53}],
        }
        rules_: list[dict[str, Any]] = [dns]
        for other in self._egress_to:
            peer: dict[str, Any] = {"podSelector": other._match()}
            if other.namespace is not None and other.namespace != self.namespace:
                peer["namespaceSelector"] = {"matchLabels": {"kubernetes.io/metadata.name": other.namespace}}
            rules_.append({"to": [peer], "ports": [{"protocol": "TCP", "port": other.port}]})
        if egress.external_ports:
            rules_.append(
                {
                    "to": [{"ipBlock": {"cidr": cidr}} for cidr in egress.external_cidrs],
                    "ports": [{"protocol": "TCP", "port": port} for port in egress.external_ports],
                }
            )
        return rules_

    def pods(self) -> cdk8s_plus_27.Pods:
        """This service's pods as a cdk8s-plus-27 selection, a ``kp.NetworkPolicyPeer``: lets a
        cdk8s-plus workload reach them (``kp_workload.connections.allow_to(api.pods())``).
        Imports cdk8s-plus-27 (``pip install todo-constructs[plus]``)."""
        if self._pods is None:
            import cdk8s_plus_27 as kp

            namespaces = kp.Namespaces.select(self, "namespaces", names=[self.namespace]) if self.namespace else None
            self._pods = kp.Pods.select(self, "pods", labels=self.selector, namespaces=namespaces)
        pods: cdk8s_plus_27.Pods = self._pods
        return pods

    # --- the objects --------------------------------------------------------------------------

    @property
    def service_account(self) -> Manifest:
        found = self._get("service-account")
        assert found is not None
        return found

    @property
    def service(self) -> Manifest:
        found = self._get("service")
        assert found is not None
        return found

    @property
    def deployment(self) -> Manifest:
        found = self._get("deployment")
        assert found is not None
        return found

    @property
    def hpa(self) -> Manifest | None:
        """The HorizontalPodAutoscaler, with ``autoscaling``."""
        return self._get("hpa")

    @property
    def pdb(self) -> Manifest | None:
        """The PodDisruptionBudget, with more than one replica, an autoscaler, or when asked."""
        return self._get("pdb")

    @property
    def network_policy(self) -> Manifest | None:
        """The NetworkPolicy, unless ``network_policy=False``."""
        return self._get("network-policy")

    # --- pod security -------------------------------------------------------------------------

    @property
    def pod_security_level(self) -> Literal["restricted", "baseline", "privileged"]:
        """The strictest Pod Security Standard the pods meet."""
        security = self.props.security
        if not restricted_exceptions(security):
            return "restricted"
        if security.seccomp_profile == "Unconfined" or set(security.capabilities.add) - BASELINE_CAPABILITIES:
            return "privileged"
        return "baseline"

    def pod_security_exceptions(self) -> dict[str, str]:
        """Why the pods fall below "restricted": for each policy check they fail, what and why
        (the reason given in ``audit_skips``)."""
        return {
            check: f"{what} ({self.props.audit_skips.get(check, 'no reason given')})"
            for check, (_, what) in restricted_exceptions(self.props.security).items()
        }
