"""The fields of the values model: their rules (the library's), how a values file spells them, and
which construct prop each feeds.

The library's props know nothing of values files. What this app adds to a field rides in the
field's ``metadata`` under :data:`KEY` (``dataclasses.field``'s own extension point), read back with
:func:`spec_of`::

    port: int | None = prop(default=None, check=PORT, to="port")
    repo_url: str = prop(check=REPO_URL, key="repoURL")
"""

from __future__ import annotations

import dataclasses
import functools
import typing
from collections.abc import Callable
from typing import Any, NamedTuple, TypeVar

from webapp_constructs import Check, Security, propsclass
from webapp_constructs import prop as library_prop

__all__ = [
    "KEY",
    "FieldSpec",
    "alias_of",
    "fields_of",
    "hints",
    "in_values",
    "prop",
    "spec_of",
    "to_camel",
    "valuesclass",
]

_T = TypeVar("_T")

KEY = "values_app"
"""The key of a field's ``metadata`` that holds its :class:`FieldSpec`."""


class FieldSpec(NamedTuple):
    """What the values app knows of a field beyond its rules."""

    key: str | None = None
    """Its key in a values file. Default: its name in camelCase. (Not ``alias``: a field
    specifier's ``alias`` renames the ``__init__`` parameter, PEP 681.)"""
    to: str | None = None
    """The construct prop it feeds (its value passed through ``convert``). Default: none."""
    convert: Callable[[Any], Any] | None = None
    spread: bool = False
    """Its own fields feed props (it feeds none itself)."""


_PLAIN = FieldSpec()

_NOT_IN_VALUES: frozenset[tuple[type, str]] = frozenset({(Security, "reasons")})
"""Fields of the library's props that a values file does not set: a relaxation's reason is the
service's ``auditSkips`` entry for its check."""


def prop(
    *,
    default: Any = dataclasses.MISSING,
    check: Check | tuple[Check, ...] | list[Check] = (),
    each: Check | tuple[Check, ...] | list[Check] = (),
    keys: Check | tuple[Check, ...] | list[Check] = (),
    key: str | None = None,
    to: str | None = None,
    convert: Callable[[Any], Any] | None = None,
    spread: bool = False,
) -> Any:
    """A field of the values model: the library's rules (``check``, ``each``, ``keys``, see
    :func:`webapp_constructs.prop`) and what :class:`FieldSpec` says."""
    spec = FieldSpec(key, to, convert, spread)
    return library_prop(default=default, check=check, each=each, keys=keys, metadata={KEY: spec} if spec != _PLAIN else None)


@typing.dataclass_transform(kw_only_default=True, field_specifiers=(dataclasses.field, library_prop, prop))
def valuesclass(cls: type[_T]) -> type[_T]:
    """A class of the values model (a keyword-only props dataclass)."""
    return propsclass(cls)


def spec_of(field: dataclasses.Field[Any]) -> FieldSpec:
    found = field.metadata.get(KEY)
    return found if isinstance(found, FieldSpec) else _PLAIN


def to_camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def alias_of(field: dataclasses.Field[Any]) -> str:
    """The field's key in a values file."""
    return spec_of(field).key or to_camel(field.name)


def in_values(cls: type, field: dataclasses.Field[Any]) -> bool:
    """Whether a values file may set ``field`` of ``cls``."""
    return not any(issubclass(cls, owner) and field.name == name for owner, name in _NOT_IN_VALUES)


@functools.cache
def fields_of(cls: Any) -> tuple[dataclasses.Field[Any], ...]:
    """The fields of a dataclass (of the values model or a construct's props), cached."""
    return dataclasses.fields(cls)


@functools.cache
def hints(cls: Any) -> dict[str, Any]:
    """The resolved field annotations of a dataclass, cached."""
    return typing.get_type_hints(cls)
