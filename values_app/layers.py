"""Layered values: files merged in order, ``extends`` chains, and ``--set`` flags, each value
remembering where it came from.

* ``--values A --values B``: B is merged over A. Mappings merge key by key; lists and scalars
  replace; an explicit ``null`` removes a key.
* ``extends: base.yaml`` in a file: the base (resolved relative to the file, chains of up to
  :data:`MAX_EXTENDS` files allowed) is loaded first and the file merged over it. A cycle is an
  error.
* ``--set path=value`` (Helm's syntax for the common cases: dotted paths, ``\\.`` for a dot in a
  key, ``[N]`` list indexes, ``a=1,b=2`` with ``\\,`` for a comma in a value, ``{x,y}`` lists; the
  value typed as Helm types it: ``true``, ``false``, ``null`` (which removes) and integers without a
  leading zero, anything else a string) and ``--set-string`` (the value stays a string), applied
  after every file, in order. An integer of a flag where a string belongs is its text as given.

Every value keeps its :class:`Origin`: the file and line of the layer that set it, or the flag. An
error about it names that origin.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

import yaml

from constructs.props import Path as FieldPath
from constructs.props import dotted

from .inputs import InputError, read_text_bounded
from .yaml_io import Loader, alias_problem, yaml_error

__all__ = [
    "MAX_DEPTH",
    "MAX_EXTENDS",
    "FileLayer",
    "FlagInt",
    "Layers",
    "Origin",
    "Setting",
    "ValuesError",
    "line_of",
    "load_layers",
    "parse_document",
    "parse_setting",
]

MAX_DEPTH = 64
"""The deepest nesting a values file, or a ``--set`` path (with its ``{x,y}`` list), may have; far
more than any values file needs, and far less than what would exhaust the parser's stack."""


MAX_EXTENDS = 16
"""The longest ``extends`` chain: a values file and 15 bases under it."""


class ValuesError(Exception):
    """Values with problems; ``lines`` is one line per problem, ready to print."""

    def __init__(self, lines: Iterable[str]) -> None:
        self.lines = list(lines)
        super().__init__("\n".join(self.lines))


class Origin(NamedTuple):
    """Where a value came from: ``source`` (a file) and ``line``, or a flag (``line`` None)."""

    source: str
    line: int | None = None

    def __str__(self) -> str:
        return f"{self.source}:{self.line}" if self.line is not None else self.source


class Setting(NamedTuple):
    """One ``--set`` / ``--set-string`` flag as given."""

    text: str
    string: bool = False

    @property
    def flag(self) -> str:
        return "--set-string" if self.string else "--set"


class FileLayer(NamedTuple):
    """One values file as read: its data (without ``extends``) and its YAML node tree (for lines)."""

    source: str
    data: dict[str, Any]
    node: yaml.Node


_QUOTE_IT = " (quote it)"
"""The hint of :func:`constructs.props.type_problems` for a number or boolean where a string belongs."""


@dataclass
class Layers:
    """The merged values, and the layers they came from (to tell where each value came from)."""

    data: dict[str, Any]
    files: list[FileLayer] = field(default_factory=list)
    """The files read, base first (``extends`` included)."""
    settings: list[tuple[str, FieldPath, Any]] = field(default_factory=list)
    """The ``--set`` assignments applied: (the assignment as written, path, value)."""

    def locate(self, path: Sequence[str | int]) -> tuple[Origin, FieldPath]:
        """Where the deepest value on ``path`` came from (the last layer that set it), and the part
        of ``path`` that exists in the values."""
        for depth in range(len(path), 0, -1):
            prefix = tuple(path[:depth])
            for where, target, value in reversed(self.settings):
                if value is not None and target == prefix[: len(target)]:
                    return Origin(where), prefix
            for layer in reversed(self.files):
                line = line_of(layer.node, prefix)
                if line is not None:
                    return Origin(layer.source, line), prefix
            for where, target, value in reversed(self.settings):
                if value is not None and prefix == target[:depth]:
                    return Origin(where), prefix
        return Origin(self.files[-1].source if self.files else "<values>", 1), ()

    def message(self, path: Sequence[str | int], text: str) -> str:
        """``<origin>: <field path>: <text>``. A field the values lack is still named, with the
        origin of its parent."""
        origin, found = self.locate(path)
        if origin.line is None and text.endswith(_QUOTE_IT):  # a flag's value: quotes would not help
            text = text.removesuffix(_QUOTE_IT) + " (use --set-string)"
        shown = found
        if path and (not found or found[-1] != path[-1]) and not isinstance(path[-1], int):
            shown = (*found, path[-1])
        return f"{origin}: {dotted(shown)}: {text}"


def line_of(node: yaml.Node, path: FieldPath) -> int | None:
    """The line of the value at ``path`` in a YAML node tree (its key's line in a mapping), or None."""
    line = None
    for part in path:
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                if key.value == part:
                    line, node = key.start_mark.line + 1, value
                    break
            else:
                return None
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and 0 <= part < len(node.value):
            node = node.value[part]
            line = node.start_mark.line + 1
        else:
            return None
    return line


# --- files --------------------------------------------------------------------------------------


def _kind(value: object) -> str:
    kind = int if isinstance(value, FlagInt) else type(value)
    return {dict: "mapping", list: "list", str: "string", bool: "boolean", int: "number", float: "number"}.get(
        kind, "null" if value is None else kind.__name__
    )


def _check_depth(text: str, source: str) -> None:
    """Refuse nesting deeper than :data:`MAX_DEPTH`, reading the YAML events one by one (nothing
    recurses here)."""
    depth = 0
    for event in yaml.parse(text, Loader=Loader):
        if isinstance(event, yaml.CollectionStartEvent):
            depth += 1
            if depth > MAX_DEPTH:
                mark: Any = event.start_mark
                line = mark.line + 1
                raise ValuesError([f"{source}:{line}: nested more than {MAX_DEPTH} levels deep; a values file needs far fewer"])
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1


def parse_document(text: str, source: str) -> tuple[dict[str, Any], yaml.Node]:
    """The data of a YAML mapping document and its node tree. Refuses nesting deeper than
    :data:`MAX_DEPTH`, aliases that bring in more than :data:`~.yaml_io.MAX_ALIAS_NODES` nodes or
    contain themselves, and keys a mapping repeats."""
    try:
        _check_depth(text, source)  # first, from the events (~1 ms): composing a deep document recurses, slowly
        loader = Loader(text)
        try:
            node = loader.get_single_node()
            problem = alias_problem(node, source, text) if node is not None else None
            if problem is not None:  # before anything walks it, through every alias
                raise ValuesError([problem])
            data = loader.construct_document(node) if node is not None else None
        finally:
            loader.dispose()
    except RecursionError:
        _check_depth(text, source)  # says where; the parser's own stack ran out first
        raise ValuesError([f"{source}: nested too deep; a values file needs far fewer than {MAX_DEPTH} levels"]) from None
    except yaml.YAMLError as error:
        raise ValuesError([yaml_error(source, text, error)]) from None
    if data is None:
        raise ValuesError([f"{source}: the values file is empty"])
    if not isinstance(data, dict):
        raise ValuesError([f"{source}:1: the values file must be a mapping (key: value), not a {_kind(data)}"])
    duplicates: list[str] = []

    def walk(node: yaml.Node, path: FieldPath) -> None:
        if len(path) >= MAX_DEPTH and isinstance(node, yaml.CollectionNode):
            line = node.start_mark.line + 1
            raise ValuesError([f"{source}:{line}: nested more than {MAX_DEPTH} levels deep; a values file needs far fewer"])
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
                walk(value, (*path, key.value))
        elif isinstance(node, yaml.SequenceNode):
            for index, item in enumerate(node.value):
                walk(item, (*path, index))

    walk(node, ())
    if duplicates:
        raise ValuesError(duplicates)
    return data, node


def _read(path: Path) -> str:
    try:
        return read_text_bounded(path, what="values file")
    except InputError as error:
        raise ValuesError([str(error)]) from None


def _chain_text(paths: Sequence[Path]) -> str:
    """``a -> b -> ... -> y -> z``: the start and the end of a long chain."""
    shown = [str(p) for p in paths]
    return " -> ".join(shown if len(shown) <= 5 else [*shown[:2], "...", *shown[-2:]])


def _file_layers(path: Path) -> list[FileLayer]:
    """The layers of the file at ``path``: its ``extends`` chain, base first, then the file. The
    chain is followed in a loop, at most :data:`MAX_EXTENDS` files long."""
    layers: list[FileLayer] = []
    chain: list[Path] = []  # as named, ``path`` first
    resolved: list[Path] = []
    while True:
        here = Path(os.path.abspath(path))
        if here in resolved:
            cycle = " -> ".join(str(p) for p in (*resolved[resolved.index(here) :], here))
            raise ValuesError([f"{path}:1: extends: a cycle ({cycle})"])
        chain.append(path)
        resolved.append(here)
        data, node = parse_document(_read(path), str(path))
        layers.append(FileLayer(str(path), data, node))
        if "extends" not in data:
            return layers[::-1]
        where = f"{path}:{line_of(node, ('extends',))}"
        base = data.pop("extends")
        if not isinstance(base, str) or not base:
            raise ValuesError([f"{where}: extends: {base!r} is a {_kind(base)}, expected the path of a values file"])
        base_path = Path(os.path.normpath(path.parent / base))
        if len(chain) == MAX_EXTENDS:
            shown = _chain_text([*chain, base_path])
            raise ValuesError([f"{where}: extends: the chain is longer than {MAX_EXTENDS} files ({shown})"])
        if not base_path.is_file():
            raise ValuesError([f"{where}: extends: {base_path}: no such values file"])
        path = base_path


# --- merging -------------------------------------------------------------------------------------


def _copy(value: Any) -> Any:
    """A copy of plain YAML data (dicts, lists, scalars)."""
    if isinstance(value, dict):
        return {key: _copy(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_copy(item) for item in value]
    return value


def _merge(base: dict[str, Any], over: dict[str, Any]) -> None:
    """Merge ``over`` into ``base``: mappings key by key, lists and scalars replaced, null removes."""
    for key, value in over.items():
        if value is None:
            base.pop(key, None)
        elif isinstance(value, dict) and isinstance(base.get(key), dict):
            _merge(base[key], value)
        else:
            base[key] = _copy(value)


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
    """The value of ``path=text``: a ``{x,y}`` list (of scalars: lists do not nest) or a scalar."""
    if text.startswith("{") and text.endswith("}"):
        return [_scalar(item, string) for item in _split(text[1:-1], ",")] if text[1:-1] else []
    return _scalar(text, string)


class FlagInt(int):
    """An integer from a ``--set`` flag, which remembers its text: where a string belongs (an image
    tag of digits), it is that text, as Helm renders ``--set image.tag=1234567``. An integer in a
    values file stays an integer there, an error."""

    text: str

    def __new__(cls, text: str) -> FlagInt:
        value = super().__new__(cls, text)
        value.text = text
        return value


_INT = re.compile(r"[+-]?[0-9]+", re.ASCII)
"""What Go's ``strconv.ParseInt(s, 10, 64)`` reads (within int64)."""


def _equal_fold(text: str, word: str) -> bool:
    """Go's ``strings.EqualFold(text, word)`` for an ASCII lowercase ``word``: ASCII case aside, only
    U+017F (long s) folds to one of its letters, ``s``."""
    if len(text) != len(word):
        return False
    return all(c.lower() == w or (w == "s" and c == "\u017f") for c, w in zip(text, word, strict=True))


def _scalar(text: str, string: bool) -> Any:
    """A ``--set`` value typed as Helm types it (``typedVal`` of helm.sh/helm/v3/pkg/strvals): ``true``
    and ``false``, ``null``, and a base-10 int64 that does not start with ``0`` (``0`` itself aside),
    each in any letter case; anything else is a string (``0123456``, ``1.5``, ``1e10``, ``yes``, ``~``)."""
    if string:
        return text
    if _equal_fold(text, "true"):
        return True
    if _equal_fold(text, "false"):
        return False
    if _equal_fold(text, "null"):
        return None
    if text == "0" or (text[:1] != "0" and _INT.fullmatch(text) and -(2**63) <= int(text) < 2**63):
        return FlagInt(text)
    return text


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
        value = _value(text, setting.string)
        levels = len(path) + isinstance(value, list)  # the mappings the path makes, the top one included
        if levels > MAX_DEPTH:
            what = "the path and its {x,y} list are" if isinstance(value, list) else "the path is"
            raise ValuesError([f"{setting.flag} {assignment}: {what} {levels} levels deep; at most {MAX_DEPTH} may be"])
        found.append((f"{setting.flag} {assignment}", path, value))
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
        if isinstance(part, int):
            if not isinstance(node, list) or part >= len(node):
                size = len(node) if isinstance(node, list) else 0
                raise ValuesError([f"{where}: {dotted(here)}: index {part} is out of range (the list has {size} entries)"])
            child = node[part]
        elif isinstance(node, dict):
            child = node.get(part)
        else:
            raise ValuesError([f"{where}: {dotted(here[:-1])}: is a {_kind(node)}, not a mapping"])
        if child is None:
            if isinstance(part, int):
                raise ValuesError([f"{where}: {dotted(here)}: nothing to set inside a null"])
            child = [] if isinstance(path[depth + 1], int) else {}
            node[part] = child
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
    else:
        node[last] = value
    layers.settings.append((where, path, value))


# --- all together ---------------------------------------------------------------------------------


def load_layers(files: Sequence[Path], settings: Sequence[Setting] = ()) -> Layers:
    """Read ``files`` (each with its ``extends`` chain) and merge them in order, then apply
    ``settings``. Raise :class:`ValuesError` with every problem of the files (one line each)."""
    layers = Layers(data={})
    problems: list[str] = []
    for path in files:
        try:
            layers.files += _file_layers(path)
        except ValuesError as error:
            problems += error.lines
    if problems:
        raise ValuesError(problems)
    if len(layers.files) == 1 and not settings:
        layers.data = layers.files[0].data  # nothing merges into it: no copy
    else:
        for layer in layers.files:
            _merge(layers.data, layer.data)
    for setting in settings:
        for where, field_path, value in parse_setting(setting):
            _apply(layers, where, field_path, value)
    return layers
