"""PyYAML's safe loader and dumper (the C ones where libyaml is there), made cheaper for the
large, repetitive documents this library reads and writes. They read and write exactly what the
safe ones do for the same input (``tests/test_yaml_io.py``)."""

from __future__ import annotations

from typing import Any

import yaml

__all__ = ["Dumper", "Loader"]

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
