"""jsii checks the type of every argument of every call into cdk8s or cdk8s-plus
(``jsii._type_checking.check_type``) with typeguard, which it imports at its first check:
typeguard, ``unittest.mock``, ``asyncio`` and ``importlib.metadata``, 40-60 ms of every process
that makes a cdk8s object, more than this library's own import. Most arguments are plain: a str,
``None`` for an optional one, a construct, a list of str.

:func:`install` puts a quicker first answer in front of typeguard: a value that plainly has its
type (a ``str`` for ``str``, a ``Chart`` for ``Construct``, ``None`` for ``Optional[...]``, a class
declared by ``@jsii.implements`` to implement the interface asked for, a ``list`` of str for
``Sequence[str]``, a tuple of patches for ``Tuple[JsonPatch, ...]``, ...) is accepted at once;
anything else (a fixed-length tuple, a ``Literal``, a ``Callable``, a value that does not match, a
type this module does not know) goes to typeguard exactly as before, which raises the same
``TypeError`` it always raised. The quick answer only ever accepts, and it accepts only what
typeguard accepts (its checks are the same or stricter: every item of a mapping is checked, where
typeguard 2 checks only that it is a mapping), so no call that was refused is let through. Where
jsii has no such hook (older jsii checks inline), nothing is done.
"""

from __future__ import annotations

import collections.abc
import functools
import types
import typing
from typing import Any

__all__ = ["install", "plainly_matches"]

_SCALARS: typing.Final = frozenset({str, bool, int})
_NONE: typing.Final = type(None)


@functools.cache
def _plain_class(expected: type) -> bool:
    """Whether typeguard checks ``expected`` with a bare ``isinstance`` (not a tuple, number,
    ``IO``, ``TypedDict``, protocol or ``type``, which it checks its own ways)."""
    if getattr(expected, "_is_protocol", False) or typing.is_typeddict(expected):
        return False
    return not issubclass(expected, (tuple, float, complex, bytes, type, typing.IO))


def _declares(value: object, interface: type) -> bool:
    """Whether the class of ``value`` declares (``@jsii.implements``) ``interface`` or an
    interface that extends it."""
    for klass in type(value).__mro__:
        for declared in getattr(klass, "__jsii_ifaces__", ()):
            if interface in getattr(declared, "__mro__", ()):
                return True
    return False


def _is_sequence(value: object, origin: Any) -> typing.TypeGuard[collections.abc.Sequence[object]]:
    """Whether ``value`` is what typeguard takes for ``list[...]`` or ``Sequence[...]`` (a str,
    which it takes for ``Sequence[str]``, is left to it)."""
    if origin is list:
        return isinstance(value, list)
    return origin is collections.abc.Sequence and isinstance(value, collections.abc.Sequence) and not isinstance(value, str)


def _is_mapping(value: object, origin: Any) -> typing.TypeGuard[collections.abc.Mapping[object, object]]:
    """Whether ``value`` is what typeguard takes for ``dict[...]`` or ``Mapping[...]``."""
    if origin is dict:
        return isinstance(value, dict)
    return origin is collections.abc.Mapping and isinstance(value, collections.abc.Mapping)


def plainly_matches(value: object, expected: Any) -> bool:
    """Whether ``value`` plainly has the type ``expected``: ``True`` only where typeguard accepts
    it too; ``False`` means "ask typeguard", not "wrong"."""
    if expected is Any:
        return True
    origin = typing.get_origin(expected)
    if origin is None and isinstance(expected, type):
        if expected in _SCALARS:
            return isinstance(value, expected)
        if expected is float:  # an int is a float to typeguard (PEP 484's numeric tower)
            return isinstance(value, (float, int))
        if getattr(expected, "_is_protocol", False):  # typeguard 2 accepts anything for one not runtime-checkable
            return not getattr(expected, "_is_runtime_protocol", False) and _declares(value, expected)
        return _plain_class(expected) and isinstance(value, expected)
    if origin is typing.Union or origin is types.UnionType:
        if value is None:
            return _NONE in typing.get_args(expected)
        return any(plainly_matches(value, member) for member in typing.get_args(expected) if member is not _NONE)
    args = typing.get_args(expected)
    if len(args) == 1 and _is_sequence(value, origin):
        return all(plainly_matches(item, args[0]) for item in value)
    if len(args) == 2 and args[1] is Ellipsis and origin is tuple and isinstance(value, tuple):  # *args
        return all(plainly_matches(item, args[0]) for item in value)
    if len(args) == 2 and _is_mapping(value, origin):
        key, item = args
        return all(plainly_matches(k, key) and plainly_matches(v, item) for k, v in value.items())
    return False


def install() -> None:
    """Answer jsii's plain type checks before typeguard (once per process; see the module)."""
    try:
        from jsii import _type_checking
    except ImportError:  # pragma: no cover - older jsii checks inline, with typeguard imported
        return
    load = getattr(_type_checking, "_load_typeguard_check", None)
    if load is None or not hasattr(_type_checking, "_resolved_check"):  # pragma: no cover - another jsii
        return
    current = _type_checking._resolved_check
    if getattr(current, "_plain_first", False):
        return
    typeguard_check: Any = current

    def check(argname: str, value: object, expected_type: Any) -> Any:
        nonlocal typeguard_check
        if plainly_matches(value, expected_type):
            return None
        if typeguard_check is None:
            typeguard_check = load()
        return typeguard_check(argname=argname, value=value, expected_type=expected_type)

    check._plain_first = True  # type: ignore[attr-defined]
    _type_checking._resolved_check = check
