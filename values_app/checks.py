"""Rules that span several parts of a values file, reported all at once.

Each problem carries the path of the field it is about, so the loader can point at its line. The
rules of one service are its construct's own (:meth:`webapp_constructs.Workload.make`): the
values app asks the construct, and reports what it says at the service's fields.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from webapp_constructs import (
    AppIngress,
    Path,
    Problem,
    PropsError,
    ServiceWorkload,
    audit,
    pod_security,
    prop_rules,
    rule_problems,
    rules,
)

from .extra_objects import extra_object_problems
from .fields import fields_of
from .kinds import KINDS, ServiceContext, props_of, service_props, values_path, values_wording
from .model import AppValues, ServiceValues
from .references import BadReferenceError, expand, reference_table

__all__ = ["check_values", "construct_problems", "looks_secret", "object_labels", "selector_labels"]

_URL_PASSWORD = re.compile(r"(?<=[A-Za-z0-9+.-])://[^\s/@:]*:[^\s/@]+@")
"""A URL with credentials in it (``postgres://app:PASSWORD@db/app``, ``redis://:PASSWORD@cache``).
Linear in a 1 MiB value: each try starts at a ``://`` and stops at the next '/' (a scheme matched
from its start would be tried at every letter, to the end of the value)."""

_SECRET_LOOKING = re.compile(r"(_KEY$|SECRET|TOKEN|PASSWORD|^DATABASE_URL$)")


def selector_labels(values: AppValues, key: str) -> dict[str, str]:
    """The labels service ``key``'s selectors select its pods by, as its construct says."""
    return KINDS[values.services[key].kind].selector_of(service_props(values, key), key, values.release)


def object_labels(values: AppValues, key: str) -> dict[str, str]:
    """Labels of service ``key``'s objects and pods, as its construct renders them."""
    return KINDS[values.services[key].kind].labels_of(service_props(values, key), key, values.release)


def looks_secret(key: str) -> bool:
    """Whether a key's name says it holds a secret (``*_KEY``, ``*SECRET*``, ``*TOKEN*``,
    ``*PASSWORD*``, ``DATABASE_URL``)."""
    return bool(_SECRET_LOOKING.search(key.upper()))


def check_values(values: AppValues) -> list[Problem]:
    """Every cross-field problem of ``values``; empty when the values are consistent."""
    return [
        *_constructs(values),
        *_declared_keys(values),
        *_env_keys(values),
        *_names_and_ports(values),
        *_labels(values),
        *_selectors(values),
        *_references(values),
        *_service_refs(values),
        *_extra_objects(values),
        *_extra_object_reasons(values),
    ]


def construct_problems(
    key: str, service: ServiceValues, context: ServiceContext, values: AppValues | None = None
) -> Iterator[Problem]:
    """What service ``key``'s construct says of its props (every rule of its kind), at the fields
    of the values file (the loader puts every message in its words: :func:`.kinds.values_wording`);
    with ``values``, the props are kept for what asks next (:func:`.kinds.service_props`)."""
    construct = KINDS[service.kind]
    try:
        props = service_props(values, key) if values is not None else props_of(service, key, context)
    except PropsError as error:
        own_labels_fine = not _own_label_problems(construct, service)
        for problem in error.problems:
            if problem.path[:1] == ("labels",) and own_labels_fine:
                continue  # the release's labels, which every service gets: reported once, at `labels`
            where = ("services", key, *values_path(service, problem.path))
            if problem.code == "unknown" and len(problem.path) == 1:  # a shared key the kind has no use for
                yield Problem(where, f"does not apply to a {service.kind}: it serves nothing")
            else:
                yield problem._replace(path=where)
        return
    target_port = getattr(getattr(service, "service", None), "target_port", None)
    if target_port is not None and issubclass(construct, ServiceWorkload):
        port = construct.port_of(props)
        if target_port != port:
            yield Problem(
                ("services", key, "service", "targetPort"),
                f"{target_port} is not the container port {port}; the Service would send traffic where nothing listens",
            )


def _own_label_problems(construct: Any, service: ServiceValues) -> list[Problem]:
    field = next(f for f in fields_of(construct.PROPS) if f.name == "labels")
    return rule_problems(field, dict(service.labels), ("labels",))


def _constructs(values: AppValues) -> Iterator[Problem]:
    context = ServiceContext.of(values)
    for key, service in values.services.items():
        yield from construct_problems(key, service, context, values)
    if values.ingress is not None:
        yield from _ingress_problems(values)
        for index, path in enumerate(values.ingress.paths):
            backend = values.services.get(path.service)
            if backend is None:
                continue
            construct = KINDS[backend.kind]
            if not issubclass(construct, ServiceWorkload):
                yield Problem(
                    ("ingress", "paths", index, "service"), f"{path.service} is a {backend.kind}: it serves nothing to route to"
                )
                continue
            try:
                problem = construct.routing_problem(service_props(values, path.service))
            except PropsError:
                continue  # reported at the service
            if problem is not None:  # about another service than where it is routed: name its key
                said = Problem.said((), problem)
                wording = values_wording(said, within=("services", path.service))
                yield Problem(("ingress", "paths", index, "service"), f"{path.service} {wording}")


def _ingress_problems(values: AppValues) -> Iterator[Problem]:
    """What the Ingress's construct says of its props (the rules between them), at the fields of
    the values file."""
    ingress = values.ingress
    assert ingress is not None
    try:
        AppIngress.make(
            "ingress",
            host=ingress.host,
            paths=[path.path for path in ingress.paths],
            class_name=ingress.class_name,
            tls_secret=ingress.tls_secret,
            annotations=dict(ingress.annotations),
            controller_namespace=ingress.controller_namespace,
            audit_skips=dict(values.audit_skips),
        )
    except PropsError as error:
        for problem in error.problems:
            yield problem._replace(path=("ingress", *problem.path))


def _declared_keys(values: AppValues) -> Iterator[Problem]:
    owner: dict[str, str] = {}
    for cm_name, data in values.config_maps.items():
        for key in data:
            path: Path = ("configMaps", cm_name, key)
            if looks_secret(key):
                yield Problem(path, f"{key} looks like a secret; declare it under secrets:, not in a ConfigMap")
            elif _URL_PASSWORD.search(data[key]):  # the value is never shown: it holds a password
                yield Problem(
                    path,
                    "holds a URL with a password (scheme://user:password@...), which a ConfigMap shows to anyone who "
                    f"reads it (and a gitops: deploy repository keeps); declare {key} under secrets:",
                )
            if key in owner:
                yield Problem(path, f"{key} is already declared in {owner[key]}; a key may be declared once")
            owner[key] = f"ConfigMap {cm_name}"
    for secret_name, secret in values.secrets.items():
        for index, key in enumerate(secret.keys):
            if key in owner:
                yield Problem(
                    ("secrets", secret_name, "keys", index),
                    f"{key} is already declared in {owner[key]}; a key may be declared once",
                )
            owner[key] = f"Secret {secret_name}"


def _env_keys(values: AppValues) -> Iterator[Problem]:
    declared = {
        "config": {key for data in values.config_maps.values() for key in data},
        "secrets": {key for secret in values.secrets.values() for key in secret.keys},
    }
    for service_key, service in values.services.items():
        for field, other, where in (("config", "secrets", "configMaps"), ("secrets", "config", "secrets")):
            for index, key in enumerate(getattr(service.env, field)):
                if key in declared[field]:
                    continue
                if key in declared[other]:
                    hint = f"it is declared under {'secrets' if other == 'secrets' else 'configMaps'}: list it under env.{other}"
                else:
                    hint = f"declare it under {where}:"
                yield Problem(("services", service_key, "env", field, index), f"{key} is not declared; {hint}")


def _names_and_ports(values: AppValues) -> Iterator[Problem]:
    names: dict[str, str] = {}
    node_ports: dict[int, str] = {}
    for key, service in values.services.items():
        name = values.object_name(key)
        path: Path = ("services", key, "name") if service.name else ("services", key)
        if name in names:
            yield Problem(path, f"{name} is already the name of service {names[name]}; object names must be unique")
        elif len(name) > 63:
            yield Problem(path, f"{name} is {len(name)} characters; object names may have at most 63")
        elif service.name is None and rules.dns1035_label(name):
            yield Problem(
                path, f"{name}, the default name <release>-<key>, must start with a letter to name a Service; set name:"
            )
        names[name] = key
        node_port = service.node_port
        if node_port is not None:
            if node_port in node_ports:
                yield Problem(
                    ("services", key, "service", "nodePort"),
                    f"{node_port} is already the node port of service {node_ports[node_port]}",
                )
            node_ports[node_port] = key


def _labels(values: AppValues) -> Iterator[Problem]:
    # A service's own labels are its construct's to check; the release's go on every object too.
    for problem in prop_rules.UNRESERVED(values.labels):
        assert isinstance(problem, Problem)
        yield problem._replace(path=("labels", *problem.path))


def _props(values: AppValues) -> dict[str, object]:
    """The construct props of each service whose props are fine (the others are reported)."""
    found = {}
    for key in values.services:
        try:
            found[key] = service_props(values, key)
        except PropsError:
            continue
    return found


def _selectors(values: AppValues) -> Iterator[Problem]:
    # Each Service must select its own pods only: no selector may match another service's pods.
    props = _props(values)
    labels = {key: KINDS[values.services[key].kind].labels_of(p, key, values.release) for key, p in props.items()}  # type: ignore[arg-type]
    carrying: dict[tuple[str, str], set[str]] = {}  # each label, and the services whose pods carry it
    for other, carried in labels.items():
        for label in carried.items():
            carrying.setdefault(label, set()).add(other)
    for key, own in props.items():
        selector = KINDS[values.services[key].kind].selector_of(own, key, values.release)  # type: ignore[arg-type]
        matched: set[str] = set(labels)
        for label in selector.items():
            matched &= carrying.get(label, set())
        overlapping = next((other for other in labels if other in matched and other != key), None)
        if overlapping is not None:
            yield Problem(
                ("services", key, "selectorLabels"),
                f"the selector {selector} also matches the pods of service {overlapping}; add a label that tells them apart",
            )


def _references(values: AppValues) -> Iterator[Problem]:
    table = reference_table(values)
    for cm_name, data in values.config_maps.items():
        for key, text in data.items():
            yield from _expand_problem(text, table, ("configMaps", cm_name, key))
    for service_key, service in values.services.items():
        for field in ("command", "args"):
            for index, text in enumerate(getattr(service, field) or []):
                yield from _expand_problem(text, table, ("services", service_key, field, index))


def _expand_problem(text: str, table: dict[str, str], path: Path) -> Iterator[Problem]:
    try:
        expand(text, table)
    except BadReferenceError as error:
        yield Problem(path, str(error))


def _extra_objects(values: AppValues) -> Iterator[Problem]:
    """An extra object is one of the release, in its namespace, as the API server would take it,
    meeting the rules of rendered objects (:mod:`.extra_objects`)."""
    if values.extra_objects:
        yield from extra_object_problems(values)


CLUSTER_CONFIG_MAPS = frozenset({"kube-root-ca.crt"})
"""ConfigMaps the cluster puts in every namespace: a volume may mount them."""


def _source_refs(values: AppValues) -> Iterator[Problem]:
    """Each ConfigMap and Secret a volume or an envFrom names is one of the release's (declared
    under configMaps, secrets, external ones included, or extraObjects): a misspelt one would
    leave the pod waiting for it, never started."""
    extra = [(obj.get("kind"), (obj.get("metadata") or {}).get("name")) for obj in values.extra_objects]
    known: dict[str, set[str]] = {
        "configMap": {*values.config_maps, *CLUSTER_CONFIG_MAPS, *(str(name) for kind, name in extra if kind == "ConfigMap")},
        "secret": set(values.secrets),
    }
    where = {"configMap": "configMaps or extraObjects", "secret": "secrets (external: true for one made elsewhere)"}
    for key, service in values.services.items():
        sources: list[tuple[str, int, object]] = [("volumes", index, v) for index, v in enumerate(service.volumes)]
        sources += [("envFrom", index, e) for index, e in enumerate(service.env_from)]
        for field, index, source in sources:
            for attribute, alias in (("config_map", "configMap"), ("secret", "secret")):
                name = getattr(source, attribute, None)
                if name is not None and name not in known[alias]:
                    listed = ", ".join(sorted(known[alias] - CLUSTER_CONFIG_MAPS)) or "none"
                    yield Problem(
                        ("services", key, field, index, alias),
                        f"{name} is not a {'ConfigMap' if alias == 'configMap' else 'Secret'} of this release "
                        f"(declared: {listed}); declare it under {where[alias]}",
                    )


def _service_refs(values: AppValues) -> Iterator[Problem]:
    known = sorted(values.services)
    for key, service in values.services.items():
        if service.network_policy.allow_from is not None and not issubclass(KINDS[service.kind], ServiceWorkload):
            yield Problem(
                ("services", key, "networkPolicy", "allowFrom"),
                f"does not apply to a {service.kind}: it serves nothing; for it to call a service, list {key} in that "
                "service's networkPolicy.allowFrom",
            )
            continue
        for index, other in enumerate(service.network_policy.allow_from or []):
            if other == key:
                yield Problem(("services", key, "networkPolicy", "allowFrom", index), f"{other} is this service itself")
            elif other not in values.services:
                yield Problem(
                    ("services", key, "networkPolicy", "allowFrom", index),
                    f"{other} is not a service (one of {', '.join(known)})",
                )
    for key, service in values.services.items():
        for index, other in enumerate(getattr(service, "before", [])):
            target = values.services.get(other)
            if target is None:
                yield Problem(("services", key, "before", index), f"{other} is not a service (one of {', '.join(known)})")
            elif target.kind in ("cronjob", "migration"):
                yield Problem(("services", key, "before", index), f"{other} is a {target.kind}: only a service or a worker rolls")
    yield from _source_refs(values)
    if values.ingress is not None:
        seen: set[str] = set()
        for index, path in enumerate(values.ingress.paths):
            if path.service not in values.services:
                yield Problem(
                    ("ingress", "paths", index, "service"), f"{path.service} is not a service (one of {', '.join(known)})"
                )
            if path.path in seen:
                yield Problem(("ingress", "paths", index, "path"), f"{path.path} is routed twice")
            seen.add(path.path)
    name = f"{values.release}-default-deny"
    if values.network_policies.enabled and len(name) > 63:
        yield Problem(("release",), f"{values.release} is too long: the NetworkPolicy {name} would exceed 63 characters")
    for key in values.services:
        if values.network_policies.enabled and values.object_name(key) == name:
            yield Problem(
                ("services", key), f"{name} is the name of the release's default-deny NetworkPolicy; rename the service"
            )


def _extra_object_reasons(values: AppValues) -> Iterator[Problem]:
    """A policy-scanner exception (``checkov.io/skipN``) on an extra object, or on its pod
    template, has its reason, by the library's one rule of reasons."""
    for index, obj in enumerate(values.extra_objects):
        places: list[Path] = [("metadata",)]
        if obj.get("kind") == "CronJob":
            places.append(("spec", "jobTemplate", "spec", "template", "metadata"))
        elif obj.get("kind") == "PodTemplate":
            places.append(("template", "metadata"))
        elif obj.get("kind") != "Pod" and pod_security.pod_template_of(obj) is not None:
            places.append(("spec", "template", "metadata"))
        for place in places:
            meta: Any = obj
            for key in place:
                meta = meta.get(key) if isinstance(meta, dict) else None
            annotations = meta.get("annotations") if isinstance(meta, dict) else None
            if isinstance(annotations, dict):
                for problem in audit.audit_annotation_problems(annotations):
                    yield Problem.said(("extraObjects", index, *place, "annotations"), problem, value=annotations)
