"""Records: the library's small immutable values with named fields (a :class:`~.props.Problem`, a
pod's :class:`~.pod_security.PodSecurity`, a service's facts).

Each is a tuple, as a ``typing.NamedTuple`` is: equal to, hashed, unpacked and indexed like one,
with ``_fields``, ``_asdict()`` and ``_replace()``. Defining a NamedTuple compiles a constructor
and each field's annotation at every import of the library (~0.3 ms each); a record is a plain
class with its own ``__new__`` and an :func:`item` per field.
"""

from __future__ import annotations

import operator
from typing import Any, ClassVar, Self

__all__ = ["Record", "item"]


def item(index: int) -> Any:
    """The field of a record at ``index``, read as a NamedTuple's is (``name: str = item(0)``)."""
    return property(operator.itemgetter(index))


class Record(tuple[Any, ...]):
    """Base of a record: a subclass names its ``_fields``, takes them in ``__new__`` (passing them,
    in order, to ``tuple.__new__``) and declares each as an :func:`item`."""

    __slots__ = ()
    _fields: ClassVar[tuple[str, ...]] = ()

    def __repr__(self) -> str:
        shown = ", ".join(f"{name}={value!r}" for name, value in zip(self._fields, self, strict=True))
        return f"{type(self).__name__}({shown})"

    def __getnewargs__(self) -> tuple[Any, ...]:
        return tuple(self)

    def _asdict(self) -> dict[str, Any]:
        return dict(zip(self._fields, self, strict=True))

    def _replace(self, **changes: Any) -> Self:
        unknown = sorted(set(changes) - set(self._fields))
        if unknown:
            raise ValueError(f"{type(self).__name__} has no field {', '.join(unknown)}")
        new: Self = type(self)(**{**self._asdict(), **changes})
        return new
