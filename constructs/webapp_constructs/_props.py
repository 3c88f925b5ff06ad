"""Props: frozen dataclasses whose fields carry their own rules, checked all at once.

Every construct of this library takes its props as keyword arguments and checks them when it is
created. A mistake raises :class:`PropsError`, which lists every problem at once, each with the
field, the value and what is allowed::

    ApiService 'api': port: 70000 is not a valid port (1-65535)

The rules are plain functions (``value -> list of messages``, see :mod:`._rules`), attached to a
field with :func:`prop`. A program that builds props from another source (a values file) may check that
source with the very same rules.
"""

from __future__ import annotations

import dataclasses
import functools
import inspect
import re
import types
import typing
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from typing import Any, ClassVar, Literal, NamedTuple, Self, TypeVar, Union, cast

__all__ = [
    "Check",
    "Path",
    "Problem",
    "Props",
    "PropsError",
    "Speller",
    "Term",
    "Worded",
    "Wording",
    "check",
    "defaults",
    "dotted",
    "empty_by_default",
    "evolve",
    "fields_of",
    "hints",
    "int_range",
    "kind_of",
    "literal",
    "max_length",
    "min_length",
    "nearest",
    "pattern",
    "prop",
    "propsclass",
    "replaced",
    "required_fields",
    "rule_problems",
    "type_checker",
    "type_problems",
    "unchecked",
]

_T = TypeVar("_T")
_P = TypeVar("_P", bound="Props")

Path = tuple[str | int, ...]
"""A field path: field names (or mapping keys) and list indexes, e.g. ``("resources", "requests", "cpu")``."""

Check = Callable[[Any], Sequence["str | Problem"]]
"""A rule: the problems of one value, as messages (empty when the value is fine), or as
:class:`Problem` with a path inside the value (e.g. the key of a mapping)."""


class Term(NamedTuple):
    """Something a message names that a program may spell its own way (a values file spells
    ``run_as_non_root=False`` as ``runAsNonRoot: false``): make one with :meth:`prop`,
    :meth:`setting`, :meth:`shown` or :meth:`reason`; :meth:`python` is how Python code spells it."""

    kind: Literal["prop", "setting", "value", "reason"]
    name: str = ""
    """The prop's path in its props, dotted (``security.seccomp_profile``); a relaxation's name."""
    value: Any = None

    @classmethod
    def prop(cls, name: str) -> Term:
        """A prop, by its dotted path: ``run_as_non_root``."""
        return cls("prop", _named("Term.prop", name))

    @classmethod
    def setting(cls, name: str, value: Any) -> Term:
        """A prop set to a value: ``run_as_non_root=False``."""
        return cls("setting", _named("Term.setting", name), value)

    @classmethod
    def shown(cls, value: Any) -> Term:
        """A value: ``True``."""
        return cls("value", "", value)

    @classmethod
    def reason(cls, relaxation: str) -> Term:
        """How to give the reason of a relaxation of ``Security``: ``give its reason in
        reasons['run_as_non_root']``."""
        return cls("reason", _named("Term.reason", relaxation))

    def python(self) -> str:
        if self.kind == "prop":
            return self.name
        if self.kind == "setting":
            return f"{self.name}={self.value!r}"
        if self.kind == "reason":
            return f"give its reason in reasons[{self.name!r}]"
        return repr(self.value)


Speller = Callable[[Term], str]
"""How a program spells the terms of a message (:meth:`Term.python`, the default)."""


def _named(maker: str, name: object) -> str:
    if not isinstance(name, str) or not name:
        raise TypeError(f"{maker}() takes a prop's dotted name, such as 'replicas', not {name!r}")
    return name


class Wording(NamedTuple):
    """A message with its terms apart: ``template`` has a ``{0}``, ``{1}``, ... for each term."""

    template: str
    terms: tuple[Term, ...]

    def spell(self, speller: Speller = Term.python) -> str:
        try:
            return self.template.format(*(speller(term) for term in self.terms))
        except (IndexError, KeyError, ValueError) as error:  # the template and its terms disagree: the caller's mistake
            raise ValueError(f"{self.template!r} with {len(self.terms)} terms: {error} (write a literal brace as {{{{)") from None


class Worded(str):
    """A message that keeps its terms apart: a ``str`` (its Python wording) that a rule may return
    where it returns messages, with its :class:`Wording` (a problem made of it keeps it)."""

    wording: Wording

    def __new__(cls, template: str, *terms: Term) -> Worded:
        wording = Wording(template, terms)
        made = super().__new__(cls, wording.spell())
        made.wording = wording
        return made


def literal(text: str) -> str:
    """``text`` as part of a template: its braces doubled."""
    return text.replace("{", "{{").replace("}", "}}")


class Problem(NamedTuple):
    """One thing wrong: where (a field path) and what, for a person (``message``) and for a
    program that words it its own way (``code``, ``value``, and ``wording`` when the message
    names props)."""

    path: Path

    message: str

    code: str = ""
    """What kind of problem: ``type`` (a value of the wrong type), ``rule`` (a field's rule), or a
    name of its own (``relaxation-without-reason``); every problem the library makes has one (the
    table in docs/library.md), and a problem of your own may leave it empty."""

    value: Any = None
    """The value the problem is about, where there is one."""

    wording: Wording | None = None
    """``message`` with the props it names apart (see :meth:`spell`); None when it names none."""

    @classmethod
    def worded(cls, path: Path, template: str, *terms: Term, code: str, value: Any = None) -> Problem:
        """A problem whose message names props: ``template`` with a ``{0}``, ``{1}``, ... for each
        of ``terms``."""
        wording = Wording(template, terms)
        return cls(path, wording.spell(), code, value, wording)

    @classmethod
    def said(cls, path: Path, message: str, *, code: str = "rule", value: Any = None) -> Problem:
        """A problem of what a rule said (a message it returned, :class:`Worded` or plain), at
        ``path``: a worded message keeps its terms apart."""
        return cls(path, message, code, value, getattr(message, "wording", None))

    def spell(self, speller: Speller) -> str:
        """The message with its terms spelled by ``speller``."""
        return self.message if self.wording is None else self.wording.spell(speller)

    def under(self, *prefix: str | int) -> Problem:
        return self._replace(path=(*prefix, *self.path))


def dotted(path: Iterable[str | int]) -> str:
    """``resources.requests.cpu``, ``env[1]``; a key that is empty or holds blanks or control
    characters is quoted (``labels['a b']``) so that a message stays on one line."""
    if isinstance(path, str):
        raise TypeError(f"dotted() takes a path of keys and indexes, such as ('env', 1, 'name'), not the string {path!r}")
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        elif not part or not part.isprintable() or any(char.isspace() for char in part):
            out += f"[{part!r}]"
        else:
            out += f".{part}" if out else part
    return out or "(top level)"


class PropsError(ValueError):
    """Props that break their rules; ``str()`` is one line per problem:
    ``<owner>: <field>: <what is wrong>``."""

    def __init__(self, owner: str, problems: Sequence[Problem]) -> None:
        self.owner = owner
        self.problems = list(problems)
        super().__init__("\n".join(f"{owner}: {dotted(p.path)}: {p.message}" for p in self.problems))


# --- rules ------------------------------------------------------------------------------------


def check(rule: Callable[[Any], Sequence[str | Problem]], **schema: Any) -> Check:
    """``rule`` with the JSON Schema keywords that describe it (``minimum``, ``pattern``, ...): a
    ``functools.partial`` of it, which calls it without a Python frame of its own."""
    wrapped = functools.partial(rule)
    wrapped.schema = schema  # type: ignore[attr-defined]
    return wrapped


def int_range(low: int, high: int, what: str) -> Check:
    """``{value} is not a valid {what} ({low}-{high})``."""
    if type(low) is not int or type(high) is not int or low > high:
        raise ValueError(f"int_range() takes two integers, the lower one first, not {low!r} and {high!r}")

    def rule(value: int) -> list[str]:
        return [] if low <= value <= high else [f"{value} is not a valid {what} ({low}-{high})"]

    return check(rule, minimum=low, maximum=high)


def pattern(regex: str, hint: str) -> Check:
    """The whole value matches ``regex``; else ``{value!r} is not allowed here ({hint})``."""
    if not isinstance(regex, str):
        raise TypeError(f"pattern() takes a regular expression as a string, not {type(regex).__name__}")
    try:
        compiled = re.compile(regex)
    except re.error as error:
        raise ValueError(f"pattern({regex!r}) is no regular expression: {error}") from None

    def rule(value: str) -> list[str]:
        return [] if compiled.fullmatch(value) else [f"{value!r} is not allowed here ({hint})"]

    return check(rule, pattern=f"^(?:{regex})$")


def _limit(maker: str, limit: object) -> None:
    if type(limit) is not int or limit < 0:
        raise ValueError(f"{maker}() takes a number of characters or entries, 0 or more, not {limit!r}")


def max_length(limit: int) -> Check:
    _limit("max_length", limit)

    def rule(value: str) -> list[str]:
        return [f"{value[:40]!r}... is too long (at most {limit} characters)"] if len(value) > limit else []

    return check(rule, maxLength=limit)


def min_length(limit: int) -> Check:
    _limit("min_length", limit)

    def rule(value: Sized) -> list[str]:
        if len(value) >= limit:
            return []
        if isinstance(value, str):
            return [f"{value!r} is too short (at least {limit} characters)"]
        return ["is empty; it needs at least one entry"] if limit == 1 else [f"needs at least {limit} entries"]

    return check(rule, **({"minLength": limit} if limit else {}))


class Sized(typing.Protocol):
    def __len__(self) -> int: ...


def prop(
    *,
    default: Any = dataclasses.MISSING,
    check: Check | Sequence[Check] = (),
    each: Check | Sequence[Check] = (),
    keys: Check | Sequence[Check] = (),
    metadata: Mapping[str, Any] | None = None,
) -> Any:
    """A dataclass field with rules: ``check`` for the value (when not None), ``each`` for every
    item of a list or every value of a mapping, ``keys`` for every key of a mapping. ``metadata``
    is the caller's own, as with ``dataclasses.field`` (its keys must not be ``check``, ``each`` or
    ``keys``). A list or dict default is copied for each instance."""
    rules = {"check": _tuple("check", check), "each": _tuple("each", each), "keys": _tuple("keys", keys)}
    if metadata is not None and not isinstance(metadata, Mapping):
        raise TypeError(f"prop(metadata=...) takes a mapping, not {type(metadata).__name__}")
    clash = sorted(set(metadata or ()) & set(rules))
    if clash:
        raise TypeError(f"prop(metadata=...) may not use the key {_quoted(clash)}: the field's rules are kept there")
    merged = {**(metadata or {}), **rules}
    if isinstance(default, list | dict):
        return dataclasses.field(default_factory=lambda: type(default)(default), metadata=merged)
    return dataclasses.field(default=default, metadata=merged)


def _tuple(keyword: str, checks: Check | Sequence[Check]) -> tuple[Check, ...]:
    rules = tuple(checks) if isinstance(checks, Sequence) and not isinstance(checks, str) else (checks,)
    for rule in rules:
        if not callable(rule):
            raise TypeError(f"prop({keyword}=...) takes a rule (a function, or check(...)) or a list of them, not {rule!r}")
    return rules


# --- types ------------------------------------------------------------------------------------


def kind_of(value: object) -> str:
    """How a values file reader would call the type of ``value``."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, Mapping):
        return "mapping"
    if isinstance(value, list | tuple):
        return "list"
    return type(value).__name__


_EXPECTED = {str: "string", int: "integer", bool: "boolean", float: "number"}


def _expected(tp: Any) -> str:
    origin = typing.get_origin(tp)
    if tp in _EXPECTED:
        return _EXPECTED[tp]
    if origin in (list, tuple, Sequence) or tp in (list, tuple):
        return "list"
    if origin in (dict, Mapping) or tp in (dict,):
        return "dictionary"
    if dataclasses.is_dataclass(tp):
        return "mapping"
    return tp.__name__ if isinstance(tp, type) else str(tp)


def _is_union(tp: Any) -> bool:
    return typing.get_origin(tp) in (Union, types.UnionType)


def type_problems(value: Any, tp: Any, path: Path = ()) -> list[Problem]:
    """Where ``value`` does not have type ``tp`` (a resolved annotation). Checks ``str``, ``int``,
    ``bool``, ``float``, ``Literal``, unions with None, lists, tuples, sequences, mappings,
    dataclasses and other classes (by ``isinstance``); a protocol, ``Any`` and the like pass."""
    return type_checker(tp)(value, path)


def type_checker(tp: Any) -> Callable[[Any, Path], list[Problem]]:
    """``type_problems`` for values of ``tp``, worked out once: ``checker(value, path)`` (looking
    an annotation up costs hashing it, which for ``Literal`` and ``Mapping[...]`` is Python code)."""
    if isinstance(tp, str):
        raise TypeError(f"type_checker() takes a type such as int or list[str], not the string {tp!r} (resolve it first)")
    return _checker(tp)


@functools.cache
def _field_checkers(cls: Any) -> dict[str, _Checker]:
    """The type check of each field of a props class, by field name."""
    return {name: _checker(tp) for name, tp in hints(cls).items()}


_Checker = Callable[[Any, Path], list[Problem]]


def _passes(value: Any, path: Path) -> list[Problem]:
    return []


@functools.cache
def _checker(tp: Any) -> _Checker:
    """A function that checks values against ``tp``, built once per annotation."""
    if tp is Any:
        return _passes
    if _is_union(tp):
        optional = type(None) in typing.get_args(tp)
        arms = [_checker(arm) for arm in typing.get_args(tp) if arm is not type(None)]
        classes = tuple(arm for arm in typing.get_args(tp) if isinstance(arm, type) and dataclasses.is_dataclass(arm))

        def union(value: Any, path: Path) -> list[Problem]:
            if value is None and optional:
                return []
            if classes and isinstance(value, classes):  # an instance of one of its props classes
                return []
            first: list[Problem] = []
            for index, arm in enumerate(arms):
                found = arm(value, path)
                if not found:
                    return []
                if index == 0:
                    first = found
            return first

        return union
    origin = typing.get_origin(tp)
    if origin is Literal:
        allowed = typing.get_args(tp)
        listed = ", ".join(repr(a) for a in allowed[:-1]) + f" or {allowed[-1]!r}" if len(allowed) > 1 else repr(allowed[0])
        exact = {(type(a), a) for a in allowed}

        def literal(value: Any, path: Path) -> list[Problem]:
            try:
                if (type(value), value) in exact:
                    return []
            except TypeError:  # unhashable
                pass
            return [Problem(path, f"{value!r}: expected {listed}", "type", value)]

        return literal
    if tp in _EXPECTED:
        expected = _EXPECTED[tp]

        def scalar(value: Any, path: Path) -> list[Problem]:
            kind = type(value)
            if kind is tp or (tp is float and kind is int) or (kind is not bool and isinstance(value, tp)):
                return []
            hint = " (quote it)" if tp is str and isinstance(value, int | float | bool) else ""
            return [Problem(path, f"{value!r} is a {kind_of(value)}, expected {expected}{hint}", "type", value)]

        scalar.exact = tp  # type: ignore[attr-defined] # a value of exactly this type passes (a fast path)
        return scalar
    if origin in (list, tuple, Sequence) or tp in (list, tuple):
        args = typing.get_args(tp)
        item = _checker(args[0] if args else Any)

        exact_item = getattr(item, "exact", None)

        def sequence(value: Any, path: Path) -> list[Problem]:
            if not isinstance(value, list | tuple):
                return [Problem(path, _not_a(value, tp), "type", value)]
            if item is _passes or (exact_item is not None and all(type(entry) is exact_item for entry in value)):
                return []
            return [p for index, entry in enumerate(value) for p in item(entry, (*path, index))]

        return sequence
    if origin in (dict, Mapping) or tp is dict:
        key_type, value_type = typing.get_args(tp) or (Any, Any)
        keys, values = _checker(key_type), _checker(value_type)

        exact_key, exact_value = getattr(keys, "exact", None), getattr(values, "exact", None)

        def mapping(value: Any, path: Path) -> list[Problem]:
            if not isinstance(value, Mapping):
                return [Problem(path, _not_a(value, tp), "type", value)]
            exact = exact_key is not None and exact_value is not None
            if exact and all(type(key) is exact_key and type(entry) is exact_value for key, entry in value.items()):
                return []
            found: list[Problem] = []
            for key, entry in value.items():
                wrong = keys(key, ())
                if wrong:
                    found += [Problem((*path, str(key)), p.message, "type", key) for p in wrong]
                wrong = values(entry, (*path, str(key)))
                if wrong:
                    found += wrong
            return found

        return mapping
    if isinstance(tp, type) and typing.Protocol not in tp.__mro__:  # props or another class: its instances (a protocol passes)
        props = dataclasses.is_dataclass(tp)

        def instance(value: Any, path: Path) -> list[Problem]:
            if isinstance(value, tp):
                return []
            if props and isinstance(value, Mapping):  # a dict where props are expected: the props to write
                name = tp.__name__
                given = ", ".join(f"{key}={entry!r}" for key, entry in value.items())
                written = f"{name}({given})" if len(given) <= 60 else f"{name}({given[:57]}...)"
                return [Problem(path, f"a dict is given, expected {_article(name)} {name}: write {written}", "type", value)]
            return [Problem(path, _not_a(value, tp), "type", value)]

        return instance
    return _passes


def _not_a(value: Any, tp: Any) -> str:
    shown = repr(value)
    if isinstance(value, Mapping | list | tuple) and len(shown) > 60:
        shown = shown[:56] + " ..." + shown[-1]  # the closing bracket: what it is stays readable
    return f"{shown} is a {kind_of(value)}, expected {_expected(tp)}"


def _article(word: str) -> str:
    return "an" if word[:1].lower() in "aeiou" else "a"


# --- the base class ---------------------------------------------------------------------------


@typing.dataclass_transform(kw_only_default=True, field_specifiers=(dataclasses.field, prop))
def propsclass(cls: type[_T]) -> type[_T]:
    """Make ``cls`` (a :class:`Props` subclass) a keyword-only dataclass. Nothing is generated:
    construction, representation, equality and immutability come from :class:`Props`, one
    implementation for every class (rather than an ``__init__`` generated per class at every
    import of the library)."""
    if not (isinstance(cls, type) and issubclass(cls, Props)):
        raise TypeError(f"@propsclass decorates a subclass of Props, not {cls!r}")
    return dataclasses.dataclass(kw_only=True, init=False, repr=False, eq=False)(cls)


UNCHECKED: list[Props] = []
"""The props :func:`unchecked` and :func:`defaults` made (a test checks each one)."""


def unchecked(cls: type[_P], **given: Any) -> _P:
    """An instance of the props class ``cls`` with the fields ``given`` and every other its
    default, not checked as it is made: for props made at every import of the library (the
    defaults of other props, a kind's default resources), whose checks a test runs once instead."""
    spec = _init_spec(cast(Any, cls))
    unknown = sorted(set(given) - spec.names)
    if unknown:
        raise TypeError(f"{cls.__qualname__} has no field {_quoted(unknown)}")
    instance = cls.__new__(cls)
    for name, default, factory in spec.fields:
        if name in given:
            object.__setattr__(instance, name, given[name])
        elif default is not dataclasses.MISSING:
            object.__setattr__(instance, name, default)
        elif factory is not dataclasses.MISSING:
            object.__setattr__(instance, name, factory())
        else:
            raise TypeError(f"{cls.__qualname__}.{name} has no default")
    object.__setattr__(instance, "_frozen", True)
    UNCHECKED.append(instance)
    return instance


def defaults(cls: type[_P]) -> _P:
    """An instance of the props class ``cls`` with every field its default, not checked as it is
    made (:func:`unchecked`): ``security: Security = defaults(Security)``."""
    return unchecked(cls)


_MISSING = dataclasses.MISSING


class _InitSpec:
    """Each field's name, default and default factory (``dataclasses.MISSING`` when none); the set
    of the names; every field with its default (or ``MISSING``), in order; the fields with a
    default factory, and those without any default."""

    __slots__ = ("factories", "fields", "names", "required", "template")

    def __init__(self, fields: tuple[tuple[str, Any, Any], ...]) -> None:
        self.fields = fields
        self.names = frozenset(name for name, _, _ in fields)
        self.template = {name: default for name, default, _ in fields}
        self.factories = tuple((name, factory) for name, default, factory in fields if factory is not _MISSING)
        self.required = tuple(name for name, default, factory in fields if default is _MISSING and factory is _MISSING)


@functools.cache
def _init_spec(cls: Any) -> _InitSpec:
    return _InitSpec(tuple((f.name, f.default, f.default_factory) for f in fields_of(cls) if f.init))


def required_fields(cls: type[Props]) -> tuple[str, ...]:
    """The fields of the props class ``cls`` that have no default, in order."""
    return _init_spec(cast(Any, cls)).required


def nearest(name: str, known: Iterable[str]) -> str:
    """``; did you mean 'x'?`` with the known name nearest ``name`` (as mypy says it), or ``""``."""
    import difflib  # here: only a mistake needs it

    close = difflib.get_close_matches(name, sorted(known), n=1, cutoff=0.6)
    return f"; did you mean {close[0]!r}?" if close else ""


def _quoted(names: Sequence[str]) -> str:
    quoted = [repr(name) for name in names]
    return quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + f" and {quoted[-1]}"


class _Signature:
    """``inspect.signature(SomeProps)``: its keyword arguments and their defaults, as a generated
    ``__init__`` would show them (``help()`` reads it)."""

    def __get__(self, obj: Any, cls: Any) -> inspect.Signature | None:
        # None for an instance, and for a class that is no dataclass (the base Props, which
        # help() meets on its way through the subclass's bases): inspect then looks further
        if obj is not None or getattr(cls, "__dataclass_fields__", None) is None:
            return None
        return _signature_of(cls)


@functools.cache
def _signature_of(cls: Any) -> inspect.Signature:
    types_ = hints(cls)
    parameters = []
    for field in fields_of(cls):
        if field.default is not dataclasses.MISSING:
            default = field.default
        elif field.default_factory is not dataclasses.MISSING:
            default = field.default_factory()
        else:
            default = inspect.Parameter.empty
        parameters.append(
            inspect.Parameter(field.name, inspect.Parameter.KEYWORD_ONLY, default=default, annotation=types_[field.name])
        )
    return inspect.Signature(parameters, return_annotation=None)


def replaced(props: _P, *, owner: str = "", **changes: Any) -> _P:
    """``dataclasses.replace(props, **changes)`` checking only what can have changed: the types and
    rules of the fields ``changes`` gives, then the rules between fields (the other fields were
    checked as ``props`` was made). Raises :class:`PropsError` (of ``owner``: by default, as the
    props name themselves)."""
    cls: Any = type(props)
    checkers = _field_checkers(cls)
    found: list[Problem] = []
    for field in fields_of(cls):
        if field.name in changes:
            value, path = changes[field.name], (field.name,)
            found += checkers[field.name](value, path) or rule_problems(field, value, path)
    if found:
        raise PropsError(owner or cls.OWNER or cls.__name__, found)
    fields = {name: props.__dict__[name] for name in _init_spec(cls).names}
    fields.update(changes)
    made: _P = cls.from_checked(fields)
    return made


def evolve(props: _P, **changes: Any) -> _P:
    """``dataclasses.replace(props, **changes)``, the same checks included (those of making props),
    without walking every field twice: the fields are copied as they are. An unknown field is a
    TypeError, as with ``dataclasses.replace``."""
    cls: Any = type(props)
    spec = _init_spec(cls)
    for name in changes:
        if name not in spec.names:
            raise TypeError(
                f"{cls.__qualname__}.__init__() got an unexpected keyword argument {name!r}{nearest(name, spec.names)}"
            )
    new: Any = cls.__new__(cls)
    values = {name: props.__dict__[name] for name, _, _ in spec.fields}
    values.update(changes)
    new.__dict__.update(values)
    new.__post_init__()
    return cast(_P, new)


class Props:
    """Base of every props dataclass: on creation, check each field's type and rules, then (if
    they hold) the rules between fields (:meth:`cross_checks`); raise :class:`PropsError` listing
    every problem.

    Subclasses are decorated with :func:`propsclass` and declare rules with :func:`prop`.
    """

    OWNER: ClassVar[str] = ""
    """How errors name the owner of these props. Default: the class name."""

    __signature__: ClassVar[Any] = _Signature()

    def __init__(self, **kwargs: Any) -> None:
        self._fill(kwargs)
        self._finish(self.problems())

    def _fill(self, kwargs: Mapping[str, Any]) -> None:
        """Set every field: from ``kwargs``, else its default; a TypeError, in the words of a
        generated ``__init__``, for a keyword it lacks or a required one missing."""
        cls: Any = type(self)
        spec = _init_spec(cls)
        values = dict(spec.template)  # every field in order, at its default
        values.update(kwargs)  # what is given, in place (an unknown keyword lands at the end)
        for name, factory in spec.factories:
            if name not in kwargs:
                values[name] = factory()
        if len(values) != len(spec.template):  # first: a misspelt name is also a missing one
            unknown = next(name for name in kwargs if name not in spec.names)
            raise TypeError(
                f"{cls.__qualname__}.__init__() got an unexpected keyword argument {unknown!r}{nearest(unknown, spec.names)}"
            )
        missing = [name for name in spec.required if name not in kwargs]
        if missing:  # the words of a generated __init__
            plural = "s" if len(missing) > 1 else ""
            raise TypeError(
                f"{cls.__qualname__}.__init__() missing {len(missing)} required keyword-only argument{plural}: {_quoted(missing)}"
            )
        self.__dict__.update(values)

    def _finish(self, found: list[Problem]) -> None:
        if found:
            raise PropsError(self.OWNER or type(self).__name__, found)
        object.__setattr__(self, "_frozen", True)

    @classmethod
    def from_checked(cls, fields: Mapping[str, Any], *, rules_checked: Collection[str] | None = None) -> Self:
        """Props of ``fields`` that the caller has checked already, so that each value is checked
        once: by default the type and the rules of every field (as a program that builds props
        from another source does, field by field, with :func:`type_checker` and
        :func:`rule_problems`), and only the rules between fields run here; with ``rules_checked``,
        the rules of those fields only (the types of every field, and the rules of the others,
        are checked here). Raises :class:`PropsError`, or TypeError as ``__init__`` does (and for
        ``fields`` that are no mapping, or ``rules_checked`` that names no field of these props)."""
        if not isinstance(fields, Mapping):
            raise TypeError(f"{cls.__qualname__}.from_checked() takes a mapping of fields, not {type(fields).__name__}")
        made = cls.__new__(cls)
        made._fill(fields)
        if rules_checked is None:
            found: list[Problem] = []
        else:
            if isinstance(rules_checked, str) or not isinstance(rules_checked, Collection):
                raise TypeError(f"rules_checked takes a collection of field names, not {type(rules_checked).__name__}")
            names = _init_spec(cast(Any, cls)).names
            unknown = sorted(str(name) for name in rules_checked if name not in names)
            if unknown:
                raise TypeError(f"rules_checked names no field of {cls.__qualname__}: {_quoted(unknown)}")
            found = field_problems(made, frozenset(rules_checked), skip_defaults=True)
        made._finish(found or list(made.cross_checks()))
        return made

    def __post_init__(self) -> None:
        self._finish(self.problems())

    def __setattr__(self, name: str, value: Any) -> None:
        if self.__dict__.get("_frozen"):
            raise dataclasses.FrozenInstanceError(f"cannot assign to field {name!r}: props are immutable (dataclasses.replace)")
        object.__setattr__(self, name, value)

    def __delattr__(self, name: str) -> None:
        raise dataclasses.FrozenInstanceError(f"cannot delete field {name!r}: props are immutable")

    def __repr__(self) -> str:
        cls: Any = type(self)
        shown = ", ".join(f"{f.name}={getattr(self, f.name)!r}" for f in fields_of(cls))
        return f"{cls.__name__}({shown})"

    def __eq__(self, other: object) -> bool:
        cls: Any = type(self)
        fields = fields_of(cls)
        if type(other) is not cls:
            return NotImplemented
        return all(getattr(self, f.name) == getattr(other, f.name) for f in fields)

    def __hash__(self) -> int:
        return hash(type(self).__qualname__)

    def problems(self) -> list[Problem]:
        """Every problem of these props; empty when they are fine."""
        found = field_problems(self, skip_defaults=True)
        if not found:
            found = list(self.cross_checks())
        return found

    def cross_checks(self) -> Iterator[Problem]:
        """Rules between fields, run once every field is fine. Default: none."""
        return iter(())


def _problems(results: Sequence[str | Problem], path: Path, value: Any) -> list[Problem]:
    """What a rule said of ``value`` at ``path``: a message is a problem of code ``rule`` (with
    its wording, when it is :class:`Worded`)."""
    return [result.under(*path) if isinstance(result, Problem) else Problem.said(path, result, value=value) for result in results]


@functools.cache
def hints(cls: Any) -> dict[str, Any]:
    """The resolved field annotations of a dataclass (cached)."""
    return typing.get_type_hints(cls)


@functools.cache
def fields_of(cls: Any) -> tuple[dataclasses.Field[Any], ...]:
    """The fields of a props class, each with its rules in ``metadata`` (cached)."""
    return dataclasses.fields(cls)


def field_problems(obj: Any, rules_checked: frozenset[str] = frozenset(), *, skip_defaults: bool = False) -> list[Problem]:
    """The type and rule problems of each field of the dataclass instance ``obj`` (only the type
    of the fields ``rules_checked``, whose rules the caller has run). With ``skip_defaults``, a
    field whose value is its very default (``is``), or an empty collection of the type its default
    factory makes empty, is not checked: every default passes its field's checks
    (``tests/constructs/test_props.py`` checks each)."""
    found: list[Problem] = []
    cls: Any = type(obj)
    checkers = _field_checkers(cls)
    empty = empty_by_default(cls) if skip_defaults else {}
    for field in fields_of(cls):
        value = getattr(obj, field.name)
        if skip_defaults and (value is field.default or (type(value) is empty.get(field.name) and not value)):
            continue
        path: Path = (field.name,)
        wrong = checkers[field.name](value, path)
        if field.name in rules_checked:
            found += wrong
        else:
            found += wrong or rule_problems(field, value, path)
    return found


@functools.cache
def empty_by_default(cls: Any) -> dict[str, type]:
    """The fields of a props class whose default (or what its default factory makes) is an empty
    collection, and its type: an empty one of that type is the default, as far as the checks go."""
    found = {}
    for field in fields_of(cls):
        default = field.default_factory() if field.default_factory is not dataclasses.MISSING else field.default
        if type(default) in (dict, list, tuple) and not default:
            found[field.name] = type(default)
    return found


def rule_problems(field: dataclasses.Field[Any], value: Any, path: Path) -> list[Problem]:
    """What the rules of ``field`` say of ``value`` (of the right type), at ``path``."""
    if not isinstance(field, dataclasses.Field):
        raise TypeError(f"rule_problems() takes a field of a props class (fields_of(cls)), not {type(field).__name__}")
    if value is None:
        return []
    found: list[Problem] = []
    meta = field.metadata
    for rule in meta.get("check", ()):
        said = rule(value)
        if said:
            found += _problems(said, path, value)
    each, keys = meta.get("each", ()), meta.get("keys", ())
    if not (each or keys):
        return found
    if isinstance(value, Mapping):
        for key, entry in value.items():
            for rule in keys:
                found += _problems(rule(key), (*path, key), key)
            for rule in each:
                found += _problems(rule(entry), (*path, key), entry)
    elif isinstance(value, list | tuple):
        for index, entry in enumerate(value):
            for rule in each:
                found += _problems(rule(entry), (*path, index), entry)
    return found
