"""Layered values: files merged in order and ``extends`` chains, each value remembering where it
came from; the ``--set`` flags applied over them are :mod:`.settings`.

* ``--values A --values B``: B is merged over A. Mappings merge key by key; lists and scalars
  replace; an explicit ``null`` removes a key (one that removes nothing is recorded in
  :attr:`Layers.nulls`: it must name a field of the model).
* ``extends: base.yaml`` in a file: the base (resolved relative to the file, chains of up to
  :data:`MAX_EXTENDS` files allowed) is loaded first and the file merged over it. A cycle is an
  error, and so is a base that is not a values file (said without a word of its content).

Every value keeps its :class:`Origin`: the file and line of the layer that set it, or the flag. An
error about it names that origin.
"""

from __future__ import annotations

import os
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

import yaml

from webapp_constructs import Path as FieldPath
from webapp_constructs import dotted, kind_of

from .inputs import InputError, read_text_bounded
from .yaml_io import Loader, alias_problem, load_plain, yaml_error

__all__ = [
    "MAX_DEPTH",
    "MAX_EXTENDS",
    "FileLayer",
    "Layers",
    "Lines",
    "Origin",
    "ValuesError",
    "file_layers",
    "line_of",
    "merge",
    "parse_document",
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


class Lines:
    """Where each value of a YAML document is: the document's node tree, composed when first asked
    for (only a message needs a line). Its depth was checked as it was read."""

    __slots__ = ("_node", "_text")

    def __init__(self, text: str, node: yaml.Node | None = None) -> None:
        self._text = text
        self._node = node

    @property
    def node(self) -> yaml.Node:
        if self._node is None:
            loader = Loader(self._text)
            try:
                self._node = loader.get_single_node()
            finally:
                loader.dispose()
        return self._node


class FileLayer(NamedTuple):
    """One values file as read: its data (without ``extends``) and where each value is (lines)."""

    source: str
    data: dict[str, Any]
    node: Lines


_QUOTE_IT = " (quote it)"
"""The hint of :func:`webapp_constructs.type_checker` for a number or boolean where a string belongs."""


@dataclass
class Layers:
    """The merged values, and the layers they came from (to tell where each value came from)."""

    data: dict[str, Any]
    files: list[FileLayer] = field(default_factory=list)
    """The files read, base first (``extends`` included)."""
    settings: list[tuple[str, FieldPath, Any]] = field(default_factory=list)
    """The ``--set`` assignments applied: (the assignment as written, path, value)."""
    created: list[tuple[str, FieldPath]] = field(default_factory=list)
    """The mappings and lists a ``--set`` made on its way (that no file has): (the assignment, path)."""
    image_tags: list[str] = field(default_factory=list)
    """The ``image.tag`` assignments applied (:data:`.settings.IMAGE_TAG`)."""
    nulls: list[tuple[str, FieldPath]] = field(default_factory=list)
    """Each ``null`` that removed nothing (its key was not there): where it was written (a file
    and line, or the flag) and its path. A null may name a field the values lack; on anything else
    it is a typo that would otherwise pass unseen (:func:`.loader.values_from_layers` says so)."""

    def locate(self, path: Sequence[str | int]) -> tuple[Origin, FieldPath]:
        """Where the deepest value on ``path`` came from (the last layer that set it), and the part
        of ``path`` that exists in the values."""
        for depth in range(len(path), 0, -1):
            prefix = tuple(path[:depth])
            for where, made in reversed(self.created):  # made by a flag: a file's line there was a null
                if made == prefix:
                    return Origin(where), prefix
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
        origin of its parent. A problem at a file's value names the flags that set something in the
        same entry too (``services.frontend``): the problem may well be the flag's."""
        origin, found = self.locate(path)
        if origin.line is None and text.endswith(_QUOTE_IT):  # a flag's value: quotes would not help
            text = text.removesuffix(_QUOTE_IT) + " (use --set-string)"
        shown = found
        if len(found) < len(path) and not isinstance(path[-1], int):  # the whole path, what it lacks too
            shown = tuple(path)
        if origin.line is not None and len(path) >= 2:  # a file's value, maybe at odds with a flag's beside it
            flags = list(dict.fromkeys(where for where, target, _ in self.settings if tuple(target[:2]) == tuple(path[:2])))
            if flags:
                text += f" (with {', '.join(flags)})"
        return f"{origin}: {dotted(shown)}: {text}"


def line_of(node: yaml.Node | Lines, path: FieldPath) -> int | None:
    """The line of the value at ``path`` in a YAML node tree (its key's line in a mapping), or None."""
    tree = node.node if isinstance(node, Lines) else node
    line = None
    for part in path:
        if isinstance(tree, yaml.MappingNode):
            for key, value in tree.value:
                if key.value == part:
                    line, tree = key.start_mark.line + 1, value
                    break
            else:
                return None
        elif isinstance(tree, yaml.SequenceNode) and isinstance(part, int) and 0 <= part < len(tree.value):
            tree = tree.value[part]
            line = tree.start_mark.line + 1
        else:
            return None
    return line


# --- files --------------------------------------------------------------------------------------


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


def parse_document(text: str, source: str) -> tuple[dict[str, Any], Lines]:
    """The data of a YAML mapping document and where each value is. Refuses nesting deeper than
    :data:`MAX_DEPTH`, aliases that bring in more than :data:`~.yaml_io.MAX_ALIAS_NODES` nodes or
    contain themselves, and keys a mapping repeats."""
    plain = load_plain(text, MAX_DEPTH)  # the common case, straight from the events; else the full way
    if isinstance(plain, dict):
        return plain, Lines(text)
    try:
        _check_depth(text, source)  # first, from the events (cheap): composing a deep document recurses, slowly
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
        raise ValuesError([f"{source}:1: the values file must be a mapping (key: value), not a {kind_of(data)}"])
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
    return data, Lines(text, node)


def _read(path: Path) -> str:
    try:
        return read_text_bounded(path, what="values file")
    except InputError as error:
        raise ValuesError([str(error)]) from None


def _chain_text(paths: Sequence[Path]) -> str:
    """``a -> b -> ... -> y -> z``: the start and the end of a long chain."""
    shown = [str(p) for p in paths]
    return " -> ".join(shown if len(shown) <= 5 else [*shown[:2], "...", *shown[-2:]])


def file_layers(path: Path, *, values_keys: Collection[str]) -> list[FileLayer]:
    """The layers of the file at ``path``: its ``extends`` chain, base first, then the file. The
    chain is followed in a loop, at most :data:`MAX_EXTENDS` files long. A base must be a values
    file: a mapping with at least one of ``values_keys`` (the top-level keys of a values file) or
    ``extends``; any other file is refused without a word of what it holds (``extends:
    /etc/shadow``, a ``.env``, a kubeconfig: a message must never show their content)."""
    layers: list[FileLayer] = []
    chain: list[Path] = []  # as named, ``path`` first
    resolved: list[Path] = []
    named_at: str | None = None  # ``<file>:<line>`` of the ``extends`` that named ``path``
    while True:
        here = Path(os.path.abspath(path))
        if here in resolved:
            cycle = " -> ".join(str(p) for p in (*resolved[resolved.index(here) :], here))
            raise ValuesError([f"{path}:1: extends: a cycle ({cycle})"])
        chain.append(path)
        resolved.append(here)
        text = _read(path)
        if named_at is None:
            data, node = parse_document(text, str(path))
        else:
            data, node = _base_document(text, path, named_at, values_keys)
        layers.append(FileLayer(str(path), data, node))
        if "extends" not in data:
            return layers[::-1]
        where = f"{path}:{line_of(node, ('extends',))}"
        base = data.pop("extends")
        if not isinstance(base, str) or not base:
            raise ValuesError([f"{where}: extends: {base!r} is a {kind_of(base)}, expected the path of a values file"])
        base_path = Path(os.path.normpath(path.parent / base))
        if len(chain) == MAX_EXTENDS:
            shown = _chain_text([*chain, base_path])
            raise ValuesError([f"{where}: extends: the chain is longer than {MAX_EXTENDS} files ({shown})"])
        if not base_path.is_file():
            raise ValuesError([f"{where}: extends: {base_path}: no such values file"])
        path, named_at = base_path, where


def _base_document(text: str, path: Path, named_at: str, values_keys: Collection[str]) -> tuple[dict[str, Any], Lines]:
    """The document of ``path``, a base named by the ``extends`` at ``named_at``; refused, saying
    nothing of its content, unless it is a values file (see :func:`file_layers`)."""
    known = {*values_keys, "extends"}
    refusal = ValuesError(
        [
            f"{named_at}: extends: {path}: not a values file (a mapping of {_examples(values_keys)}...); extends names "
            "the values file this one is an overlay of"
        ]
    )
    try:
        data, node = parse_document(text, str(path))
    except ValuesError as error:
        try:
            keys = _top_level_keys(text)
        except yaml.YAMLError:
            raise error from None  # not YAML: the message says only where
        if keys is None or not (keys & known):
            raise refusal from None
        raise  # a values file's own mistakes
    if not any(isinstance(key, str) and key in known for key in data):
        raise refusal
    return data, node


def _examples(keys: Collection[str]) -> str:
    """A few of ``keys``, those of every values file first: ``release, appVersion, services, ``."""
    first = [key for key in ("release", "appVersion", "services") if key in keys]
    return "".join(f"{key}, " for key in first or sorted(keys)[:3])


def _top_level_keys(text: str) -> set[str] | None:
    """The keys of the top-level mapping of ``text``, from its parser's events (a key that is not a
    scalar counts as none), or None when it is not a mapping. Raises :class:`yaml.YAMLError`."""
    keys: set[str] = set()
    depth, nodes = 0, 0  # nodes: how many of the top-level mapping's keys and values began
    for event in yaml.parse(text, Loader=Loader):
        if isinstance(event, yaml.StreamStartEvent | yaml.StreamEndEvent | yaml.DocumentStartEvent | yaml.DocumentEndEvent):
            continue
        if depth == 0:
            if not isinstance(event, yaml.MappingStartEvent):
                return None
            depth = 1
        elif depth == 1 and isinstance(event, yaml.CollectionEndEvent):
            return keys
        elif depth == 1:
            if nodes % 2 == 0 and isinstance(event, yaml.ScalarEvent):
                keys.add(event.value)
            nodes += 1
            depth += isinstance(event, yaml.CollectionStartEvent)
        elif isinstance(event, yaml.CollectionStartEvent):
            depth += 1
        elif isinstance(event, yaml.CollectionEndEvent):
            depth -= 1
    return None


# --- merging -------------------------------------------------------------------------------------


def _copy(value: Any) -> Any:
    """A copy of plain YAML data (dicts, lists, scalars)."""
    if isinstance(value, dict):
        return {key: _copy(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_copy(item) for item in value]
    return value


def merge(base: dict[str, Any], over: dict[str, Any], removed_nothing: list[FieldPath] | None = None) -> None:
    """Merge ``over`` into ``base``: mappings key by key, lists and scalars replaced, null removes.
    The path of each null whose key ``base`` lacks is appended to ``removed_nothing``."""
    _merge(base, over, [] if removed_nothing is None else removed_nothing, ())


def _merge(base: dict[str, Any], over: dict[str, Any], removed_nothing: list[FieldPath], path: FieldPath) -> None:
    for key, value in over.items():
        if value is None:
            if base.pop(key, _ABSENT) is _ABSENT:
                removed_nothing.append((*path, key))
        elif isinstance(value, dict) and isinstance(base.get(key), dict):
            _merge(base[key], value, removed_nothing, (*path, key))
        else:
            base[key] = _copy(value)


_ABSENT = object()
