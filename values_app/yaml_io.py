"""PyYAML's safe loader and dumper (the C ones where libyaml is there), made cheaper for the
large, repetitive documents this library reads and writes. They read and write exactly what the
safe ones do for the same input (``tests/test_yaml_io.py``)."""

from __future__ import annotations

import re
from typing import Any

import yaml

__all__ = [
    "CACHE_ENTRIES",
    "MAX_ALIAS_NODES",
    "Dumper",
    "Loader",
    "alias_problem",
    "cached_strings",
    "dump_all",
    "dump_each",
    "forget_secret_values",
    "holds_secret_values",
    "load_plain",
    "yaml_error",
]

_STR, _MAP, _SEQ = "tag:yaml.org,2002:str", "tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"
_RESOLVED: dict[tuple[str, tuple[bool, bool]], str] = {}

CACHE_ENTRIES = 20_000
"""The most entries each of this module's caches holds: one that is full is emptied and fills
again (a long-lived process that writes ever new strings does not grow without bound)."""

_SECRET_FIELDS = ("data", "stringData")
_LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration"


def holds_secret_values(document: Any) -> bool:
    """Whether ``document`` is a Secret by what it is, not by its exact spelling: a ``kind`` that
    is ``Secret`` in any case, of any API group, or a list of objects (``items:``) one of which is."""
    if not isinstance(document, dict):
        return False
    kind = document.get("kind")
    if isinstance(kind, str) and kind.lower() == "secret":
        return True
    items = document.get("items")
    return isinstance(items, list) and any(holds_secret_values(item) for item in items)


def _secret_strings(document: Any) -> list[str]:
    """The strings of a Secret's values in ``document`` (``data``, ``stringData``, the
    last-applied annotation; of each Secret of its ``items``)."""
    found: list[str] = []
    if not isinstance(document, dict):
        return found
    items = document.get("items")
    if isinstance(items, list):
        for item in items:
            found += _secret_strings(item)
    kind = document.get("kind")
    if not (isinstance(kind, str) and kind.lower() == "secret"):
        return found
    for field in _SECRET_FIELDS:
        value = document.get(field)
        if isinstance(value, dict):
            found += [item for item in value.values() if isinstance(item, str)]
        elif isinstance(value, str):
            found.append(value)
    metadata = document.get("metadata")
    annotations = metadata.get("annotations") if isinstance(metadata, dict) else None
    if isinstance(annotations, dict) and isinstance(annotations.get(_LAST_APPLIED), str):
        found.append(annotations[_LAST_APPLIED])
    return found


def forget_secret_values(document: Any) -> None:
    """Drop from this module's caches every value of each Secret in ``document`` (a manifest just
    read or written): no Secret value outlives the document it is in."""
    for text in _secret_strings(document):
        for implicit in ((True, False), (False, True), (False, False), (True, True)):
            _RESOLVED.pop((text, implicit), None)
        _VALUES.pop(text, None)
        _KEYS.pop(text, None)


def cached_strings() -> tuple[int, frozenset[str]]:
    """The size of the largest cache of this module, and every string its caches hold now."""
    sizes = [len(_RESOLVED), len(_KEYS), len(_VALUES), len(_HEADS), *(len(heads) for heads in _HEADS.values())]
    held = {text for text, _ in _RESOLVED} | set(_KEYS) | set(_VALUES) | set(_KEYS.values()) | set(_VALUES.values())
    held |= {head for heads in _HEADS.values() for head in (*heads, *heads.values())}
    return max(sizes), frozenset(held)


def _bounded(cache: dict[Any, Any]) -> dict[Any, Any]:
    if len(cache) >= CACHE_ENTRIES:
        cache.clear()
    return cache


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
            tag = _bounded(_RESOLVED)[key] = super().resolve(kind, value, implicit)  # type: ignore[misc]
            return tag

    def descend_resolver(self, current_node: Any, current_index: Any) -> None:
        pass

    def ascend_resolver(self) -> None:
        pass


class Loader(_CachedResolve, getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """``yaml.SafeLoader`` (C if available), with cached scalar resolution, and the plain mappings,
    sequences and strings of a document constructed directly (every other node, a merge key
    included, as the safe constructor does it, sharing what it made)."""

    def construct_document(self, node: yaml.Node) -> Any:
        data = self._direct(node)
        self.constructed_objects: dict[yaml.Node, Any] = {}  # as the safe constructor leaves itself
        self.recursive_objects: dict[yaml.Node, None] = {}
        self.deep_construct = False
        return data

    def _direct(self, node: yaml.Node) -> Any:
        kind = type(node)
        if kind is yaml.ScalarNode and node.tag == _STR:
            return node.value
        made = self.constructed_objects
        if node in made:  # an alias: the very object, as the safe constructor gives it
            return made[node]
        if kind is yaml.MappingNode and node.tag == _MAP and all(_plain_key(key) for key, _ in node.value):
            mapping: dict[Any, Any] = {}
            made[node] = mapping
            for key, value in node.value:
                mapping[self._direct(key)] = self._direct(value)
            return mapping
        if kind is yaml.SequenceNode and node.tag == _SEQ:
            sequence: list[Any] = []
            made[node] = sequence
            sequence.extend(self._direct(item) for item in node.value)
            return sequence
        return self.construct_object(node, deep=True)


_MERGE = "tag:yaml.org,2002:merge"


def load_plain(text: str, max_depth: int) -> Any:
    """The data of the YAML document ``text`` constructed straight from libyaml's events (no node
    tree: half the time), as ``yaml.safe_load`` gives it; None unless ``text`` is one plain
    document: mappings with scalar keys none of which repeats (as written), sequences, scalars
    without an explicit tag, no anchor, alias or merge key, at most ``max_depth`` collections deep,
    and valid. For anything else the caller reads the document the full way, which says what is
    wrong with it or reads what is unusual in it."""
    loader = Loader(text)
    try:
        return _plain(loader, max_depth)
    except yaml.YAMLError:
        return None
    finally:
        loader.dispose()


_NO_KEY: Any = object()
"""A mapping waiting for its next key."""


def _plain(loader: Any, max_depth: int) -> Any:
    resolved, resolve, construct = _RESOLVED, loader.resolve, loader.construct_object
    get, check = loader.get_event, loader.check_event
    scalar_event, mapping_start, sequence_start = yaml.ScalarEvent, yaml.MappingStartEvent, yaml.SequenceStartEvent
    # The open collection: its container, whether it is a mapping, the key read (or _NO_KEY), the
    # keys as written so far; the stack holds those of the collections around it.
    container: Any = None
    is_map, key, seen = False, _NO_KEY, set()
    stack: list[tuple[Any, bool, Any, set[str]]] = []
    root: Any = None
    documents = 0
    while check():
        event = get()
        kind = type(event)
        if kind is scalar_event:
            if event.anchor is not None or container is None or (event.tag is not None and event.tag != "!"):
                return None
            text, implicit = event.value, event.implicit
            tag = resolved.get((text, implicit)) or resolve(yaml.ScalarNode, text, implicit)
            if tag == _STR:
                value = text
            elif tag == _MERGE:
                return None
            else:  # an int, a bool, null, a float, a timestamp: as the safe constructor makes it
                value = construct(yaml.ScalarNode(tag, text, event.start_mark, event.end_mark, event.style))
            if not is_map:
                container.append(value)
            elif key is _NO_KEY:
                if text in seen:
                    return None
                seen.add(text)
                key = value
            else:
                container[key] = value
                key = _NO_KEY
        elif kind is mapping_start or kind is sequence_start:
            depth = len(stack) + (container is not None)
            if event.anchor is not None or (event.tag is not None and event.tag != "!") or depth == max_depth:
                return None
            new: Any = {} if kind is mapping_start else []
            if container is not None:
                if not is_map:
                    container.append(new)
                elif key is _NO_KEY:  # a collection as a key
                    return None
                else:
                    container[key] = new
                    key = _NO_KEY
                stack.append((container, is_map, key, seen))
            else:
                root = new
            container, is_map, key, seen = new, kind is mapping_start, _NO_KEY, set()
        elif kind is yaml.MappingEndEvent or kind is yaml.SequenceEndEvent:
            if stack:
                container, is_map, key, seen = stack.pop()
            else:
                container = None
        elif kind is yaml.DocumentStartEvent:
            documents += 1
            if documents > 1:
                return None
        elif kind is yaml.AliasEvent:
            return None
    return root


def _plain_key(key: yaml.Node) -> bool:
    """A key the direct construction takes: a scalar that is no merge key (``<<``)."""
    return type(key) is yaml.ScalarNode and key.tag != _MERGE


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


_KEYS: dict[str, str] = {}
_VALUES: dict[str, str] = {}
"""How each string met so far is written as a block mapping key, and as a value."""
_LONGEST = 4096
"""Strings longer than this go to PyYAML, which may fold them."""


_PLAIN = re.compile(r"[A-Za-z0-9_/][A-Za-z0-9_./:=+-]*")
"""Strings PyYAML writes plain in block context, as key or value, when they resolve to str: no
indicator first, no ': ', ' #', blank, quote, comma or bracket anywhere, no ':' last."""


def _scalar(text: str, key: bool) -> str:
    """How PyYAML writes the string ``text`` as a block mapping key or value, when that is one line."""
    known = _KEYS if key else _VALUES
    written = known.get(text)
    if written is not None:
        return written
    known = _bounded(known)
    if _PLAIN.fullmatch(text) and not text.endswith(":") and _RESOLVER.resolve(yaml.ScalarNode, text, (True, False)) == _STR:
        known[text] = text
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
    known[text] = written
    return written


def _value(value: Any) -> str:
    kind = type(value)
    if kind is str:
        written = _VALUES.get(value)
        return written if written is not None else _scalar(value, False)
    if kind is bool:
        return "true" if value else "false"
    if kind is int:
        return str(value)
    if value is None:
        return "null"
    raise _UnsupportedError


_HEADS: dict[str, dict[str, str]] = {}
"""Each key met so far as the head of its line (``indent + key + ":"``), by indent."""


def _mapping(data: dict[Any, Any], indent: str, out: list[str], first: str | None = None) -> None:
    """Lines of a non-empty block mapping whose keys start at ``indent``; the first line starts
    with ``first`` instead (``- `` of the sequence item it is in)."""
    heads = _HEADS.get(indent)
    if heads is None:
        heads = _bounded(_HEADS)[indent] = {}
    heads = _bounded(heads)
    values = _VALUES
    for key, value in data.items():
        head = heads.get(key) if type(key) is str else None
        if head is None:
            if type(key) is not str:
                raise _UnsupportedError
            head = heads[key] = indent + _scalar(key, True) + ":"
        if first is not None:  # as long as indent: the item's "- " in its place
            head = first + head[len(indent) :]
            first = None
        kind = type(value)
        if kind is str:
            shown = values.get(value)
            out.append(head + " " + (shown if shown is not None else _scalar(value, False)))
        elif kind is dict:
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


def dump_each(documents: list[Any]) -> list[str] | None:
    """Each of ``documents`` as :func:`dump_all` writes it (``"---\\n".join`` of them is its
    stream), or None when one of them is written through PyYAML."""
    parts = []
    try:
        for document in documents:
            if type(document) is not dict or not document:
                raise _UnsupportedError
            lines: list[str] = []
            try:
                _mapping(document, "", lines)
            finally:
                forget_secret_values(document)  # written, never kept
            parts.append("\n".join(lines) + "\n")
    except _UnsupportedError:
        return None
    return parts


def dump_all(documents: list[Any]) -> str:
    """The YAML stream of ``documents``, byte for byte what ``yaml.dump_all(documents, Dumper=Dumper,
    sort_keys=False, default_flow_style=False, width=2**16, allow_unicode=True)`` writes.

    Manifests (mappings of mappings, lists, strings, integers and booleans) are written directly;
    a stream holding anything else (a float, a multi-line or very long string) goes through PyYAML."""
    parts = dump_each(documents)
    if parts is None:
        options: dict[str, Any] = {"sort_keys": False, "default_flow_style": False, "width": 2**16, "allow_unicode": True}
        try:
            text: str = yaml.dump_all(documents, Dumper=Dumper, **options)
        finally:
            for document in documents:
                forget_secret_values(document)
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


MAX_ALIAS_NODES = 100_000
"""The most nodes the aliases of one YAML document may bring in (each alias counting every node of
what it names, aliases inside included): far more than any values file or manifest has, far fewer
than the hundred million of a 337-byte "billion laughs"."""


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


def alias_problem(node: yaml.Node, source: str, text: str) -> str | None:
    """None when the aliases of the document ``node`` (composed from ``text``, before it is
    constructed) bring in at most :data:`MAX_ALIAS_NODES` nodes and none is inside the node it names;
    else the one line that says so, at the line of the alias: ``source:LINE: alias *a: ...``.

    Linear in the nodes as written: each node's size (aliases expanded) is counted once. Only the
    document's own span of ``text`` is searched for an alias, so that checking each document of a
    stream in turn is linear in the stream, not quadratic.
    """
    start, end = node.start_mark, node.end_mark
    span = (start.index, end.index + 1) if start is not None and end is not None else (0, len(text))
    if text.find("*", *span) < 0:  # no alias
        return None
    sizes: dict[int, int] = {}
    """id() of each node counted -> its size with aliases expanded (the nodes are alive meanwhile)."""
    inside: set[int] = set()
    """The nodes being counted: an alias to one of them is inside what it names."""
    stack: list[tuple[yaml.Node, list[yaml.Node], int]] = [(node, _children(node)[::-1], 1)]
    inside.add(id(node))
    brought = 0
    while stack:
        current, todo, size = stack[-1]
        if not todo:
            stack.pop()
            inside.discard(id(current))
            sizes[id(current)] = size
            if stack:
                parent, rest, total = stack[-1]
                stack[-1] = (parent, rest, total + size)
            continue
        child = todo.pop()
        known = sizes.get(id(child))
        if known is not None or id(child) in inside:  # met before, in document order: an alias
            if known is None:
                return _locate_alias(text, source, node)
            brought += known
            if brought > MAX_ALIAS_NODES:
                return _locate_alias(text, source, node)
            stack[-1] = (current, todo, size + known)
        elif isinstance(child, yaml.ScalarNode):
            sizes[id(child)] = 1
            stack[-1] = (current, todo, size + 1)
        else:
            inside.add(id(child))
            stack.append((child, _children(child)[::-1], 1))
    return None


def _locate_alias(text: str, source: str, node: yaml.Node) -> str:
    """The problem :func:`alias_problem` found, at the line of its alias: the same count again, over
    the YAML events of ``text``, which (unlike the nodes) say where each alias is."""
    sizes: dict[str, int] = {}
    stack: list[list[Any]] = []
    brought = 0
    try:
        for event in yaml.parse(text, Loader=Loader):
            if isinstance(event, yaml.DocumentStartEvent):
                sizes, brought = {}, 0
            elif isinstance(event, yaml.AliasEvent):
                mark: Any = event.start_mark
                line, name = mark.line + 1, str(event.anchor)
                if any(anchor == name for anchor, _ in stack):
                    return f"{source}:{line}: alias *{name}: is inside the node &{name} it names; a recursive alias never ends"
                size = sizes.get(name, 0)
                brought += size
                if brought > MAX_ALIAS_NODES:
                    return (
                        f"{source}:{line}: alias *{name}: the aliases up to here bring in {brought} nodes; "
                        f"at most {MAX_ALIAS_NODES} may be brought in through aliases"
                    )
                if stack:
                    stack[-1][1] += size
            elif isinstance(event, yaml.ScalarEvent):
                if event.anchor is not None:
                    sizes[event.anchor] = 1
                if stack:
                    stack[-1][1] += 1
            elif isinstance(event, yaml.CollectionStartEvent):
                stack.append([event.anchor, 1])
            elif isinstance(event, yaml.CollectionEndEvent):
                anchor, size = stack.pop()
                if anchor is not None:
                    sizes[anchor] = size
                if stack:
                    stack[-1][1] += size
    except yaml.YAMLError:
        pass
    line = node.start_mark.line + 1
    return f"{source}:{line}: its aliases bring in more than {MAX_ALIAS_NODES} nodes, or one is inside the node it names"
