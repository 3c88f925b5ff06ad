"""Layered values: files merged in order, ``extends`` chains, and ``--set`` flags, each value
remembering where it came from.

* ``--values A --values B``: B is merged over A. Mappings merge key by key; lists and scalars
  replace; an explicit ``null`` removes a key.
* ``extends: base.yaml`` in a file: the base (resolved relative to the file, chains allowed) is
  loaded first and the file merged over it. A cycle is an error.
* ``--set path=value`` (Helm's syntax for the common cases: dotted paths, ``\\.`` for a dot in a
  key, ``[N]`` list indexes, ``a=1,b=2`` with ``\\,`` for a comma in a value, ``{x,y}`` lists; the
  value parsed as YAML, ``null`` removes) and ``--set-string`` (the value stays a string), applied
  after every file, in order.

Every value keeps its :class:`Origin`: the file and line of the layer that set it, or the flag. An
error about it names that origin.
"""

from __future__ import annotations

import copy
import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from constructs.props import Path as FieldPath
from constructs.props import dotted

from .yaml_io import Loader

__all__ = ["MAX_DEPTH", "Layers", "Origin", "Setting", "ValuesError", "load_layers", "parse_document", "parse_setting"]

MAX_DEPTH = 64
"""The deepest nesting a values file may have; far more than any values file needs, and far less
than what would exhaust the parser's stack."""


class ValuesError(Exception):
    """Values with problems; ``lines`` is one line per problem, ready to print."""

    def __init__(self, lines: Iterable[str]) -> None:
        self.lines = list(lines)
        super().__init__("\n".join(self.lines))


@dataclass(frozen=True)
class Origin:
    """Where a value came from: ``source`` (a file) and ``line``, or a flag (``line`` None)."""

    source: str
    line: int | None = None

    def __str__(self) -> str:
        return f"{self.source}:{self.line}" if self.line is not None else self.source


@dataclass(frozen=True)
class Setting:
    """One ``--set`` / ``--set-string`` flag as given."""

    text: str
    string: bool = False

    @property
    def flag(self) -> str:
        return "--set-string" if self.string else "--set"


@dataclass
class Layers:
    """The merged values and the origin of each value (by field path)."""

    data: dict[str, Any]
    origins: dict[FieldPath, Origin] = field(default_factory=dict)
    sources: list[str] = field(default_factory=list)
    """The files read, base first (``extends`` included)."""

    def locate(self, path: Sequence[str | int]) -> tuple[Origin, FieldPath]:
        """The origin of the deepest value on ``path`` that has one, and the part of ``path`` that
        exists in the values."""
        best = self.origins.get((), Origin(self.sources[-1] if self.sources else "<values>", 1))
        found: FieldPath = ()
        for depth in range(1, len(path) + 1):
            prefix = tuple(path[:depth])
            origin = self.origins.get(prefix)
            if origin is not None:
                best, found = origin, prefix
        return best, found

    def message(self, path: Sequence[str | int], text: str) -> str:
        """``<origin>: <field path>: <text>``. A field the values lack is still named, with the
        origin of its parent."""
        origin, found = self.locate(path)
        shown = found
        if path and (not found or found[-1] != path[-1]) and not isinstance(path[-1], int):
            shown = (*found, path[-1])
        return f"{origin}: {dotted(shown)}: {text}"


# --- files --------------------------------------------------------------------------------------


def _kind(value: object) -> str:
    return {dict: "mapping", list: "list", str: "string", bool: "boolean", int: "number", float: "number"}.get(
        type(value), "null" if value is None else type(value).__name__
    )


def _check_depth(text: str, source: str) -> None:
    """Refuse nesting deeper than :data:`MAX_DEPTH` before anything recurses over it."""
    depth = 0
    for event in yaml.parse(text, Loader=Loader):
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > MAX_DEPTH:
                line = event.start_mark.line + 1
                raise ValuesError([f"{source}:{line}: nested more than {MAX_DEPTH} levels deep; a values file needs far fewer"])
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1


def parse_document(text: str, source: str) -> tuple[Any, dict[FieldPath, Origin]]:
    """The data of a YAML document and the origin (line) of each value."""
    try:
        _check_depth(text, source)
        loader = Loader(text)
        try:
            node = loader.get_single_node()
            data = loader.construct_document(node) if node is not None else None
        finally:
            loader.dispose()
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"{source}:{mark.line + 1}" if mark is not None else source
        problem = getattr(error, "problem", None) or str(error).splitlines()[0]
        raise ValuesError([f"{where}: not valid YAML: {problem}"]) from None
    if data is None:
        raise ValuesError([f"{source}: the values file is empty"])
    if not isinstance(data, dict):
        raise ValuesError([f"{source}:1: the values file must be a mapping (key: value), not a {_kind(data)}"])
    origins: dict[FieldPath, Origin] = {(): Origin(source, 1)}
    duplicates: list[str] = []

    def walk(node: yaml.Node, path: FieldPath) -> None:
        if isinstance(node, yaml.MappingNode):
            first: dict[object, int] = {}
            for key, value in node.value:
                line = key.start_mark.line + 1
                if key.value in first:
                    duplicates.append(
                        f"{source}:{line}: {dotted((*path, key.value))}: appears twice (first on line {first[key.value]}); "
                        "YAML keeps only the last"
                    )
                first.setdefault(key.value, line)
                origins[(*path, key.value)] = Origin(source, line)
                walk(value, (*path, key.value))
        elif isinstance(node, yaml.SequenceNode):
            for index, item in enumerate(node.value):
                origins[(*path, index)] = Origin(source, item.start_mark.line + 1)
                walk(item, (*path, index))

    walk(node, ())
    if duplicates:
        raise ValuesError(duplicates)
    return data, origins


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ValuesError([f"{path}: no such values file"]) from None
    except IsADirectoryError:
        raise ValuesError([f"{path}: is a directory, not a values file"]) from None
    except (OSError, UnicodeDecodeError) as error:
        reason = getattr(error, "strerror", None) or str(error)
        raise ValuesError([f"{path}: cannot read ({type(error).__name__}: {reason})"]) from None


def _file_layers(path: Path, chain: tuple[Path, ...] = ()) -> list[tuple[dict[str, Any], dict[FieldPath, Origin], str]]:
    """The layers of the file at ``path``: its ``extends`` chain, base first, then the file."""
    resolved = Path(os.path.abspath(path))
    if resolved in chain:
        cycle = " -> ".join(str(p) for p in (*chain[chain.index(resolved) :], resolved))
        raise ValuesError([f"{path}:1: extends: a cycle ({cycle})"])
    data, origins = parse_document(_read(path), str(path))
    base = data.pop("extends", None)
    if base is None:
        return [(data, origins, str(path))]
    if not isinstance(base, str) or not base:
        raise ValuesError([f"{origins[('extends',)]}: extends: {base!r} is a {_kind(base)}, expected the path of a values file"])
    base_path = Path(os.path.normpath(path.parent / base))
    try:
        layers = _file_layers(base_path, (*chain, resolved))
    except ValuesError as error:
        if not base_path.exists():
            raise ValuesError([f"{origins[('extends',)]}: extends: {base_path}: no such values file"]) from None
        raise error from None
    origins = {p: o for p, o in origins.items() if p[:1] != ("extends",)}
    return [*layers, (data, origins, str(path))]


# --- merging -------------------------------------------------------------------------------------


def _drop(origins: dict[FieldPath, Origin], path: FieldPath) -> None:
    for key in [key for key in origins if key[: len(path)] == path and len(key) >= len(path)]:
        del origins[key]


def _merge(
    base: dict[str, Any], origins: dict[FieldPath, Origin], over: dict[str, Any], over_origins: dict[FieldPath, Origin], prefix: FieldPath
) -> None:
    for key, value in over.items():
        path = (*prefix, key)
        if value is None:
            base.pop(key, None)
            _drop(origins, path)
        elif isinstance(value, dict) and isinstance(base.get(key), dict):
            if path in over_origins:
                origins[path] = over_origins[path]
            _merge(base[key], origins, value, over_origins, path)
        else:
            base[key] = copy.deepcopy(value)
            _drop(origins, path)
            origins.update({p: o for p, o in over_origins.items() if p[: len(path)] == path})


# --- --set ---------------------------------------------------------------------------------------

_INDEX = re.compile(r"^(?P<key>.*?)((\[\d+\])+)$")


def _split(text: str, separator: str) -> list[str]:
    """Split at ``separator`` unless escaped with a backslash (which is dropped)."""
    parts, current, escaped = [], "", False
    for char in text:
        if escaped:
            current += char if char in (separator, "\\") else "\\" + char
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == separator:
            parts.append(current)
            current = ""
        else:
            current += char
    parts.append(current + ("\\" if escaped else ""))
    return parts


def _path(text: str) -> FieldPath:
    out: list[str | int] = []
    for part in _split(text, "."):
        match = _INDEX.match(part)
        if match:
            out.append(match["key"])
            out += [int(index) for index in re.findall(r"\[(\d+)\]", part[len(match["key"]) :])]
        else:
            out.append(part)
    return tuple(out)


def _value(text: str, string: bool) -> Any:
    if text.startswith("{") and text.endswith("}"):
        return [_value(item, string) for item in _split(text[1:-1], ",")] if text[1:-1] else []
    if string:
        return text
    try:
        value = yaml.load(text, Loader=Loader) if text else ""
    except yaml.YAMLError:
        return text
    return value if isinstance(value, str | int | float | bool) or value is None else text


def parse_setting(setting: Setting) -> list[tuple[str, FieldPath, Any]]:
    """The assignments of a ``--set``/``--set-string`` flag: (the assignment as written, path, value).

    Raises :class:`ValuesError` for a malformed flag.
    """
    found = []
    assignments = []
    for part in _split_assignments(setting.text):
        if "=" not in part:
            raise ValuesError([f"{setting.flag} {setting.text}: {part!r} is not path=value (e.g. services.backend.replicas=3)"])
        assignments.append(part)
    for assignment in assignments:
        key, _, text = assignment.partition("=")
        path = _path(key)
        if not key or any(part == "" for part in path):
            raise ValuesError([f"{setting.flag} {assignment}: {key!r} is not a dotted path (e.g. services.backend.replicas)"])
        found.append((f"{setting.flag} {assignment}", path, _value(text, setting.string)))
    return found


def _split_assignments(text: str) -> list[str]:
    """Split ``a=1,b={x,y},c=3`` at the commas between assignments (not inside ``{}`` nor escaped)."""
    parts, current, depth, escaped = [], "", 0, False
    for char in text:
        if escaped:
            current += "\\" + char
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == "{":
            depth += 1
            current += char
        elif char == "}":
            depth -= 1
            current += char
        elif char == "," and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += char
    parts.append(current + ("\\" if escaped else ""))
    return [part for part in parts if part]


def _apply(layers: Layers, where: str, path: FieldPath, value: Any) -> None:
    node: Any = layers.data
    for depth, part in enumerate(path[:-1]):
        here = path[: depth + 1]
        child = node.get(part) if isinstance(node, dict) and isinstance(part, str) else None
        if isinstance(part, int):
            if not isinstance(node, list) or part >= len(node):
                size = len(node) if isinstance(node, list) else 0
                raise ValuesError([f"{where}: {dotted(here)}: index {part} is out of range (the list has {size} entries)"])
            child = node[part]
        if child is None:
            if isinstance(part, int):
                raise ValuesError([f"{where}: {dotted(here)}: nothing to set inside a null"])
            child = [] if isinstance(path[depth + 1], int) else {}
            node[part] = child
            layers.origins[here] = Origin(where)
        elif not isinstance(child, dict | list):
            raise ValuesError([f"{where}: {dotted(here)}: is a {_kind(child)}, nothing can be set inside it"])
        node = child
    last = path[-1]
    if isinstance(last, int):
        if not isinstance(node, list) or last > len(node):
            size = len(node) if isinstance(node, list) else 0
            raise ValuesError([f"{where}: {dotted(path)}: index {last} is out of range (the list has {size} entries)"])
        if value is None:
            raise ValuesError([f"{where}: {dotted(path)}: null cannot remove a list entry; set the whole list"])
        if last == len(node):
            node.append(value)
        else:
            node[last] = value
    elif not isinstance(node, dict):
        raise ValuesError([f"{where}: {dotted(path[:-1])}: is a {_kind(node)}, not a mapping"])
    elif value is None:
        node.pop(last, None)
        _drop(layers.origins, path)
        return
    else:
        node[last] = value
    _drop(layers.origins, path)
    layers.origins[path] = Origin(where)


# --- all together ---------------------------------------------------------------------------------


def load_layers(files: Sequence[Path], settings: Sequence[Setting] = ()) -> Layers:
    """Read ``files`` (each with its ``extends`` chain) and merge them in order, then apply
    ``settings``. Raise :class:`ValuesError` with every problem of the files (one line each)."""
    layers = Layers(data={})
    problems: list[str] = []
    for path in files:
        try:
            for data, origins, source in _file_layers(path):
                _merge(layers.data, layers.origins, data, origins, ())
                layers.origins.setdefault((), origins[()])
                layers.sources.append(source)
        except ValuesError as error:
            problems += error.lines
    if problems:
        raise ValuesError(problems)
    for setting in settings:
        for where, path, value in parse_setting(setting):
            _apply(layers, where, path, value)
    return layers
