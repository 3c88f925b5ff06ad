"""Creating a construct costs jsii a walk over its class: at every object created, jsii's kernel
asks which of the class's methods override methods of the jsii class (``_get_overides``), looking
up every member of every class between it and the jsii one (~0.4 ms for a workload class, more
than the call to node itself). The answer depends only on the class: for this library's classes
(those that set ``_JSII_OVERRIDES_BY_CLASS``), and subclasses of them, it is worked out once per
class and kept. Nothing changes for any other class; where jsii has no such function, nothing is
done. A method added to one of these classes after its first object was made would not be seen;
an interface declared on one later (``jsii.implements``, as :mod:`.workload` declares cdk8s-plus's
peer interfaces once cdk8s-plus is loaded) is.
"""

from __future__ import annotations

import functools
from typing import Any

__all__ = ["install"]


def install() -> None:
    """Keep jsii's overrides of this library's classes, per class (once per process)."""
    try:
        from jsii import _kernel
    except ImportError:  # pragma: no cover - jsii is a dependency of cdk8s
        return
    original = getattr(_kernel, "_get_overides", None)
    if original is None or getattr(original, "_by_class", False):
        return
    known: dict[tuple[type, type, int], list[Any]] = {}

    @functools.wraps(original)
    def by_class(klass: type, obj: Any) -> list[Any]:
        cls = type(obj)
        if not getattr(cls, "_JSII_OVERRIDES_BY_CLASS", False):
            return original(klass, obj)  # type: ignore[no-any-return]
        key = (klass, cls, len(getattr(cls, "__jsii_ifaces__", ())))
        found = known.get(key)
        if found is None:
            found = known[key] = original(klass, obj)
        return list(found)

    by_class._by_class = True  # type: ignore[attr-defined]
    _kernel._get_overides = by_class
