"""Manifests: Kubernetes objects built as plain dicts on the Python side, and the construct base
that renders them.

Every object of this library is a :class:`Manifest`, a real ``cdk8s.ApiObject`` whose content is a
plain dict (``.manifest``). It behaves as every cdk8s object does:

* ``obj.metadata.add_label(...)``, ``add_annotation``, ``add_finalizers``, ``add_owner_reference``;
* labels given to ``cdk8s.Chart(..., labels=...)``;
* ``cdk8s.ApiObject.of(obj).add_json_patch(cdk8s.JsonPatch.add(...))``;
* ``obj.name``, ``obj.kind``, ``obj.api_version``;
* rendered by ``App.synth()``, ``cdk8s.Testing.synth()`` and :func:`chart_manifests` alike.

Why plain dicts and not the generated ``imports/k8s`` classes: every jsii call crosses to Node.js,
and a typed struct crosses the bridge field by field (a ``Manifest`` is one call to create and
none to render on the Python side; ``make bench`` measures what a service costs). The
library does not depend on any ``imports/`` package, so an app's own ``imports/k8s`` is free.

What the library knows of each chart, and the checks an app's synth runs, are in :mod:`._charts`.

Values may be :class:`Lazy`: computed when the object is rendered (the env of a Deployment that
``connect`` adds to later, the rules of a NetworkPolicy that ``allow_from`` adds to).
"""

from __future__ import annotations

import copy
import types
from collections.abc import Callable, Iterator, Mapping
from typing import Any, ClassVar, NamedTuple

import cdk8s

from constructs import Construct

from ._audit import object_audit_problems
from ._charts import AppCheck, _check_app, chart_info, raised_in_synth
from ._peers import is_cdk8s_plus

__all__ = [
    "Lazy",
    "Manifest",
    "ManifestConstruct",
    "RenderedObject",
    "audit_reasons",
    "chart_manifests",
    "duplicate_objects",
    "object_meta",
    "render",
    "rendered_objects",
    "resolve",
]

_FIRST = ("apiVersion", "kind", "metadata")


class Lazy:
    """A value computed when the object is rendered; ``None`` leaves the field out."""

    __slots__ = ("produce",)

    def __init__(self, produce: Callable[[], Any]) -> None:
        self.produce = produce

    def __repr__(self) -> str:
        return f"Lazy({self.produce!r})"


_SCALARS = frozenset({str, int, bool, float})


def resolve(value: Any) -> Any:
    """A deep copy of ``value`` with every :class:`Lazy` produced, mapping keys sorted (as cdk8s
    sorts them) and None values dropped from mappings."""
    kind = type(value)
    if kind is dict:  # most containers; their scalar entries are copied without a call
        out = {}
        for key in sorted(value):
            item = value[key]
            if type(item) not in _SCALARS:
                item = resolve(item)
                if item is None:
                    continue
            out[key] = item
        return out
    if kind in _SCALARS:
        return value
    if kind is list:
        return [item if type(item) in _SCALARS else resolve(item) for item in value]
    while isinstance(value, Lazy):
        value = value.produce()
    if isinstance(value, Mapping):
        return resolve(dict(value))
    if isinstance(value, list | tuple):
        return [resolve(item) for item in value]
    return value


def object_meta(
    name: str,
    *,
    namespace: str | None = None,
    labels: Mapping[str, str] | None = None,
    annotations: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """A ``metadata`` dict without empty fields."""
    meta: dict[str, Any] = {"name": name}
    if namespace:
        meta["namespace"] = namespace
    if labels:
        meta["labels"] = dict(labels)
    if annotations:
        meta["annotations"] = dict(annotations)
    return meta


class _Metadata(cdk8s.ApiObjectMetadataDefinition):
    """The metadata API of a :class:`Manifest`, writing into its dict."""

    def __init__(self, api_object: Manifest) -> None:
        super().__init__(api_object=api_object)
        self._owner = api_object

    @property
    def _meta(self) -> dict[str, Any]:
        meta: dict[str, Any] = self._owner.manifest.setdefault("metadata", {})
        return meta

    def add(self, key: str, value: Any) -> None:
        self._meta[key] = value

    def add_annotation(self, key: str, value: str) -> None:
        annotations = self._meta.get("annotations")
        if isinstance(annotations, Lazy):  # computed when rendered: add to what it produces
            produce = annotations.produce
            self._meta["annotations"] = Lazy(lambda: {**(produce() or {}), key: value})
        else:
            self._meta.setdefault("annotations", {})[key] = value

    def add_finalizers(self, *finalizers: str) -> None:
        self._meta.setdefault("finalizers", []).extend(finalizers)

    def add_label(self, key: str, value: str) -> None:
        self._meta.setdefault("labels", {})[key] = value

    def add_owner_reference(
        self,
        *,
        api_version: str,
        kind: str,
        name: str,
        uid: str,
        block_owner_deletion: bool | None = None,
        controller: bool | None = None,
    ) -> None:
        reference: dict[str, str | bool] = {"apiVersion": api_version, "kind": kind, "name": name, "uid": uid}
        if block_owner_deletion is not None:
            reference["blockOwnerDeletion"] = block_owner_deletion
        if controller is not None:
            reference["controller"] = controller
        self._meta.setdefault("ownerReferences", []).append(reference)

    def get_label(self, key: str) -> str | None:
        labels = {**self._owner.chart_labels(), **self._meta.get("labels", {})}
        value = labels.get(key)
        return None if value is None else str(value)

    def to_json(self) -> Any:
        return self._owner.to_json()["metadata"]

    @property
    def name(self) -> str | None:
        name = resolve(self._meta.get("name"))
        return None if name is None else str(name)

    @property
    def namespace(self) -> str | None:
        namespace = self._meta.get("namespace")
        return None if namespace is None else str(namespace)


def render(manifest: Mapping[str, Any], *, chart_labels: Mapping[str, str], patches: list[cdk8s.JsonPatch] | None = None) -> Any:
    """The object ``manifest`` as cdk8s renders it: lazy values produced, keys sorted (``apiVersion``,
    ``kind``, ``metadata`` first), the chart's labels under the object's own, then ``patches``."""
    if not isinstance(manifest, Mapping):
        raise TypeError(f"render() takes an object as a mapping (apiVersion, kind, metadata, ...), not {type(manifest).__name__}")
    body = resolve(manifest)
    if chart_labels:
        meta = body.setdefault("metadata", {})
        meta["labels"] = dict(sorted({**chart_labels, **meta.get("labels", {})}.items()))
    if patches:
        body = cdk8s.JsonPatch.apply(body, *patches)
    return {key: body[key] for key in _FIRST if key in body} | {key: body[key] for key in body if key not in _FIRST}


class Manifest(cdk8s.ApiObject):
    """A Kubernetes object rendered from the dict ``manifest`` (keys sorted as cdk8s sorts them:
    ``apiVersion``, ``kind``, ``metadata`` first, everything below in key order), with the chart's
    labels and the JSON patches added to it.

    The escape hatches, in the order they apply: change the dict (``obj.manifest[...]``), the
    metadata API (``obj.metadata.add_label``), then JSON patches (``add_json_patch``).
    """

    def __init__(self, scope: Construct, id: str, manifest: dict[str, Any]) -> None:
        meta = manifest.get("metadata", {})
        name = meta.get("name")  # a Lazy name (a Job's, from its template) is known when rendered
        super().__init__(
            scope,
            id,
            api_version=manifest["apiVersion"],
            kind=manifest["kind"],
            metadata=cdk8s.ApiObjectMetadata(name=name if isinstance(name, str) else None, namespace=meta.get("namespace")),
        )
        self.manifest = manifest
        self.patches: list[cdk8s.JsonPatch] = []
        self._metadata: _Metadata | None = None
        self._info = chart_info(scope)
        self.owner: ManifestConstruct | None = scope if isinstance(scope, ManifestConstruct) else None
        """The construct of this library that renders this object with its others, if any."""

    def chart_labels(self) -> dict[str, str]:
        return self._info.labels

    @property
    def name(self) -> str:
        return str(resolve(self.manifest["metadata"]["name"]))

    @property
    def metadata(self) -> cdk8s.ApiObjectMetadataDefinition:
        if self._metadata is None:
            self._metadata = _Metadata(self)
        return self._metadata

    def add_json_patch(self, *ops: cdk8s.JsonPatch) -> None:
        self.patches.extend(ops)

    def to_json(self) -> Any:
        try:
            return render(self.manifest, chart_labels=self._info.labels, patches=self.patches)
        except Exception as error:  # cdk8s asked for it (a synth): the synth raises it as it is
            raised_in_synth(error)
            raise


_PARAMETERS: dict[Any, Any] = {}
"""The keyword parameter of each props field (``dataclasses.Field`` -> ``inspect.Parameter``)."""


class _DocumentedInit:
    """A construct's ``__init__``: it calls the ``__init__`` it stands for, and shows every keyword
    argument the construct takes, with its default (``help(ApiService)``, editors,
    ``inspect.signature``), worked out when first asked for rather than at every import; its
    docstring says where each is documented."""

    def __init__(self, owner: type[ManifestConstruct], base: Callable[..., None]) -> None:
        props: Any = owner.PROPS
        self._owner = owner
        self._base = base
        self._signature: Any = None
        self.__name__ = "__init__"
        self.__qualname__ = f"{owner.__qualname__}.__init__"
        self.__module__ = owner.__module__
        self.__doc__ = (
            f"A {owner.__name__} ``id`` in ``scope``. Each keyword argument, its rules and its default are "
            f"documented on :class:`{props.__module__}.{props.__name__}`; invalid ones raise PropsError, every "
            "problem at once."
        )

    def __get__(self, obj: Any, owner: type | None = None) -> Any:
        return self if obj is None else types.MethodType(self, obj)

    def __call__(self, *args: Any, **kwargs: Any) -> None:
        self._base(*args, **kwargs)

    @property
    def __signature__(self) -> Any:
        if self._signature is None:
            self._signature = _signature_of(self._owner, self._base)
        return self._signature


def _signature_of(cls: type[ManifestConstruct], base: Callable[..., None]) -> Any:
    """The parameters of ``base`` (but ``**kwargs``), then each prop of ``cls`` it takes through
    ``**options: Unpack[SomeOptions]`` as a keyword argument (every prop when that type is not
    known: a prop the construct works out itself, such as an AppIngress's paths, is not shown)."""
    import dataclasses
    import inspect

    parameters = inspect.signature(base).parameters.values()
    leading = [parameter for parameter in parameters if parameter.kind is not inspect.Parameter.VAR_KEYWORD]
    given = {parameter.name for parameter in leading}
    taken = _options_of(base, [parameter for parameter in parameters if parameter.kind is inspect.Parameter.VAR_KEYWORD])
    options = []
    for field in dataclasses.fields(cls.PROPS):  # type: ignore[arg-type]
        if field.name in given or (taken is not None and field.name not in taken):
            continue
        parameter = _PARAMETERS.get(field)
        if parameter is None:  # a field the props of several kinds share is one parameter
            default = field.default if field.default is not dataclasses.MISSING else inspect.Parameter.empty
            if field.default_factory is not dataclasses.MISSING:
                default = field.default_factory()
            kind = inspect.Parameter.KEYWORD_ONLY
            parameter = _PARAMETERS[field] = inspect.Parameter(field.name, kind, default=default, annotation=field.type)
        options.append(parameter)
    return inspect.Signature([*leading, *options])


def _options_of(base: Callable[..., None], rest: list[Any]) -> frozenset[str] | None:
    """The keys of the TypedDict that ``base``'s ``**options`` is annotated with
    (``Unpack[ServiceOptions]``), read in ``base``'s module; None when there is none or it cannot be
    read."""
    import sys
    import typing

    if not rest:
        return None
    annotation = rest[0].annotation
    if isinstance(annotation, str):  # postponed (from __future__ import annotations)
        try:
            annotation = eval(annotation, vars(sys.modules[base.__module__]))  # the module's own annotation
        except Exception:
            return None
    args = typing.get_args(annotation)
    if len(args) != 1 or not typing.is_typeddict(args[0]):
        return None
    return frozenset(args[0].__required_keys__ | args[0].__optional_keys__)


def _document_init(cls: type[ManifestConstruct]) -> None:
    """Give ``cls`` an ``__init__`` that shows every keyword argument the construct takes, with its
    default, and says where each is documented (:class:`_DocumentedInit`)."""
    if cls.PROPS is not None:
        cls.__init__ = _DocumentedInit(cls, cls.__init__)  # type: ignore[method-assign]


class _ClassSignature:
    """``inspect.signature(ApiService)``: the parameters of the class's ``__init__`` (every keyword
    argument, with its default), not those of jsii's metaclass's ``__call__``; worked out when
    first asked for."""

    def __get__(self, obj: Any, owner: type) -> Any:
        import inspect

        signature = inspect.signature(owner.__init__)  # type: ignore[misc]
        return signature.replace(parameters=list(signature.parameters.values())[1:], return_annotation=inspect.Signature.empty)


# --- what every app's synth checks, across all its charts and whoever made the objects ------------

_CLUSTER_KINDS = frozenset(
    {"Namespace", "ClusterRole", "ClusterRoleBinding", "PriorityClass", "StorageClass", "PersistentVolume"}
)


class RenderedObject(NamedTuple):
    """An object an app renders, as it renders it (after JSON patches): the construct path of
    what made it, the object, the namespace it goes to (None for a cluster-scoped kind), and who
    made it: ``ours`` (a construct of this library), ``cdk8s-plus`` or ``object`` (any other
    ``ApiObject``)."""

    path: str
    manifest: Mapping[str, Any]
    namespace: str | None
    origin: str

    @property
    def kind(self) -> str:
        return str(self.manifest.get("kind"))

    @property
    def name(self) -> str:
        return str((self.manifest.get("metadata") or {}).get("name"))

    def __str__(self) -> str:
        """How a message names it: kind, name and construct path (a cdk8s-plus object by the ID
        and path of the cdk8s-plus construct the user made, not its generated name)."""
        if self.origin == "cdk8s-plus":
            path = self.path.removesuffix("/Resource")
            return f"{self.kind} {path.rpartition('/')[2]!r} ({path})"
        return f"{self.kind} {self.name} ({self.path})"


def _objects(root: Construct) -> Iterator[tuple[str, Mapping[str, Any], str | None, str]]:
    """Every object the app renders: (construct path, the object, its chart's namespace, origin)."""
    for construct in root.node.find_all():
        if isinstance(construct, ManifestConstruct):
            namespace, path = construct.chart_info.namespace, construct.node.path  # asked of cdk8s once
            for manifest in construct.manifests():
                yield path, manifest, namespace, "ours"
        elif isinstance(construct, Manifest):
            if construct.owner is None:
                yield construct.node.path, construct.to_json(), construct._info.namespace, "ours"
        elif isinstance(construct, cdk8s.ApiObject):
            scope = construct.node.scope
            origin = "cdk8s-plus" if scope is not None and is_cdk8s_plus(scope) else "object"
            yield construct.node.path, construct.to_json(), cdk8s.Chart.of(construct).namespace, origin


def rendered_objects(root: Construct) -> Iterator[RenderedObject]:
    """Every object the app under ``root`` renders, as it renders it (:class:`RenderedObject`)."""
    for path, manifest, chart_namespace, origin in _objects(root):
        kind = str(manifest.get("kind"))
        given = (manifest.get("metadata") or {}).get("namespace")
        namespace = None if kind in _CLUSTER_KINDS else str(given or chart_namespace or "default")
        yield RenderedObject(path, manifest, namespace, origin)


def duplicate_objects(root: Construct) -> list[str]:
    """Objects rendered twice into one namespace, by any two charts of the app."""
    seen: dict[tuple[str, str, str, str], str] = {}
    found = []
    for path, manifest, object_namespace, _ in rendered_objects(root):
        metadata = manifest.get("metadata") or {}
        kind = str(manifest.get("kind"))
        group = str(manifest.get("apiVersion", "")).rpartition("/")[0]
        namespace = object_namespace or ""
        identity = (group, kind, namespace, str(metadata.get("name")))
        if identity in seen:
            where = f" in namespace {namespace}" if namespace else ""
            found.append(
                f"{kind} {identity[3]}{where} is rendered twice, by {seen[identity]} and by {path}: "
                "the second would replace the first; give one another name"
            )
        else:
            seen[identity] = path
    return found


def audit_reasons(root: Construct) -> list[str]:
    """Policy-scanner exceptions without a reason (:func:`~._audit.audit_annotation_problems`) on any
    object of the app, its pod template included, as rendered (escape hatches and all)."""
    return [
        f"{rendered}: {problem}" for rendered in rendered_objects(root) for problem in object_audit_problems(rendered.manifest)
    ]


class ManifestConstruct(Construct):
    """Base of this library's constructs: a construct that renders a fixed list of
    :class:`Manifest` objects, created in the tree at once or, in a deferred chart (see
    :func:`defer_objects`), when one is asked for or cdk8s synthesizes."""

    __signature__: ClassVar[Any] = _ClassSignature()

    PROPS: ClassVar[type | None] = None
    """The props class of the construct: its ``__init__`` shows each of them as a keyword argument,
    with its default (``help()``, editors)."""

    APP_CHECKS: ClassVar[tuple[AppCheck, ...]] = (duplicate_objects, audit_reasons)
    """What the synth of an app that holds such a construct must pass (see :mod:`._charts`): every
    construct's (:func:`duplicate_objects`, :func:`audit_reasons`), and a kind's own."""
    RENDERS: ClassVar[tuple[tuple[str, str], ...]] = ()
    """Every (apiVersion, kind) this construct can render, whatever its props: what a deploy that
    prunes must list (``kubectl apply --prune-allowlist``), so that an object a later render drops
    is deleted. Rendering a kind not listed here is an error."""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        _document_init(cls)

    def __init__(self, scope: Construct, id: str) -> None:
        super().__init__(scope, id)
        info = chart_info(scope)
        self.construct_id = id
        self.chart_info = info
        info.members.append(self)
        _check_app(info, type(self).APP_CHECKS)
        self._manifests: dict[str, dict[str, Any]] = {}
        """Every object's dict, by construct ID, in order."""
        self._objects: dict[str, Manifest] = {}
        """The objects created in the construct tree so far."""

    def _add(self, id: str, manifest: dict[str, Any]) -> None:
        """Add an object (construct ID ``id``); it is created now unless the chart defers it."""
        if (manifest["apiVersion"], manifest["kind"]) not in self.RENDERS:
            raise TypeError(f"{type(self).__name__} renders a {manifest['kind']} ({manifest['apiVersion']}) not in its RENDERS")
        self._manifests[id] = manifest
        if not self.chart_info.deferred or self._objects:
            self._objects[id] = Manifest(self, id, manifest)

    def create_objects(self) -> None:
        """Create the deferred objects in the construct tree, in order (idempotent)."""
        for object_id, manifest in self._manifests.items():
            if object_id not in self._objects:
                self._objects[object_id] = Manifest(self, object_id, manifest)

    def _get(self, id: str) -> Manifest | None:
        """The object with construct ID ``id`` (its deferred objects created now), or None."""
        if id not in self._manifests:
            return None
        self.create_objects()
        return self._objects[id]

    def manifests(self) -> Iterator[dict[str, Any]]:
        """The rendered objects, in order, without creating deferred ones."""
        labels = self.chart_info.labels
        for object_id, manifest in self._manifests.items():
            created = self._objects.get(object_id)
            yield created.to_json() if created is not None else render(manifest, chart_labels=labels)


def chart_manifests(chart: cdk8s.Chart) -> list[dict[str, Any]]:
    """The objects of ``chart`` in construct order, rendered on the Python side for this library's
    constructs (no jsii call) and by cdk8s for any other ``ApiObject`` (a ``k8s.Kube*`` or
    cdk8s-plus object). Objects of nested charts belong to those charts, as in cdk8s."""
    if not isinstance(chart, cdk8s.Chart):
        raise TypeError(f"chart_manifests takes a cdk8s.Chart, not {type(chart).__name__}")
    out: list[dict[str, Any]] = []
    for construct in chart.node.find_all():
        if isinstance(construct, ManifestConstruct):
            if construct.chart_info.chart is chart:
                out.extend(construct.manifests())
        elif isinstance(construct, Manifest):
            if construct.owner is None and construct._info.chart is chart:
                out.append(construct.to_json())
        elif isinstance(construct, cdk8s.ApiObject) and cdk8s.Chart.of(construct) is chart:
            out.append(copy.deepcopy(construct.to_json()))
    return out
