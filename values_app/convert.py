"""Build props dataclasses from the plain data of a values file, reporting every problem.

Keys are the fields' camelCase aliases (``runAsNonRoot`` for ``run_as_non_root``), as in Helm
values files. Types are checked first (a string where a number belongs, an unknown key, a
missing one); then each dataclass is created, which runs its own rules (:class:`webapp_constructs.Props`).
Problems carry the path of the YAML key to blame, so the loader can point at its line.
"""

from __future__ import annotations

import dataclasses
import functools
import types
import typing
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, Literal, Union, cast

from webapp_constructs import Path, Problem, PropsError, kind_of, rule_problems, type_checker

from .fields import alias_of, fields_of, hints, in_values, spec_of
from .settings import FlagInt

__all__ = ["build", "keys_at", "suggestion", "yaml_path"]


@functools.cache
def _by_alias(cls: type) -> dict[str, dataclasses.Field[Any]]:
    """The fields a values file may set, by their key (:func:`.fields.in_values`)."""
    return {alias_of(field): field for field in fields_of(cls) if in_values(cls, field)}


def _dataclasses_in(tp: Any) -> list[type]:
    if isinstance(tp, type) and dataclasses.is_dataclass(tp):
        return [tp]
    return [found for arg in typing.get_args(tp) for found in _dataclasses_in(arg)]


def suggestion(key: str, known: Iterable[str]) -> str:
    """``; did you mean 'x'?`` for ``key``, the closest of ``known``, or nothing when none is close."""
    return _suggest(key, known)


def keys_at(tp: Any, path: Path, data: Any) -> tuple[str, ...] | None:
    """The keys a values file may give the mapping at ``path`` inside a value of type ``tp`` (whose
    data, as merged, is ``data``): the fields of a props class (of the arm ``kind`` picks, or of
    every arm when it picks none), or None where any key goes (a mapping of names, untyped data)."""
    for part in path:
        arm = _arm(tp, data)
        arms = arm if isinstance(arm, tuple) else (arm,)
        if all(isinstance(each, type) and dataclasses.is_dataclass(each) for each in arms):
            found = [(each, _by_alias(each)[str(part)]) for each in arms if str(part) in _by_alias(each)]
            if not found:
                return None  # inside an unknown key: any key goes (and the null removes nothing)
            owner, field = found[0]
            tp = hints(owner)[field.name]
        elif typing.get_origin(arm) in (dict, Mapping):
            tp = (typing.get_args(arm) or (Any, Any))[1]
        else:
            return None
        data = data.get(part) if isinstance(data, Mapping) else None
    arm = _arm(tp, data)
    arms = arm if isinstance(arm, tuple) else (arm,)
    if all(isinstance(each, type) and dataclasses.is_dataclass(each) for each in arms):
        return tuple(dict.fromkeys(key for each in arms for key in _by_alias(each)))
    return None


def _arm(tp: Any, data: Any) -> Any:
    """``tp`` without None; of a union told apart by ``kind``, the arm ``data`` picks (all of them, a
    tuple, when it picks none)."""
    arms = [arm for arm in _union_arms(tp) if arm is not type(None)]
    if len(arms) == 1:
        return arms[0]
    table = _discriminated(arms)
    if table is None:
        return tp
    kind = data.get("kind") if isinstance(data, Mapping) else None
    return table.get(kind, tuple(table.values())) if isinstance(kind, str) else tuple(table.values())


def _suggest(key: str, known: Iterable[str]) -> str:
    """A did-you-mean for an unknown key, among the keys allowed where it stands."""
    import difflib  # only for a mistake

    close = difflib.get_close_matches(key, known, n=1, cutoff=0.6)
    return f"; did you mean {close[0]!r}?" if close else ""


def _union_arms(tp: Any) -> tuple[Any, ...]:
    return typing.get_args(tp) if typing.get_origin(tp) in (Union, types.UnionType) else (tp,)


def _discriminated(arms: Sequence[type]) -> dict[Any, type] | None:
    """``kind`` value -> dataclass, for a union of dataclasses told apart by a ``kind`` literal."""
    table: dict[Any, type] = {}
    for arm in arms:
        if not (isinstance(arm, type) and dataclasses.is_dataclass(arm)):
            return None
        kind = hints(arm).get("kind")
        if typing.get_origin(kind) is not Literal:
            return None
        for value in typing.get_args(kind):
            table[value] = arm
    return table


_Builder = Callable[[Any, Path], tuple[Any, list[Problem]]]


def build(tp: Any, data: Any, path: Path = ()) -> tuple[Any, list[Problem]]:
    """``data`` as type ``tp``: the value (None when there are problems) and the problems."""
    return _builder(tp)(data, path)


@functools.cache
def _builder(tp: Any) -> _Builder:
    """The function that builds values of type ``tp`` from plain data, made once per type."""
    all_arms = _union_arms(tp)
    arms = [arm for arm in all_arms if arm is not type(None)]
    optional = len(arms) < len(all_arms)
    if len(arms) > 1:
        table = _discriminated(arms)
        if table is not None:
            inner = _discriminated_builder(table)
            return _optional(inner) if optional else inner
    if len(arms) == 1:
        tp = arms[0]
    origin = typing.get_origin(tp)
    built: _Builder
    if isinstance(tp, type) and dataclasses.is_dataclass(tp):
        built = _dataclass_builder(tp)
    elif origin in (list, tuple, Sequence):
        built = _sequence_builder(tp)
    elif origin in (dict, Mapping):
        built = _mapping_builder(tp)
    else:
        check = type_checker(tp)

        def leaf(data: Any, path: Path) -> tuple[Any, list[Problem]]:
            if type(data) is FlagInt:  # a --set integer: its text where a string belongs, else an int
                data = data.text if tp is str else int(data)
            problems = check(data, path)
            return (None if problems else data), problems

        built = leaf
    return _optional(built) if optional else built


def _optional(inner: _Builder) -> _Builder:
    def optional(data: Any, path: Path) -> tuple[Any, list[Problem]]:
        return (None, []) if data is None else inner(data, path)

    return optional


def _sequence_builder(tp: Any) -> _Builder:
    (item_type,) = typing.get_args(tp)[:1] or (Any,)
    item = _builder(item_type)
    check = type_checker(tp)

    def sequence(data: Any, path: Path) -> tuple[Any, list[Problem]]:
        if not isinstance(data, list):
            problems = check(data, path)
            return (None if problems else data), problems
        items, found = [], []
        for index, entry in enumerate(data):
            value, problems = item(entry, (*path, index))
            items.append(value)
            found += problems
        return (None if found else items), found

    return sequence


def _mapping_builder(tp: Any) -> _Builder:
    key_type, value_type = typing.get_args(tp) or (Any, Any)
    value_builder = _builder(value_type)
    check, check_key = type_checker(tp), type_checker(key_type)

    def mapping(data: Any, path: Path) -> tuple[Any, list[Problem]]:
        if not isinstance(data, Mapping):
            problems = check(data, path)
            return (None if problems else data), problems
        result, found = {}, []
        for key, entry in data.items():
            wrong = check_key(key, ())
            if wrong:
                found += [p._replace(path=(*path, str(key))) for p in wrong]
            value, problems = value_builder(entry, (*path, str(key)))
            result[key] = value
            found += problems
        return (None if found else result), found

    return mapping


def _discriminated_builder(table: dict[Any, type]) -> _Builder:
    kinds = ", ".join(str(kind) for kind in table)
    builders = {kind: _dataclass_builder(cls) for kind, cls in table.items()}

    def discriminated(data: Any, path: Path) -> tuple[Any, list[Problem]]:
        if not isinstance(data, Mapping):
            return None, [Problem(path, f"{data!r} is a {kind_of(data)}, expected mapping")]
        if "kind" not in data:
            return None, [Problem(path, f"missing 'kind' (one of {kinds})")]
        kind = data["kind"]
        if not isinstance(kind, str) or kind not in builders:
            return None, [Problem(path, f"kind {kind!r} is not one of {kinds}")]
        return builders[kind](data, path)

    return discriminated


def _dataclass_builder(cls: type) -> _Builder:
    fields = _by_alias(cls)
    types_ = hints(cls)
    required = [
        alias
        for alias, field in fields.items()
        if field.default is dataclasses.MISSING and field.default_factory is dataclasses.MISSING
    ]
    has_rules = {alias: any(field.metadata.get(k) for k in ("check", "each", "keys")) for alias, field in fields.items()}
    # Built lazily: a dataclass may contain itself (not here, but the cache must not recurse).
    field_builders: dict[str, _Builder] = {}

    def dataclass(data: Any, path: Path) -> tuple[Any, list[Problem]]:
        if not isinstance(data, Mapping):
            return None, [Problem(path, f"{_short(data)} is a {kind_of(data)}, expected mapping")]
        kwargs: dict[str, Any] = {}
        found: list[Problem] = []
        for key, entry in data.items():
            field = fields.get(key) if isinstance(key, str) else None
            if field is None:
                found.append(Problem((*path, str(key)), f"unknown key {str(key)!r}" + _suggest(str(key), fields)))
                continue
            builder = field_builders.get(key)
            if builder is None:
                builder = field_builders[key] = _builder(types_[field.name])
            value, problems = builder(entry, (*path, key))
            kwargs[field.name] = value
            if problems:
                found += problems
            elif has_rules[key]:
                wrong = rule_problems(field, value, (field.name,))
                found += [p._replace(path=(*path, *yaml_path(cls, p.path))) for p in wrong]
        for alias in required:
            if alias not in data:
                found.append(Problem((*path, alias), "required, but missing"))
        if found:
            return None, found
        try:
            return cast(Any, cls).from_checked(kwargs), []  # every field checked above: only the rules between them run
        except PropsError as error:  # the rules between fields: each field's own were checked above
            return None, [p._replace(path=(*path, *yaml_path(cls, p.path))) for p in error.problems]

    return dataclass


def yaml_path(cls: type, path: Path) -> Path:
    """A field path of dataclass ``cls`` (field names) as the values file spells it (aliases)."""
    out: list[str | int] = []
    current: Any = cls
    for part in path:
        if isinstance(current, type) and dataclasses.is_dataclass(current) and isinstance(part, str):
            # A field by its name, or (a construct prop's path) the field that feeds that prop.
            field = next((f for f in fields_of(current) if f.name == part), None) or next(
                (f for f in fields_of(current) if spec_of(f).to == part), None
            )
            if field is not None:
                out.append(alias_of(field))
                current = hints(current)[field.name]
                continue
        out.append(part)
        current = _inner(current)
    return tuple(out)


def _inner(tp: Any) -> Any:
    """The dataclass inside ``tp`` (through Optional, list and mapping types), if any."""
    found = _dataclasses_in(tp)
    return found[0] if len(found) == 1 else None


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."
