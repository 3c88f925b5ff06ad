"""Load values: read the layers (files, ``extends``, ``--set``), build the model, check it, expand
its references.

Every problem is reported at once, one line each, naming where the bad value came from::

    values/x.yaml:12: services.backend.port: 70000 is not a valid port (1-65535)
    --set services.backend.port=70000: services.backend.port: 70000 is not a valid port (1-65535)
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import yaml

from webapp_constructs import Path as FieldPath
from webapp_constructs import Problem, PropsError, dotted

from .checks import check_values, construct_problems
from .convert import build, keys_at, suggestion, yaml_path
from .kinds import ServiceContext, values_wording
from .layers import FileLayer, Layers, Lines, ValuesError, file_layers, merge, parse_document
from .model import AppValues, ServiceUnion
from .references import expand_values
from .settings import Setting, apply_setting, image_tag_problems, parse_setting

__all__ = ["ValuesError", "load_layers", "load_values", "null_problems", "parse_values", "values_from_layers"]


def load_layers(files: Sequence[Path], settings: Sequence[Setting] = ()) -> Layers:
    """Read ``files`` (each with its ``extends`` chain) and merge them in order, then apply
    ``settings``. Raise :class:`ValuesError` with every problem of the files (one line each)."""
    layers = Layers(data={})
    problems: list[str] = []
    for path in files:
        try:
            layers.files += file_layers(path, values_keys=_VALUES_KEYS)
        except ValuesError as error:
            problems += error.lines
    if problems:
        raise ValuesError(problems)
    if len(layers.files) == 1 and not settings:
        layers.data = layers.files[0].data  # nothing merges into it: no copy (a null stays, for the model to judge)
    else:
        for layer in layers.files:
            removed_nothing: list[FieldPath] = []
            merge(layers.data, layer.data, removed_nothing)
            lines = _key_lines(layer.node, removed_nothing)
            layers.nulls += [(f"{layer.source}:{line}", path) for line, path in zip(lines, removed_nothing, strict=True)]
    for setting in settings:
        for where, field_path, value in parse_setting(setting):
            apply_setting(layers, where, field_path, value)
    problems = image_tag_problems(layers)
    if problems:
        raise ValuesError(problems)
    return layers


def load_values(files: Path | str | Sequence[Path | str], settings: Sequence[Setting] = ()) -> AppValues:
    """Read, merge, validate, check and expand the values of ``files`` and ``settings``; raise
    :class:`ValuesError`."""
    paths = [Path(files)] if isinstance(files, Path | str) else [Path(f) for f in files]
    return values_from_layers(load_layers(paths, settings))


def parse_values(text: str, *, source: str = "<values>") -> AppValues:
    """Validate, check and expand one values document given as YAML text; raise :class:`ValuesError`."""
    data, node = parse_document(text, source)
    if "extends" in data:
        raise ValuesError([f"{source}: extends: only a values file can extend another"])
    return values_from_layers(Layers(data=data, files=[FileLayer(source, data, node)]))


def values_from_layers(layers: Layers) -> AppValues:
    """The values of merged ``layers``, validated, checked and expanded."""
    nulls = null_problems(layers)
    values, problems = build(AppValues, layers.data)
    if problems:
        problems += _service_problems(layers.data)
        raise ValuesError([*nulls, *(layers.message(p.path, values_wording(p)) for p in problems)])
    if nulls:
        raise ValuesError(nulls)
    problems = check_values(values)
    if problems:
        raise ValuesError(layers.message(p.path, values_wording(p)) for p in problems)
    try:
        expanded = expand_values(values)
    except PropsError as error:  # what the references expanded to breaks a rule
        raise ValuesError(layers.message(yaml_path(AppValues, p.path), values_wording(p)) for p in error.problems) from None
    if expanded.extra_objects:
        problems = _extra_object_conflicts(expanded)
        if problems:
            raise ValuesError(layers.message(p.path, p.message) for p in problems)
    return expanded


def _extra_object_conflicts(values: AppValues) -> list[Problem]:
    """Each extra object with the identity of an object the release renders (or of another extra
    object): what the release renders is known once it is built, without any Secret value."""
    from webapp_constructs import chart_manifests

    from .extra_objects import conflicts
    from .release import build_release

    release = build_release(values, environ={})
    return conflicts(values, [manifest for chart in release.charts.values() for manifest in chart_manifests(chart)])


def _key_lines(node: Lines, paths: Sequence[FieldPath]) -> list[int]:
    """The line of the key of each of ``paths`` in a document: each mapping read once, however many
    of its keys are asked for (a line each, by :func:`.layers.line_of`, would be quadratic)."""
    found: dict[FieldPath, dict[object, int]] = {}
    lines = []
    for path in paths:
        parent = tuple(path[:-1])
        if parent not in found:
            mapping: object = node.node
            for part in parent:
                mapping = (
                    next((v for k, v in mapping.value if k.value == part), None)
                    if isinstance(mapping, yaml.MappingNode)
                    else None
                )
            keys = mapping.value if isinstance(mapping, yaml.MappingNode) else []
            found[parent] = {}
            for key, _ in keys:
                found[parent].setdefault(key.value, key.start_mark.line + 1)
        lines.append(found[parent].get(path[-1], 1))
    return lines


_VALUES_KEYS = keys_at(AppValues, (), None) or ()
"""The top-level keys of a values file: a file ``extends`` names must have one of them."""


def null_problems(layers: Layers) -> list[str]:
    """One line for each null of ``layers`` that removed nothing and names no field of the model:
    ``replica: null`` for ``replicas``, a service or a label that is not there. A null that names a
    field the values lack (``replicas: null`` where no layer set it) removes nothing, and is fine."""
    found = []
    for where, path in layers.nulls:
        *parent, key = path
        known = keys_at(AppValues, tuple(parent), layers.data)
        if known is not None and key in known:
            continue
        here: object = layers.data
        for part in parent:
            here = here.get(part) if isinstance(here, dict) else None
        if isinstance(here, dict) and key in here:
            continue  # a later layer set it: the null was no typo
        if known is not None:
            what = f"unknown key {str(key)!r}{suggestion(str(key), known)} (a null removes a key, and there is none to remove)"
        else:
            present = [str(k) for k in here] if isinstance(here, dict) and len(here) <= 1000 else []  # bounded
            what = f"null removes {str(key)!r}, which is not there{suggestion(str(key), present)}"
        found.append(f"{where}: {dotted(path)}: {what}")
    return found


def _service_problems(data: dict[str, object]) -> list[Problem]:
    """The rules of each service's construct, for the services that did load when the values as a
    whole did not: every problem is reported at once, not only the first layer of them."""
    services = data.get("services")
    if not isinstance(services, dict):
        return []
    context = ServiceContext.lenient(data)
    found: list[Problem] = []
    for key, entry in services.items():
        service, problems = build(ServiceUnion, entry, ("services", key))
        if service is not None and not problems and isinstance(key, str):
            found += construct_problems(key, service, context)
    return found
