"""Workload: what every workload kind shares (a worker, a scheduled or a migration job, a service).

One hardened pod template (:mod:`._pod_template`), the ServiceAccount its pods run as (no API token
mounted unless asked), the workload's own objects (each kind's: a Deployment, a CronJob, a Job, a
Service, ...), and a NetworkPolicy that admits exactly the connections made in code. Every field is
what the props say: no generated name suffixes, no construct-path selector labels, no default
resources or probes nobody asked for.

Workloads connect in code::

    api.connect(mcp, env="MCP_SERVER_URL")   # the env var holds mcp's URL; mcp admits api's pods
    api.connect(cache, env="REDIS_URL", scheme="redis")  # a kp.Service: its pods admit api's too
    api.env_from_secret(creds, ["DATABASE_URL"])  # ours, cdk8s-plus's, or a Secret's name
    api.allow_from(nightly)                  # any cdk8s-plus workload, kp.Pods, kp.Namespaces, ...
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Collection, Mapping, Sequence
from typing import TYPE_CHECKING, Any, ClassVar, Literal, Self, Unpack

import cdk8s

from constructs import Construct

from . import _rules as rules
from ._audit import audit_annotations
from ._charts import AppCheck, ChartInfo, chart_info
from ._common import make_props, owner_name
from ._kp_admission import admit
from ._labels import default_selector, pod_labels, selects
from ._manifest import Lazy, Manifest, ManifestConstruct, object_meta
from ._peers import KpTarget, is_cdk8s_plus, kp_peer, names_pods, namespace_peer, pod_peer
from ._pod_props import Container, Probe, ResourceAmounts, Resources, relaxations, restricted_exceptions
from ._pod_security import BASELINE_CAPABILITIES, Level
from ._pod_template import (
    container_spec,
    drop_none,
    extra_container,
    main_container_name,
    pod_problems,
    pod_security_context,
    run_as,
    writable_volumes,
)
from ._prop_rules import image_tag
from ._props import Problem, PropsError, Term, literal, unchecked
from ._sources import ConfigMapSource, SecretSource, Source, key_list, missing_keys, secret_name, source_of
from ._workload_props import WorkloadOptions, WorkloadProps

if TYPE_CHECKING:
    import cdk8s_plus_27

__all__ = ["RELOADER_ANNOTATION", "Workload"]

RELOADER_ANNOTATION = "secret.reloader.stakater.com/reload"
"""Stakater Reloader restarts a workload's pods when a Secret this annotation names changes."""


class _EnvValue:
    """An environment variable with a literal value."""

    __slots__ = ("name", "value")

    def __init__(self, name: str, value: str) -> None:
        self.name = name
        self.value = value


class _EnvFrom:
    """An environment variable from one key of a ConfigMap or a Secret; ``values``: those of a
    ConfigMap this library renders (for the checksum), never a Secret's."""

    __slots__ = ("key", "name", "object_name", "source", "values")

    def __init__(
        self, name: str, source: Literal["configMap", "secret"], object_name: str, key: str, values: Mapping[str, str] | None
    ) -> None:
        self.name = name
        self.source = source
        self.object_name = object_name
        self.key = key
        self.values = values


def _declare_kp_peer() -> None:
    """Declare every workload a cdk8s-plus-27 ``INetworkPolicyPeer`` and ``IPodSelector``
    (``jsii.implements``, cdk8s-plus's own way), so that a cdk8s-plus object takes one of ours
    where it takes a peer: ``kp_obj.connections.allow_from(api)``. Done once the program has
    loaded cdk8s-plus-27, before the next workload is made (a chart without cdk8s-plus never
    loads it): workloads made before then are not peers to cdk8s-plus (``api.pods()`` is)."""
    import cdk8s_plus_27 as kp
    import jsii

    jsii.implements(kp.INetworkPolicyPeer, kp.IPodSelector)(Workload)
    Workload._kp_peer = True


_SCHEME = r"[a-z][a-z0-9+.-]*"


def _url_template(owner: str, env: str | None, scheme: str | None, url: str | None) -> Callable[[str, int], str]:
    """How :meth:`Workload.connect` writes a URL from a host and a port: ``<scheme>://host:port``
    (``http`` by default) or the template ``url`` (its fields: ``{host}``, ``{port}``)."""
    import re
    import string

    problems: list[Problem] = []
    if (scheme is not None or url is not None) and env is None:
        problems.append(Problem(("connect",), "scheme= and url= shape the URL written to env=; give env= too", "connect-options"))
    if scheme is not None and url is not None:
        problems.append(Problem(("connect",), "give scheme= or url=, not both", "connect-options"))
    if scheme is not None and (not isinstance(scheme, str) or not re.fullmatch(_SCHEME, scheme)):
        problems.append(
            Problem(
                ("connect", "scheme"),
                f"{scheme!r} is not a URL scheme: a lowercase letter, then letters, digits, '+', '-', '.' (e.g. 'redis')",
                "rule",
                scheme,
            )
        )
    if url is not None:
        if not isinstance(url, str):
            problems.append(
                Problem(
                    ("connect", "url"),
                    f"a URL template is a string such as 'redis://{{host}}:{{port}}/0', not {type(url).__name__}",
                    "type",
                    url,
                )
            )
        else:
            try:
                fields = [
                    (name, spec, conversion) for _, name, spec, conversion in string.Formatter().parse(url) if name is not None
                ]
            except ValueError:
                fields = [("", "", None)]
            names = {name for name, _, _ in fields}
            if (
                any(name not in ("host", "port") or spec or conversion for name, spec, conversion in fields)
                or "host" not in names
            ):
                problems.append(
                    Problem(
                        ("connect", "url"),
                        f"{url!r} is not a URL template: it needs {{host}}, and may have {{port}}, no other {{...}} (e.g. 'redis://{{host}}:{{port}}/0')",
                        "rule",
                        url,
                    )
                )
            elif any(character.isspace() or not character.isprintable() for character in url):
                problems.append(
                    Problem(("connect", "url"), f"{url!r} has a blank or control character; a URL has none", "rule", url)
                )
    if problems:
        raise PropsError(owner, problems)
    if url is not None:
        template = url
        return lambda host, port: template.format(host=host, port=port)
    prefix = f"{scheme or 'http'}://"
    return lambda host, port: f"{prefix}{host}:{port}"


def _named(secret: object) -> str:
    """The name of an image pull secret (checked with the props)."""
    return secret if isinstance(secret, str) else secret_name(secret, owner="", argument="image_pull_secrets")


def plus_egress_on_ours(root: Construct) -> list[str]:
    """cdk8s-plus NetworkPolicies that restrict the egress of this library's pods."""
    constructs = root.node.find_all()  # the tree, asked of cdk8s once
    ours = [c for c in constructs if isinstance(c, Workload)]
    if not ours:
        return []
    found = []
    for construct in constructs:
        if not (is_cdk8s_plus(construct) and type(construct).__name__ == "NetworkPolicy"):
            continue
        policy = cdk8s.ApiObject.of(construct).to_json()
        spec = policy.get("spec") or {}
        if "Egress" not in (spec.get("policyTypes") or []):
            continue
        selector = spec.get("podSelector") or {}
        if selector.get("matchExpressions"):
            continue
        labels = selector.get("matchLabels") or {}
        namespace = (policy.get("metadata") or {}).get("namespace") or cdk8s.Chart.of(construct).namespace
        for workload in ours:
            if workload.namespace == namespace and selects(labels, workload.labels):
                owner = owner_name(type(workload), workload.construct_id)
                found.append(
                    f"the cdk8s-plus NetworkPolicy {construct.node.path} limits the egress of {owner}'s pods to what it "
                    f"lists: their DNS and every other connection would be cut. To let {workload.construct_id} reach a "
                    f"cdk8s-plus workload, call {workload.construct_id}.connect(<its Service or workload>) (both sides are "
                    f"opened) instead of <workload>.connections.allow_from(...{workload.construct_id}...)"
                )
    return found


def _clashes(info: ChartInfo, name: str, selector: Mapping[str, str], labels: Mapping[str, str]) -> list[Problem]:
    """A name another workload of the chart has, or selectors that overlap (either workload's
    selector matching the other's pods). Indexed by label: linear in the workloads."""
    registry = info.registry
    names: dict[str, Workload] = registry.setdefault("service-names", {})
    if name in names:
        other = names[name]
        return [
            Problem(("name",), f"{name} is already the name of {owner_name(type(other), other.construct_id)}", "name-taken", name)
        ]
    carrying: dict[tuple[str, str], list[Workload]] = registry.setdefault("pod-labels", {})
    selecting: dict[tuple[str, str], list[Workload]] = registry.setdefault("selector-last-labels", {})
    carriers: list[list[Workload]] = [carrying.get(label, []) for label in selector.items()]
    candidates: list[Workload] = []
    if carriers:  # the pods that carry the rarest of its selector's labels
        smallest = carriers[0]
        for carrier in carriers[1:]:
            if len(carrier) < len(smallest):
                smallest = carrier
        candidates = list(smallest)
    for label in labels.items():
        candidates += selecting.get(label, [])
    for other in candidates:
        if selects(selector, other.labels) or selects(other.selector, labels):
            return [
                Problem(
                    ("selector_labels",),
                    f"the selector {dict(selector)} and the pods of {owner_name(type(other), other.construct_id)} "
                    "overlap; add a label that tells them apart",
                    "selector-overlap",
                    dict(selector),
                )
            ]
    return []


def _register(info: ChartInfo, workload: Workload) -> None:
    """Note ``workload``'s name, pod labels and selector in its chart, for :func:`_clashes`."""
    registry = info.registry
    registry.setdefault("service-names", {})[workload.name] = workload
    for label in workload.labels.items():
        registry.setdefault("pod-labels", {}).setdefault(label, []).append(workload)
    if workload.selector:
        registry.setdefault("selector-last-labels", {}).setdefault(max(workload.selector.items()), []).append(workload)


class Workload(ManifestConstruct):
    """The shared base of every workload kind: a pod template and what goes with it (see the
    module). Not made directly: use :class:`~._api_service.ApiService`, :class:`~._worker_service.WorkerService`,
    :class:`~._scheduled_job.ScheduledJob`, ... Every object has the same name (``name``, default:
    the construct ID) and the recommended labels. Invalid props raise :class:`~._props.PropsError`
    listing every problem."""

    DEFAULT_RESOURCES: ClassVar[Resources] = unchecked(
        Resources,
        requests=unchecked(ResourceAmounts, cpu="100m", memory="128Mi"),
        limits=unchecked(ResourceAmounts, cpu="500m", memory="512Mi"),
    )
    DEFAULT_WRITABLE_PATHS: ClassVar[tuple[str, ...]] = ("/tmp",)
    PROPS: ClassVar[type[WorkloadProps]] = WorkloadProps
    APP_CHECKS: ClassVar[tuple[AppCheck, ...]] = (*ManifestConstruct.APP_CHECKS, plus_egress_on_ours)
    POD_PATH: ClassVar[tuple[str, ...]] = ("spec", "template")
    """Where the pod template is in the workload object."""

    props: WorkloadProps
    _kp_peer: ClassVar[bool] = False
    """Whether the class is declared a cdk8s-plus-27 peer (see :func:`_declare_kp_peer`)."""

    def __init__(self, scope: Construct, id: str, *, image: str, **options: Unpack[WorkloadOptions]) -> None:
        self._build(scope, id, self.check_props(id, image=image, **options))

    # --- props ------------------------------------------------------------------------------

    @classmethod
    def check_props(
        cls, id: str, *, kind_rules: bool = True, rules_checked: Collection[str] | None = None, **kwargs: Any
    ) -> WorkloadProps:
        """The props a construct ``id`` of this kind would have, checked, without building it:
        raise :class:`~._props.PropsError` with every problem (the rules of each prop, between them,
        and, unless ``kind_rules`` is false, the kind's). ``rules_checked``: props whose rules the
        caller has checked already (as a values file's loader does), not checked again."""
        owner = owner_name(cls, id)
        props = make_props(cls.PROPS, owner, id, rules_checked=rules_checked, **kwargs)
        problems = cls._kind_problems(props, id) if kind_rules else []
        if problems:
            raise PropsError(owner, problems)
        return props

    @classmethod
    def from_props(cls, scope: Construct, id: str, props: WorkloadProps) -> Self:
        """The construct ``id`` of props made by :meth:`check_props` (not checked again). Props of
        another class (another kind's, a dict) are a TypeError, before anything joins the tree."""
        cls._own_props(id, props)
        workload = cls.__new__(cls)
        workload._build(scope, id, props)
        return workload

    @classmethod
    def _own_props(cls, id: str, props: object) -> None:
        """Refuse ``props`` that are not this kind's (its :attr:`PROPS` or a subclass)."""
        wanted: Any = cls.PROPS
        if not isinstance(props, wanted):
            raise TypeError(
                f"{owner_name(cls, id)}: from_props takes {wanted.__name__} (from {cls.__name__}.check_props), "
                f"not {type(props).__name__}"
            )

    @classmethod
    def selector_of(cls, props: WorkloadProps, id: str, chart_id: str) -> dict[str, str]:
        """The labels a workload ``id`` with ``props``, in a chart of ID ``chart_id``, selects its pods by."""
        if props.selector_labels is not None:
            return dict(props.selector_labels)
        return default_selector(props.name or id, props.instance or chart_id)

    @classmethod
    def labels_of(cls, props: WorkloadProps, id: str, chart_id: str) -> dict[str, str]:
        """The labels of every object (and pod) of a workload ``id`` with ``props``, in a chart of
        ID ``chart_id``: the recommended ones, ``labels``, then the selector's."""
        instance = props.instance or chart_id
        tag = image_tag(props.image)
        return pod_labels(
            name=props.name or id,
            instance=instance,
            component=props.component or id,
            part_of=props.part_of or instance,
            version=props.version or (tag if tag is not None and not rules.label_value(tag) else None),
            extra=props.labels,
            selector=cls.selector_of(props, id, chart_id),
        )

    @classmethod
    def _kind_problems(cls, props: WorkloadProps, id: str) -> list[Problem]:
        found: list[Problem] = []
        if props.name is None:
            found += [
                Problem(("name",), f"the construct ID {message}; pass name=", "rule", id) for message in rules.dns1035_label(id)
            ]
        name = props.name or id
        owned = dict.fromkeys(rules.cluster_owned_name("ServiceAccount", name) + rules.cluster_owned_name("Service", name))
        found += [Problem(("name",), message, "reserved-name", name) for message in owned]
        writable = props.writable_paths if props.writable_paths is not None else cls.default_writable_paths_of(props)
        found += pod_problems(
            main_name=main_container_name(props.component, id, props.name),
            main_security=props.security,
            main_writable=writable,
            main_volumes=props.volumes,
            init_containers=props.init_containers,
            sidecars=props.sidecars,
        )
        if getattr(cls, "port_of", None) is None:  # a kind that listens on no port: a probe given must not check nothing
            for field in ("liveness", "readiness", "startup"):
                probe = getattr(props.probes, field)
                if probe is not None and probe != Probe() and probe.action(None) is None:
                    what = f"an HTTP probe of {probe.path!r}" if probe.path is not None else "a TCP probe"
                    found.append(
                        Problem.worded(
                            ("probes", field),
                            f"{literal(what)} needs a port, and a {cls.__name__} listens on none: it would check nothing "
                            "(and be left out); give the probe its port, or an {0}",
                            Term.prop("exec_command"),
                            code="probe-checks-nothing",
                        )
                    )
        return found

    # --- building ---------------------------------------------------------------------------

    def _build(self, scope: Construct, id: str, props: WorkloadProps) -> None:
        if not Workload._kp_peer and "cdk8s_plus_27" in sys.modules:
            _declare_kp_peer()  # before the jsii object is made: its overrides are fixed then
        info = chart_info(scope)
        name = props.name or id
        selector = type(self).selector_of(props, id, info.id)
        labels = type(self).labels_of(props, id, info.id)
        clashes = _clashes(info, name, selector, labels)
        if clashes:  # before it joins the tree: a refused construct leaves nothing behind
            raise PropsError(owner_name(type(self), id), clashes)
        super().__init__(scope, id)
        self.props = props
        self.name: str = name
        """Name of every object of the workload; a Service's is its host name in the namespace."""
        self.namespace: str | None = info.namespace
        self.selector: dict[str, str] = selector
        """The labels the workload's selectors select its pods by."""
        self.labels: dict[str, str] = labels
        """The labels of every object of the workload and of its pods."""
        self._env: list[_EnvValue | _EnvFrom] = [_EnvValue(name, value) for name, value in props.env.items()]
        self._env_from: list[dict[str, Any]] = []
        self._whole_configs: list[tuple[str, Mapping[str, str]]] = []
        self._peers: list[dict[str, Any] | Callable[[], list[dict[str, Any]]]] = []
        self._egress_to: list[tuple[Callable[[], list[dict[str, Any]]], Callable[[], list[dict[str, Any]]]]] = []
        self._pods: Any = None
        _register(info, self)
        self._object(
            "service-account", "v1", "ServiceAccount", automountServiceAccountToken=props.automount_service_account_token
        )
        self._objects_of_kind()
        if props.network_policy:
            self._object("network-policy", "networking.k8s.io/v1", "NetworkPolicy", spec=self._policy_spec())
        if not info.deferred:
            self.node.default_child = self._objects[self.MAIN]

    MAIN: ClassVar[str] = "deployment"
    """The construct ID of the workload object (``cdk8s.ApiObject.of(workload)`` gives it)."""

    def _objects_of_kind(self) -> None:
        """Add the kind's own objects (between the ServiceAccount and the NetworkPolicy)."""
        raise NotImplementedError

    @property
    def port(self) -> int | None:
        """The port the container listens on (None: the workload serves nothing)."""
        return None

    def create_objects(self) -> None:
        deferred = self.MAIN not in self._objects
        super().create_objects()
        if deferred:
            self.node.default_child = self._objects[self.MAIN]

    def _object(self, id: str, api_version: str, kind: str, *, name: Any = None, annotations: Any = None, **body: Any) -> None:
        audit = {**self.props.annotations, **audit_annotations(self._audit_skips(), kind)}
        meta = object_meta(self.name, namespace=self.namespace, labels=self.labels, annotations=audit)
        if name is not None:
            meta["name"] = name
        if annotations is not None:
            meta["annotations"] = Lazy(lambda: {**audit, **(annotations() or {})} or None)
        self._add(id, {"apiVersion": api_version, "kind": kind, "metadata": meta, **body})

    def _audit_skips(self) -> dict[str, str]:
        """``audit_skips``, and each relaxation's reason under its policy-scanner check."""
        skips = dict(self.props.audit_skips)
        for security in self._securities():
            for relaxation in relaxations(security):
                reason = security.reasons.get(relaxation.name)
                if reason is not None:
                    skips.setdefault(relaxation.check, reason)
        return skips

    def _securities(self) -> list[Any]:
        return [self.props.security, *(c.security for c in (*self.props.init_containers, *self.props.sidecars))]

    def _workload_annotations(self) -> dict[str, str] | None:
        """Stakater Reloader's annotation, with ``reloader``: it restarts the pods when one of the
        Secrets they read changes."""
        secrets = self.secrets_read
        if not self.props.reloader or not secrets:
            return None
        return {RELOADER_ANNOTATION: ",".join(secrets)}

    def _main_annotations(self) -> Callable[[], dict[str, str] | None] | None:
        return self._workload_annotations if self.props.reloader else None

    # --- the pod ------------------------------------------------------------------------------

    @property
    def writable_paths(self) -> list[str]:
        """The directories that get a writable emptyDir."""
        paths = self.props.writable_paths
        return list(paths if paths is not None else self.default_writable_paths())

    def default_writable_paths(self) -> tuple[str, ...]:
        return type(self).default_writable_paths_of(self.props)

    @classmethod
    def default_writable_paths_of(cls, props: Any) -> tuple[str, ...]:
        """The writable paths of a workload of this kind with ``props`` that gives none."""
        return cls.DEFAULT_WRITABLE_PATHS

    @property
    def resources(self) -> Resources:
        """Requests and limits, after the kind's default."""
        return self.props.resources if self.props.resources is not None else self.DEFAULT_RESOURCES

    def _pod_template(self) -> dict[str, Any]:
        props = self.props
        labels = {**self.labels, **props.pod_labels}
        return {"metadata": {"labels": labels, "annotations": Lazy(self._pod_annotations)}, "spec": self._pod_spec()}

    def _pod_spec(self) -> dict[str, Any]:
        props = self.props
        main_volumes = [*writable_volumes(props.security, self.writable_paths), *props.volumes]
        main = container_spec(
            name=main_container_name(props.component, self.construct_id, props.name),
            image=props.image,
            image_pull_policy=props.image_pull_policy,
            command=props.command,
            args=props.args,
            port=self.port,
            env=Lazy(self._env_vars),
            env_from=Lazy(lambda: list(self._env_from) or None),
            resources=self.resources,
            probes=props.probes,
            security=props.security,
            volumes=main_volumes,
            pre_stop=props.pre_stop,
        )
        pod_user = run_as(props.security)[0]
        init_containers = [*self._seeding_containers(), *props.init_containers]
        init, init_volumes = self._extras(init_containers, probed=False, pod_user=pod_user)
        sidecars, sidecar_volumes = self._extras(props.sidecars, probed=True, pod_user=pod_user)
        every_volume = (*main_volumes, *init_volumes, *sidecar_volumes)
        volumes = {volume.name: volume.pod_volume() for volume in every_volume}
        return drop_none(
            serviceAccountName=self.name,
            automountServiceAccountToken=props.automount_service_account_token,
            terminationGracePeriodSeconds=props.termination_grace_period_seconds,
            securityContext=pod_security_context(props.security, every_volume),
            initContainers=init or None,
            containers=[main, *sidecars],
            volumes=list(volumes.values()) or None,
            nodeSelector=dict(props.node_selector) or None,
            tolerations=[toleration.spec() for toleration in props.tolerations] or None,
            affinity=dict(props.affinity) if props.affinity is not None else None,
            topologySpreadConstraints=[
                {
                    "maxSkew": spread.max_skew,
                    "topologyKey": spread.topology_key,
                    "whenUnsatisfiable": spread.when_unsatisfiable,
                    "labelSelector": {"matchLabels": dict(self.selector)},
                }
                for spread in props.topology_spread
            ]
            or None,
            priorityClassName=props.priority_class_name,
            imagePullSecrets=[{"name": _named(secret)} for secret in props.image_pull_secrets] or None,
            **self._pod_spec_extra(),
        )

    def _seeding_containers(self) -> list[Container]:
        """Init containers the kind adds before the user's (a Next.js server's writable build
        directory, seeded from the image)."""
        return []

    def _pod_spec_extra(self) -> dict[str, Any]:
        """What the kind adds to the pod spec (a job's restart policy)."""
        return {}

    @staticmethod
    def _extras(containers: Sequence[Any], *, probed: bool, pod_user: int | None) -> tuple[list[dict[str, Any]], list[Any]]:
        specs, volumes = [], []
        for container in containers:
            spec, own = extra_container(container, probed=probed, pod_user=pod_user)
            specs.append(spec)
            volumes += own
        return specs, volumes

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
        """``pod_annotations``, and ``checksum/config``: a digest of every ConfigMap value the pods
        read (of the ConfigMaps this library renders), so that changing one rolls the pods. Never
        of a Secret's values: the annotation is in files that are committed and in diffs that are
        logged, and a digest of a value lets anyone check a guess offline (see
        :attr:`secrets_read` for rotation)."""
        annotations = dict(self.props.pod_annotations)
        material = [
            ["configMap", ref.object_name, ref.key, ref.values[ref.key]]
            for ref in self._env
            if isinstance(ref, _EnvFrom) and ref.values is not None
        ]
        material += [["configMap", name, key, value] for name, values in self._whole_configs for key, value in values.items()]
        if material:
            from ._digest import json_digest  # here: a synth without env from ConfigMaps never loads it

            annotations["checksum/config"] = json_digest(material)
        return annotations or None

    @property
    def secrets_read(self) -> list[str]:
        """The names of the Secrets the pods read, in order: a changed value reaches them only
        when they restart (``kubectl rollout restart``, or Reloader with ``reloader=True``)."""
        named = [e.object_name for e in self._env if isinstance(e, _EnvFrom) and e.source == "secret"]
        named += [e["secretRef"]["name"] for e in self._env_from if "secretRef" in e]
        named += [v.source for v in self.props.volumes if v.kind == "secret" and v.source is not None]
        return list(dict.fromkeys(named))

    def add_env(self, name: str, value: str) -> None:
        """Add the environment variable ``name`` with a literal value (a string, as Kubernetes takes it)."""
        for argument, given in (("name", name), ("value", value)):
            if not isinstance(given, str):
                raise TypeError(
                    f"{owner_name(type(self), self.construct_id)}: add_env takes its {argument} as a string, "
                    f"not {type(given).__name__} (write {str(given)!r})"
                )
        self._check_env_name(name)
        self._env.append(_EnvValue(name, value))

    def env_from_config_map(
        self, config_map: ConfigMapSource, keys: Sequence[str] | None = None, *, prefix: str | None = None
    ) -> None:
        """Read the ConfigMap ``config_map`` (an :class:`~._app_config.AppConfig`, a ``kp.ConfigMap``
        or the name of one) into the environment: a variable for each of ``keys`` (named like the
        key; a key it is known not to have is refused, with the nearest it has), or, without
        ``keys``, every key it has (``envFrom``, each name after ``prefix``). A change of an
        AppConfig's values rolls the pods."""
        self._read_env("configMap", config_map, keys, prefix)

    def env_from_secret(self, secret: SecretSource, keys: Sequence[str] | None = None, *, prefix: str | None = None) -> None:
        """Read the Secret ``secret`` (an :class:`~._app_secret.AppSecret`, a ``kp.Secret``, one
        imported with ``kp.Secret.from_secret_name``, or the name of one, e.g. made with ``kubectl
        create secret``) into the environment: a variable for each of ``keys`` (named like the key;
        a key it is known not to have is refused, with the nearest it has), or, without ``keys``,
        every key it has (``envFrom``, each name after ``prefix``)."""
        self._read_env("secret", secret, keys, prefix)

    def _read_env(self, source: Literal["configMap", "secret"], holder: object, keys: Any, prefix: str | None) -> None:
        owner = owner_name(type(self), self.construct_id)
        if source == "configMap":
            way_out = {"Secret": "read a Secret with env_from_secret(...)"}
            found = source_of(holder, "ConfigMap", owner=owner, argument="config_map", way_out=way_out)
        else:
            way_out = {"ConfigMap": "read a ConfigMap with env_from_config_map(...)"}
            found = source_of(holder, "Secret", owner=owner, argument="secret", way_out=way_out)
        names = key_list(keys, owner=owner, argument="keys")
        if names is None:
            self._env_from_whole(source, found.name, found.values, prefix)
        else:
            self._env_from_keys(source, found, names)

    def _env_from_whole(self, source: Literal["configMap", "secret"], name: str, values: Any, prefix: str | None) -> None:
        if prefix is not None and rules.env_var_name(prefix):
            problem = Problem(
                ("env_from",), f"{prefix!r} is not an environment variable prefix (letters, digits, '_')", "rule", prefix
            )
            raise PropsError(owner_name(type(self), self.construct_id), [problem])
        entry: dict[str, Any] = {"configMapRef" if source == "configMap" else "secretRef": {"name": name}}
        if prefix is not None:
            entry["prefix"] = prefix
        self._env_from.append(entry)
        if values is not None:  # the checksum covers every value read
            self._whole_configs.append((name, values))

    def _env_from_keys(self, source: Literal["configMap", "secret"], found: Source, names: list[str]) -> None:
        for key in names:
            self._check_env_name(key)
        absent = missing_keys(found, names, ("keys",))
        if absent:
            raise PropsError(owner_name(type(self), self.construct_id), absent)
        self._env += [_EnvFrom(key, source, found.name, key, found.values) for key in names]

    def _check_env_name(self, name: str) -> None:
        problems = rules.env_var_name(name)
        taken = {entry.name for entry in self._env}
        if name in taken:
            problems.append(f"{name} is already set")
        if problems:
            raise PropsError(
                owner_name(type(self), self.construct_id), [Problem(("env", name), p, "rule", name) for p in problems]
            )

    # --- connections ---------------------------------------------------------------------------

    def endpoint(self, namespace: str | None) -> tuple[str, int] | None:
        """The host name (as seen from ``namespace``) and port it serves on: none, unless it is a
        service (:meth:`connect` to it is then refused)."""
        return None

    def connect(
        self,
        other: Workload | cdk8s_plus_27.Service | cdk8s_plus_27.AbstractPod,
        *,
        env: str | None = None,
        scheme: str | None = None,
        url: str | None = None,
    ) -> None:
        """This workload calls ``other``: one of this library's services, a ``kp.Service`` that
        selects pods, or a cdk8s-plus workload with a container port. ``other``'s pods admit this
        workload's on their ports (a NetworkPolicy: ours, or ``<name>-admit`` that this library
        renders for cdk8s-plus pods) and, with egress rules, this one may reach them there.

        With ``env``, the environment variable ``env`` holds ``other``'s in-cluster URL (a
        service's or a ``kp.Service``'s; a cdk8s-plus workload has none, give its Service):
        ``http://<host>:<port>``, or with ``scheme="redis"`` ``redis://<host>:<port>``, or
        ``url="postgresql://app@{host}:{port}/shop"``, a template of ``{host}`` and ``{port}``.

        A destination outside the cluster's pods (an ExternalName Service, one without a selector)
        is refused: reach it with ``egress=Egress(external=[Destination(cidrs=..., ports=...)])``."""
        owner = owner_name(type(self), self.construct_id)
        template = _url_template(owner, env, scheme, url)
        endpoint = other.endpoint(self.namespace) if isinstance(other, Workload) else None
        if isinstance(other, Workload) and endpoint is not None:
            if env is not None:
                self.add_env(env, template(*endpoint))
            other.allow_from(self)
            return
        if isinstance(other, Workload):
            raise PropsError(
                owner,
                [
                    Problem(
                        ("connect",),
                        f"{owner_name(type(other), other.construct_id)} serves nothing to connect to; "
                        f"let it reach this one instead: {other.construct_id}.connect({self.construct_id})",
                        "connect-to-nothing",
                    )
                ],
            )
        if not is_cdk8s_plus(other) or not (hasattr(other, "ports") or hasattr(other, "pod_metadata")):
            raise TypeError(
                f"{owner}: connect takes one of this library's services, a cdk8s-plus "
                f"Service or a cdk8s-plus workload; not {type(other).__name__}"
            )
        target = KpTarget(other)
        problem = target.problem()
        if problem is not None:
            raise PropsError(owner, [Problem(("connect",), problem, "connect-to-nothing")])
        if env is not None:
            if not target.is_service:
                raise PropsError(
                    owner,
                    [
                        Problem(
                            ("connect",),
                            f"the cdk8s-plus workload {target.id} has no URL; connect to its Service "
                            f"({target.id}.expose_via_service()) for env={env!r}",
                            "connect-to-nothing",
                        )
                    ],
                )
            self.add_env(env, template(target.host(self.namespace), target.service_port))
        admit(self, target)
        self._egress_to.append((lambda: [pod_peer(target.pod_labels(), target.namespace, self.namespace)], target.pod_ports))

    def allow_from(self, peer: Workload | Mapping[str, str] | cdk8s_plus_27.INetworkPolicyPeer) -> None:
        """Admit connections from ``peer``, on this workload's port:

        - one of this library's workloads: its pods (and, with egress rules, they may reach these);
        - a cdk8s-plus workload or pod (``kp.Deployment``, ``kp.StatefulSet``, ``kp.Job``,
          ``kp.CronJob``, ``kp.Pod``): its pods;
        - ``kp.Pods``: the pods it selects (``kp.Pods.all``: every pod of the namespace);
        - ``kp.Namespaces``: every pod of the namespaces it selects;
        - ``kp.NetworkPolicyIpBlock``: the addresses of its block;
        - a mapping of labels: the pods of this namespace with those labels.

        An internal :class:`~._mcp_service.McpService` refuses whole namespaces and address blocks
        unless ``expose_node_port=True``."""
        if isinstance(peer, Workload):
            self._peers.append(pod_peer(peer.selector, peer.namespace, self.namespace))
            peer._egress_to.append((lambda: [pod_peer(self.selector, self.namespace, peer.namespace)], self._own_ports))
        elif isinstance(peer, Mapping):
            strings = all(isinstance(key, str) and isinstance(value, str) for key, value in peer.items())
            if not peer or not strings or rules.labels(peer):
                raise PropsError(
                    owner_name(type(self), self.construct_id),
                    [Problem(("allow_from",), f"{dict(peer)} is not a set of pod labels", "rule", peer)],
                )
            self._peers.append(pod_peer(dict(peer), self.namespace, self.namespace))
        elif is_cdk8s_plus(peer) and hasattr(peer, "to_network_policy_peer_config"):
            produce = kp_peer(peer, self.namespace)
            if self._guards_opening() and not hasattr(peer, "pod_metadata"):
                broad = [found for found in produce() if not names_pods(found)]
                if broad:
                    self._refuse_opening("allow_from", f"{type(peer).__name__} {broad}")
            self._peers.append(produce)
        else:
            raise TypeError(
                f"{owner_name(type(self), self.construct_id)}: allow_from takes a workload of this library, a cdk8s-plus "
                f"workload, pod, kp.Pods, kp.Namespaces or kp.NetworkPolicyIpBlock, or pod labels; not {type(peer).__name__}"
            )

    def allow_from_namespace(self, namespace: str) -> None:
        """Admit connections from every pod of ``namespace`` (e.g. the ingress controller's)."""
        owner = owner_name(type(self), self.construct_id)
        if not isinstance(namespace, str):
            raise TypeError(f"{owner}: allow_from_namespace takes a namespace's name, not {type(namespace).__name__}")
        problems = rules.dns1123_label(namespace)
        if problems:
            raise PropsError(
                owner, [Problem(("allow_from_namespace",), f"{p}; give a namespace's name", "rule", namespace) for p in problems]
            )
        if self._guards_opening():
            self._refuse_opening("allow_from_namespace", f"every pod of namespace {namespace}")
        self._peers.append(namespace_peer(namespace))

    def allow_from_cidr(self, cidr: str) -> None:
        """Admit connections from the addresses of ``cidr`` (e.g. a load balancer's)."""
        owner = owner_name(type(self), self.construct_id)
        if not isinstance(cidr, str):
            raise TypeError(f"{owner}: allow_from_cidr takes a CIDR such as '10.0.0.0/8', not {type(cidr).__name__}")
        problems = rules.cidr(cidr)
        if problems:
            raise PropsError(owner, [Problem(("allow_from",), p, "rule", cidr) for p in problems])
        if self._guards_opening():
            self._refuse_opening("allow_from_cidr", f"the addresses {cidr}")
        self._peers.append({"ipBlock": {"cidr": cidr}})

    def _guards_opening(self) -> bool:
        """Whether the workload must stay reachable from named workloads only (an internal kind):
        then whole namespaces and address blocks are refused."""
        return False

    def _refuse_opening(self, argument: str, what: str) -> None:
        """Refuse to admit ``what`` (given to ``argument``) to a workload that :meth:`_guards_opening`."""
        raise PropsError(
            owner_name(type(self), self.construct_id),
            [Problem((argument,), f"{what} {self._opening_refusal()}", "internal-server-exposed")],
        )

    def _opening_refusal(self) -> str:
        return "would open this workload beyond named workloads"

    def _own_ports(self) -> list[dict[str, Any]]:
        """The NetworkPolicy ports the pods admit connections on."""
        return [] if self.port is None else [{"protocol": "TCP", "port": self.port}]

    def _peer_list(self) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        for peer in self._peers:
            if callable(peer):
                out.extend(peer())
            else:
                out.append(peer)
        return out

    def _policy_spec(self) -> dict[str, Any]:
        egress = self.props.egress
        spec: dict[str, Any] = {
            "podSelector": {"matchLabels": dict(self.selector)},
            "policyTypes": ["Ingress"] if egress is None else ["Ingress", "Egress"],
            # no rule: no ingress key (the API server drops an empty list, and the next apply would change it again)
            "ingress": Lazy(lambda: self._ingress_rules() or None),
        }
        if egress is not None:
            spec["egress"] = Lazy(self._egress_rules)
        return spec

    def _ingress_rules(self) -> list[dict[str, Any]]:
        """Whom the pods admit: nobody (a workload that serves nothing)."""
        return []

    def _egress_rules(self) -> list[dict[str, Any]]:
        """DNS; each workload this one connects to, on its ports (none: no rule); each external
        destination, on its own ports."""
        egress = self.props.egress
        assert egress is not None
        rules_: list[dict[str, Any]] = [
            {"to": [egress.dns.peer()], "ports": [{"protocol": "UDP", "port": 53}, {"protocol": "TCP", "port": 53}]}
        ]
        for peers, ports in self._egress_to:
            found = ports()
            if found:
                rules_.append({"to": peers(), "ports": found})
        for destination in egress.destinations():
            rules_.append(
                {
                    "to": [{"ipBlock": {"cidr": cidr}} for cidr in destination.cidrs],
                    "ports": [{"protocol": "TCP", "port": port} for port in destination.ports],
                }
            )
        return rules_

    # cdk8s-plus-27's kp.INetworkPolicyPeer and kp.IPodSelector: kp_obj.connections.allow_from(api)

    def to_network_policy_peer_config(self) -> cdk8s_plus_27.NetworkPolicyPeerConfig:
        """This workload's pods as cdk8s-plus renders a peer (:meth:`pods`)."""
        return self.pods().to_network_policy_peer_config()

    def to_pod_selector(self) -> cdk8s_plus_27.IPodSelector | None:
        return self.pods().to_pod_selector()

    def to_pod_selector_config(self) -> cdk8s_plus_27.PodSelectorConfig:
        return self.pods().to_pod_selector_config()

    def pods(self) -> cdk8s_plus_27.Pods:
        """This workload's pods as a cdk8s-plus-27 selection, a ``kp.NetworkPolicyPeer``: lets a
        cdk8s-plus workload reach them (``kp_workload.connections.allow_to(api.pods())``).
        Imports cdk8s-plus-27 (``pip install webapp-constructs[plus]``)."""
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
    def network_policy(self) -> Manifest | None:
        """The NetworkPolicy, unless ``network_policy=False``."""
        return self._get("network-policy")

    # --- pod security -------------------------------------------------------------------------

    @property
    def pod_security_level(self) -> Level:
        """The strictest Pod Security Standard the pods meet."""
        level: Level = "restricted"
        for security in self._securities():
            if not restricted_exceptions(security):
                continue
            if security.seccomp_profile == "Unconfined" or set(security.capabilities.add) - BASELINE_CAPABILITIES:
                return "privileged"
            level = "baseline"
        return level

    def pod_security_exceptions(self) -> dict[str, str]:
        """Why the pods fall below "restricted": for each relaxation that does, what and why (its reason)."""
        found: dict[str, str] = {}
        for security in self._securities():
            for relaxation in restricted_exceptions(security):
                reason = security.reasons.get(relaxation.name) or self.props.audit_skips.get(relaxation.check, "no reason given")
                found.setdefault(relaxation.check, f"{relaxation.what} ({reason})")
        return found
