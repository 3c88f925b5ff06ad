"""The kinds of service a values file may hold, and how a service's values become its construct's
props: one registry, and one bridge read from the model itself.

Each field of a service's values model (:mod:`.model`) says which construct prop it feeds
(``prop(to=...)`` of :mod:`.fields`, its value passed through ``convert``; ``spread``: its own fields feed props;
``extra_props()``: props computed from several fields, such as the image reference). So the
keyword arguments of a service's construct (:func:`service_kwargs`), and where a construct's
complaint about one of them points in the values file (:func:`values_path`), both follow from the
model: nothing is bridged by hand. The props a construct's message names are apart in it
(:class:`~webapp_constructs.Term`); :func:`values_wording` spells them as a values file does.
"""

from __future__ import annotations

import dataclasses
import functools
import typing
import weakref
from collections.abc import Callable, Mapping, Sequence
from types import MappingProxyType
from typing import Any, NamedTuple, cast

from webapp_constructs import (
    RELAXATION_CHECKS,
    ApiService,
    Container,
    Egress,
    McpService,
    MigrationJob,
    Path,
    Problem,
    PropsError,
    ScheduledJob,
    ServiceFacts,
    ServiceWorkload,
    Term,
    WebService,
    WorkerService,
    Workload,
)

from .convert import yaml_path
from .fields import alias_of, fields_of, hints, spec_of, to_camel
from .model import AppValues, ContainerValues, ServiceValues, with_reasons

__all__ = [
    "CALLERS_BY_KIND",
    "KINDS",
    "ServiceContext",
    "construct_of",
    "facts",
    "keep_computed",
    "props_of",
    "service_kwargs",
    "service_props",
    "spell",
    "values_path",
    "values_wording",
]

KINDS: dict[str, type[Workload]] = {
    "web": WebService,
    "api": ApiService,
    "mcp": McpService,
    "worker": WorkerService,
    "cronjob": ScheduledJob,
    "migration": MigrationJob,
}
"""Each values ``kind`` and the construct that renders it (and holds its defaults and rules)."""

CALLERS_BY_KIND: dict[str, tuple[str, ...]] = {"web": (), "api": ("web",), "mcp": ("api",)}
"""Which kinds of service may call each served kind, unless a service says otherwise (a values
file's default; in Python, ``connect`` says it)."""


def construct_of(service: ServiceValues) -> type[Workload]:
    return KINDS[service.kind]


class ServiceContext(NamedTuple):
    """What a service's construct takes from the release around it."""

    release: str
    part_of: str
    app_version: str
    labels: Mapping[str, str] = MappingProxyType({})
    audit_skips: Mapping[str, str] = MappingProxyType({})
    network_policies: bool = True
    egress: Egress | None = None
    reloader: bool = False

    @classmethod
    def of(cls, values: AppValues) -> ServiceContext:
        egress = values.network_policies.egress
        return cls(
            release=values.release,
            part_of=values.part_of,
            app_version=values.app_version,
            labels=values.labels,
            audit_skips=values.audit_skips,
            network_policies=values.network_policies.enabled,
            egress=Egress(external_ports=egress.external_ports, external_cidrs=egress.external_cidrs) if egress.enabled else None,
            reloader=values.reloader,
        )

    @classmethod
    def lenient(cls, data: Mapping[str, Any]) -> ServiceContext:
        """The context from the raw data of values that did not load: what is usable of it."""

        def text(key: str, default: str) -> str:
            value = data.get(key)
            return value if isinstance(value, str) and value else default

        def strings(key: str) -> dict[str, str]:
            value = data.get(key)
            if not isinstance(value, Mapping):
                return {}
            return {k: v for k, v in value.items() if isinstance(k, str) and isinstance(v, str)}

        release = text("release", "release")
        return cls(
            release=release,
            part_of=text("appName", release),
            app_version=text("appVersion", "0"),
            labels=strings("labels"),
            audit_skips=strings("auditSkips"),
        )


def _fed(values: Any) -> dict[str, Any]:
    """The props the fields of ``values`` feed (see the module)."""
    out: dict[str, Any] = {}
    cls: Any = type(values)
    for field in fields_of(cls):
        spec = spec_of(field)
        value = getattr(values, field.name)
        if spec.spread:
            if value is not None:
                out.update(_fed(value))
        elif spec.to:
            convert = spec.convert
            out[spec.to] = convert(value) if convert is not None and value is not None else value
    extra = getattr(values, "extra_props", None)
    if extra is not None:
        out.update(extra())
    return out


_PATHS: dict[Any, dict[str, Path]] = {}


def _paths(cls: Any) -> dict[str, Path]:
    """Where each prop a values class feeds is in a values file, relative to it (aliases)."""
    if cls in _PATHS:
        return _PATHS[cls]
    out: dict[str, Path] = {}
    _PATHS[cls] = out
    types_ = hints(cls)
    for field in fields_of(cls):
        spec = spec_of(field)
        if spec.spread:
            inner = types_[field.name]
            inner = next((arm for arm in getattr(inner, "__args__", (inner,)) if dataclasses.is_dataclass(arm)), inner)
            out["image" if field.name == "image" else f"<{field.name}>"] = (alias_of(field),)
            out.update({prop: (alias_of(field), *path) for prop, path in _paths(inner).items()})
        elif spec.to:
            out[spec.to] = (alias_of(field),)
    return out


_FROM_CONTEXT = frozenset({"instance", "part_of", "version", "component", "network_policy", "egress", "reloader"})
"""The props a service's construct takes from the release around it, not from the service."""
_OWN = {
    "name": ("name",),
    "labels": ("labels",),
    "audit_skips": ("auditSkips",),
    "allow_external": ("networkPolicy", "allowExternal"),
}


def values_path(service: ServiceValues, prop_path: Path) -> Path:
    """Where a prop of service ``service``'s construct (a path in its props) is in the values file,
    relative to the service; ``()`` for props that do not come from the service."""
    head, *rest = prop_path
    if not isinstance(head, str):
        return prop_path
    if head in _FROM_CONTEXT:
        return ()
    base = _OWN.get(head) or _paths(cast(Any, type(service))).get(head)
    if base is None:
        return (to_camel(head), *rest)
    if rest and head == "security" and rest[0] == "reasons":
        check = RELAXATION_CHECKS.get(str(rest[1])) if len(rest) > 1 else None
        return ("auditSkips", check) if check else ("auditSkips",)
    if rest:
        cls: Any = type(service)
        field = next((f for f in fields_of(cls) if spec_of(f).to == head), None)
        nested_type = hints(cls).get(field.name) if field is not None else None
        if nested_type is not None:
            nested = yaml_path(cls, (field.name, *rest))[1:] if field is not None else tuple(rest)
            return (*base, *nested)
        return (*base, *rest)
    return base


def service_kwargs(service: ServiceValues, key: str, context: ServiceContext) -> dict[str, Any]:
    """The keyword arguments of service ``key``'s construct (besides scope and ID), from its values
    and the release around it."""
    kwargs = _fed(service)
    kwargs["name"] = service.name if service.name is not None else f"{context.release}-{key}"
    kwargs["labels"] = {**context.labels, **service.labels}
    audit_skips = {**context.audit_skips, **service.audit_skips}
    kwargs["audit_skips"] = audit_skips
    kwargs["security"] = with_reasons(kwargs["security"], audit_skips)
    for name in ("init_containers", "sidecars"):
        kwargs[name] = _containers(kwargs[name], name, audit_skips)
    kwargs.update(
        instance=context.release,
        part_of=context.part_of,
        version=context.app_version,
        component=key,
        network_policy=context.network_policies,
        egress=context.egress,
        reloader=context.reloader,
    )
    known = {field.name for field in fields_of(cast(Any, KINDS[service.kind].PROPS))}
    # a prop the kind lacks is left out when empty (a worker has no port, nor ports to give)
    return {name: value for name, value in kwargs.items() if name in known or value not in (None, (), [], {})}


def _containers(values: list[ContainerValues], prop_name: str, audit_skips: Mapping[str, str]) -> list[Container]:
    """The init containers or sidecars of a service, their reasons from its ``audit_skips``; every
    problem of each, at its place among the props (``init_containers[1].security...``)."""
    built: list[Container] = []
    problems: list[Problem] = []
    for index, value in enumerate(values):
        try:
            built.append(value.container(audit_skips))
        except PropsError as error:
            problems += [problem.under(prop_name, index) for problem in error.problems]
    if problems:
        raise PropsError("Container", problems)
    return built


_CACHE: dict[int, tuple[weakref.ref[AppValues], dict[tuple[str, str], Any]]] = {}
"""What was computed of each values object (they are immutable), by its identity: a service's
props are asked for by the checks, the references, the diagram and the release alike."""


def _store(values: AppValues) -> dict[tuple[str, str], Any]:
    """What was computed of ``values`` (kept as long as it lives)."""
    entry = _CACHE.get(id(values))
    if entry is None or entry[0]() is not values:
        identity = id(values)
        entry = _CACHE[identity] = (weakref.ref(values, lambda _: _CACHE.pop(identity, None)), {})
    return entry[1]


def _cached(values: AppValues, what: str, key: str, compute: Callable[[], Any]) -> Any:
    store = _store(values)
    if (what, key) not in store:
        try:
            store[what, key] = (compute(), None)
        except PropsError as raised:
            store[what, key] = (None, raised)
    found, failed = store[what, key]
    if failed is not None:
        raise failed
    return found


def keep_computed(values: AppValues, expanded: AppValues) -> None:
    """Keep what was computed of ``values``'s services for ``expanded``, a copy of it in which only
    config values and the commands and args of services changed (:func:`.references.expand_values`):
    a service that is the very same object keeps all; one whose command or args changed keeps
    its facts, and its props with the new command and args (checked by their own rules)."""
    from webapp_constructs import owner_name, replaced

    before, after = _store(values), _store(expanded)
    same = {key for key, service in expanded.services.items() if values.services.get(key) is service}
    after.update({entry: found for entry, found in before.items() if entry[1] in same})
    for key, service in expanded.services.items():
        old = values.services.get(key)
        props, failed = before.get(("props", key), (None, None))
        if key in same or old is None or props is None or failed is not None or not _only_command_changed(old, service):
            continue  # kept, or computed again when asked for
        if ("facts", key) in before:
            after["facts", key] = before["facts", key]
        try:
            owner = owner_name(KINDS[service.kind], key)
            after["props", key] = (replaced(props, owner=owner, command=service.command, args=service.args), None)
        except PropsError as raised:
            after["props", key] = (None, raised)


def _only_command_changed(old: ServiceValues, new: ServiceValues) -> bool:
    if type(old) is not type(new):
        return False
    fields = (field.name for field in fields_of(cast(Any, type(old))) if field.name not in ("command", "args"))
    return all(getattr(old, name) is getattr(new, name) for name in fields)


def service_props(values: AppValues, key: str) -> Any:
    """The props of service ``key``'s construct, checked by it (every rule of each prop, between
    them, and the kind's); raises :class:`~webapp_constructs.PropsError`. Computed once per values
    object: the checks, the references, the diagram and the release all ask."""

    return _cached(values, "props", key, lambda: props_of(values.services[key], key, ServiceContext.of(values)))


def props_of(service: ServiceValues, key: str, context: ServiceContext) -> Any:
    """The props of service ``key``'s construct (loaded as a values model), checked by it, each rule
    once: not those the values model ran as the service loaded (:func:`rules_checked_as_loaded`),
    nor those of ``audit_skips``, the release's and the service's, each checked as it loaded by the
    prop's own rules. Raises :class:`~webapp_constructs.PropsError`."""
    kwargs = service_kwargs(service, key, context)
    checked = rules_checked_as_loaded(service.kind) | {"audit_skips"}
    return KINDS[service.kind].check_props(key, rules_checked=checked, **kwargs)


@functools.cache
def rules_checked_as_loaded(kind: str) -> frozenset[str]:
    """The props of a kind's construct each of whose rules (the very same rule objects) the
    values model checks as the values load: the construct checks only their types again."""
    from .model import ServiceUnion

    props = {field.name: field for field in fields_of(cast(Any, KINDS[kind].PROPS))}
    values_class = next(cls for cls in typing.get_args(ServiceUnion) if typing.get_args(hints(cls)["kind"]) == (kind,))
    covered: set[str] = set()
    for field in _feeding(values_class):
        target = props.get(spec_of(field).to or "")
        if target is None:
            continue
        if spec_of(field).convert is not None:  # made of values checked on their own: only if no rule
            same = not any(target.metadata.get(rule) for rule in ("check", "each", "keys"))
        else:
            same = all(
                any(mine is theirs for mine in field.metadata.get(rule, ()))
                for rule in ("check", "each", "keys")
                for theirs in target.metadata.get(rule, ())
            )
        if same:
            covered.add(target.name)
    return frozenset(covered)


def _feeding(cls: Any) -> list[dataclasses.Field[Any]]:
    """The fields of a values class (and of those it spreads) that feed a prop (``to``)."""
    found: list[dataclasses.Field[Any]] = []
    for field in fields_of(cls):
        if spec_of(field).spread:
            inner = hints(cls)[field.name]
            found += _feeding(next(arm for arm in typing.get_args(inner) or (inner,) if dataclasses.is_dataclass(arm)))
        elif spec_of(field).to:
            found.append(field)
    return found


_FACTS = frozenset({"image", "name", "port", "server", "service_type", "service_port", "node_port", "allow_external"})
"""The props a service's facts follow from."""


def facts(values: AppValues, key: str) -> ServiceFacts | None:
    """What service ``key`` comes to (ports, Service type, open to all?), as its construct says;
    None for a kind that serves nothing (a worker, a cronjob, a migration). From the props its
    facts follow from only, so that a problem elsewhere in the service (reported where it is)
    leaves them known. Raises :class:`~webapp_constructs.PropsError` when one of those is wrong."""
    service = values.services[key]
    construct = KINDS[service.kind]
    if not issubclass(construct, ServiceWorkload):
        return None
    routed = values.ingress is not None and any(path.service == key for path in values.ingress.paths)
    return construct.facts(_facts_props(values, key), behind_ingress=routed)


def _facts_props(values: AppValues, key: str) -> Any:
    """The service's props when they are fine; else those its facts follow from, alone."""
    try:
        return service_props(values, key)
    except PropsError:
        pass

    def compute() -> Any:
        service = values.services[key]
        kwargs = {k: v for k, v in service_kwargs(service, key, ServiceContext.of(values)).items() if k in _FACTS}
        # the rules of these props are checked where the service's props are (the error reported there)
        return KINDS[service.kind].check_props(key, kind_rules=False, rules_checked=kwargs, **kwargs)

    return _cached(values, "facts", key, compute)


def spell(term: Term, within: Sequence[str] = ()) -> str:
    """How a values file spells a term of a construct's message (:class:`~webapp_constructs.Term`):
    a prop by the key of the field that feeds it (``service_type`` -> ``service.type``, under
    ``within``: ``services.mcp``), ``x=True`` as ``x: true``, and a relaxation's reason as its
    ``auditSkips`` entry."""
    if term.kind == "reason":
        check = RELAXATION_CHECKS.get(term.name, "...")
        return f"give the reason in auditSkips.{check} (or keep the default)"
    if term.kind == "value":
        return _scalar(term.value)
    spelled = _spellings()
    key = ".".join([*within, *(spelled.get(part) or to_camel(part) for part in term.name.split("."))])
    return key if term.kind == "prop" else f"{key}: {_scalar(term.value)}"


def _scalar(value: object) -> str:
    if isinstance(value, bool) or value is None:
        return {True: "true", False: "false", None: "null"}[value]
    return str(value)


def values_wording(problem: Problem, within: Sequence[str] = ()) -> str:
    """A construct's message in a values file's terms (its terms spelled by :func:`spell`)."""
    return problem.spell(lambda term: spell(term, within))


@functools.cache
def _spellings() -> dict[str, str]:
    """A construct prop's name -> how a values file spells the field that feeds it, where the two
    differ in more than case (``service_type`` -> ``service.type``)."""
    from .model import ServiceUnion

    found: dict[str, str] = {}
    for cls in ServiceUnion.__args__:
        for prop, path in _paths(cls).items():
            dotted = ".".join(str(part) for part in path)
            if not prop.startswith("<") and dotted != to_camel(prop):
                found.setdefault(prop, dotted)
    found.update({name: ".".join(path) for name, path in _OWN.items() if ".".join(path) != to_camel(name)})
    return found
