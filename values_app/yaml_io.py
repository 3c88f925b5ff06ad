"""PyYAML's safe loader and dumper (the C ones where libyaml is there), made cheaper for the
large, repetitive documents this library reads and writes. They read and write exactly what the
safe ones do for the same input (``tests/test_yaml_io.py``)."""

from __future__ import annotations

import re
from typing import Any

import yaml

__all__ = ["Dumper", "Loader", "dump_all", "yaml_error"]

_STR, _MAP, _SEQ = "tag:yaml.org,2002:str", "tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"
_RESOLVED: dict[tuple[str, tuple[bool, bool]], str] = {}


class _CachedResolve:
    """Each distinct scalar's implicit type is resolved once per process, not at every use
    (a regular-expression search each time). The safe resolver has no path resolvers, so the
    node path it would track is not tracked."""

    def resolve(self, kind: Any, value: Any, implicit: Any) -> Any:
        if kind is not yaml.ScalarNode:
            return super().resolve(kind, value, implicit)  # type: ignore[misc]
        key = (value, implicit)
        try:
            return _RESOLVED[key]
        except KeyError:
            tag = _RESOLVED[key] = super().resolve(kind, value, implicit)  # type: ignore[misc]
            return tag

    def descend_resolver(self, current_node: Any, current_index: Any) -> None:
        pass

    def ascend_resolver(self) -> None:
        pass


class Loader(_CachedResolve, getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """``yaml.SafeLoader`` (C if available), with cached scalar resolution."""


class Dumper(_CachedResolve, getattr(yaml, "CSafeDumper", yaml.SafeDumper)):  # type: ignore[misc]
    """``yaml.SafeDumper`` (C if available) for trees of dicts, lists and scalars: no anchors or
    aliases, cached scalar resolution, and the node tree built directly for the common types."""

    def ignore_aliases(self, data: Any) -> bool:
        return True

    def represent(self, data: Any) -> None:
        # SafeRepresenter.represent without its alias bookkeeping, which ignore_aliases empties.
        self.serialize(self._node(data))

    def _node(self, data: Any) -> yaml.Node:
        # The nodes SafeRepresenter makes for these types under default_flow_style=False.
        kind = type(data)
        if kind is str:
            return yaml.ScalarNode(_STR, data)
        if kind is dict:
            return yaml.MappingNode(_MAP, [(self._node(k), self._node(v)) for k, v in data.items()], flow_style=False)
        if kind is list:
            return yaml.SequenceNode(_SEQ, [self._node(item) for item in data], flow_style=False)
        node: yaml.Node = self.represent_data(data)  # bool, int, None and anything rarer
        return node


_RESOLVER = Dumper(None)


class _UnsupportedError(Exception):
    """A value the fast emitter leaves to PyYAML."""


_SCALARS: dict[tuple[str, bool], str] = {}
_LONGEST = 4096
"""Strings longer than this go to PyYAML, which may fold them."""


_PLAIN = re.compile(r"[A-Za-z0-9_/][A-Za-z0-9_./:=+-]*")
"""Strings PyYAML writes plain in block context, as key or value, when they resolve to str: no
indicator first, no ': ', ' #', blank, quote, comma or bracket anywhere, no ':' last."""


def _scalar(text: str, key: bool) -> str:
    """How PyYAML writes the string ``text`` as a block mapping key or value, when that is one line."""
    try:
        return _SCALARS[(text, key)]
    except KeyError:
        pass
    if _PLAIN.fullmatch(text) and not text.endswith(":") and _RESOLVER.resolve(yaml.ScalarNode, text, (True, False)) == _STR:
        _SCALARS[(text, key)] = text
        return text
    if len(text) > _LONGEST:
        raise _UnsupportedError
    if key:
        out = yaml.dump({text: 0}, Dumper=Dumper, default_flow_style=False, width=2**16, allow_unicode=True)
        if not out.endswith(": 0\n") or out.startswith("? ") or "\n" in out[:-4]:
            raise _UnsupportedError
        written = out[:-4]
    else:
        out = yaml.dump({"k": text}, Dumper=Dumper, default_flow_style=False, width=2**16, allow_unicode=True)
        if not out.startswith("k: ") or "\n" in out[3:-1] or out[3:4] in ("|", ">"):
            raise _UnsupportedError
        written = out[3:-1]
    _SCALARS[(text, key)] = written
    return written


def _value(value: Any) -> str:
    kind = type(value)
    if kind is str:
        return _scalar(value, False)
    if kind is bool:
        return "true" if value else "false"
    if kind is int:
        return str(value)
    if value is None:
        return "null"
    raise _UnsupportedError


def _mapping(data: dict[Any, Any], indent: str, out: list[str], first: str | None = None) -> None:
    """Lines of a non-empty block mapping whose keys start at ``indent``; the first line starts
    with ``first`` instead (``- `` of the sequence item it is in)."""
    for key, value in data.items():
        if type(key) is not str:
            raise _UnsupportedError
        head = (first if first is not None else indent) + _scalar(key, True) + ":"
        first = None
        kind = type(value)
        if kind is dict:
            if value:
                out.append(head)
                _mapping(value, indent + "  ", out)
            else:
                out.append(head + " {}")
        elif kind is list:
            if value:
                out.append(head)
                _sequence(value, indent, out)
            else:
                out.append(head + " []")
        else:
            out.append(head + " " + _value(value))


def _sequence(items: list[Any], indent: str, out: list[str], first: str | None = None) -> None:
    for item in items:
        head = (first if first is not None else indent) + "- "
        first = None
        kind = type(item)
        if kind is dict and item:
            _mapping(item, indent + "  ", out, head)
        elif kind is list and item:
            _sequence(item, indent + "  ", out, head)
        elif kind is dict:
            out.append(head + "{}")
        elif kind is list:
            out.append(head + "[]")
        else:
            out.append(head + _value(item))


def dump_all(documents: list[Any]) -> str:
    """The YAML stream of ``documents``, byte for byte what ``yaml.dump_all(documents, Dumper=Dumper,
    sort_keys=False, default_flow_style=False, width=2**16, allow_unicode=True)`` writes.

    Manifests (mappings of mappings, lists, strings, integers and booleans) are written directly;
    a stream holding anything else (a float, a multi-line or very long string) goes through PyYAML."""
    parts = []
    try:
        for document in documents:
            if type(document) is not dict or not document:
                raise _UnsupportedError
            lines: list[str] = []
            _mapping(document, "", lines)
            parts.append("\n".join(lines) + "\n")
    except _UnsupportedError:
        options: dict[str, Any] = {"sort_keys": False, "default_flow_style": False, "width": 2**16, "allow_unicode": True}
        text: str = yaml.dump_all(documents, Dumper=Dumper, **options)
        return text
    return "---\n".join(parts)


def yaml_error(where: str, text: str, error: yaml.YAMLError) -> str:
    """One line for a YAML error in ``text`` read from ``where``: ``where:LINE: not valid YAML: what``.

    Only what is wrong and where, never the snippet of the document that PyYAML's own message
    quotes: the document may hold Secret values.
    """
    line: int | None = None
    what = ""
    if isinstance(error, yaml.MarkedYAMLError):
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark is not None else None
        what = "; ".join(" ".join(part.split()) for part in (error.context, error.problem) if part)
    elif isinstance(error, yaml.reader.ReaderError):
        line = text.count("\n", 0, error.position) + 1
        character = error.character if isinstance(error.character, int) else ord(error.character)
        what = f"unacceptable character #x{character:04x}: {error.reason}"
    located = f"{where}:{line}" if line is not None else where
    return f"{located}: not valid YAML: {what or type(error).__name__}"
