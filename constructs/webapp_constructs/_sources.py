"""Where a workload reads a ConfigMap, a Secret or a PersistentVolumeClaim from: one of this
library's (:class:`~._app_config.AppConfig`, :class:`~._app_secret.AppSecret`), a cdk8s-plus-27 one
(``kp.ConfigMap``, ``kp.Secret`` and its kinds, ``kp.PersistentVolumeClaim``, or one imported with
``kp.Secret.from_secret_name(...)`` and the like), or a name.

An object of the wrong kind is refused with the way out (``Volume.config_map(secret)``: a Secret
is mounted with ``Volume.secret``), and where the object's keys are known, a key it does not have
is refused with the nearest one it has: an AppConfig's or AppSecret's keys, a ``kp.ConfigMap``'s
(``data`` and ``binary_data``), a ``kp.Secret``'s string data (read off what cdk8s renders of it;
a ``kp.Secret`` without any, or an imported one, has keys the library cannot know). The keys are
those the object has when it is handed in: add a cdk8s-plus object's data first.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any, Literal, Protocol, TypeAlias

from . import _rules as rules
from ._app_config import AppConfig
from ._app_secret import AppSecret
from ._props import Problem, PropsError, nearest

if TYPE_CHECKING:
    import cdk8s_plus_27

__all__ = [
    "ClaimSource",
    "ConfigMapSource",
    "NamedSecret",
    "SecretSource",
    "Source",
    "SourceKind",
    "missing_keys",
    "secret_name",
    "secret_reference_problems",
    "source_of",
]

SourceKind = Literal["ConfigMap", "Secret", "PersistentVolumeClaim"]


ConfigMapSource: TypeAlias = "AppConfig | cdk8s_plus_27.IConfigMap | str"
"""A ConfigMap: an :class:`~._app_config.AppConfig`, a ``kp.ConfigMap`` (or ``kp.IConfigMap``) or its name."""

SecretSource: TypeAlias = "AppSecret | cdk8s_plus_27.ISecret | str"
"""A Secret: an :class:`~._app_secret.AppSecret`, a ``kp.Secret`` (any kind, or ``kp.ISecret``) or its name."""

ClaimSource: TypeAlias = "cdk8s_plus_27.IPersistentVolumeClaim | str"
"""A PersistentVolumeClaim: a ``kp.PersistentVolumeClaim`` (or ``kp.IPersistentVolumeClaim``) or its name."""


class NamedSecret(Protocol):
    """A cdk8s-plus-27 Secret as a props field holds one (``kp.Secret``, ``kp.ISecret``): a type
    known without cdk8s-plus installed. What is no Secret is refused when the props are checked."""

    @property
    def name(self) -> str: ...

    @property
    def kind(self) -> str: ...


class Source:
    """A ConfigMap, Secret or claim as handed in: its ``name``; ``values`` (those of an AppConfig,
    for the checksum; never a Secret's); ``keys`` when known."""

    __slots__ = ("keys", "kind", "name", "values")

    def __init__(self, name: str, kind: SourceKind | None, values: Any, keys: list[str] | None) -> None:
        self.name = name
        self.kind = kind
        self.values = values
        self.keys = keys


_OURS = {"ConfigMap": "AppConfig", "Secret": "AppSecret", "PersistentVolumeClaim": None}


def _plus_kind(holder: object) -> str | None:
    """The kind of a cdk8s-plus resource (or an imported one: a jsii proxy), read off its public
    ``kind`` and ``api_version``; None for anything else."""
    module = type(holder).__module__.split(".")[0]
    if not (module.startswith("cdk8s_plus_") or module == "jsii"):
        return None
    try:
        kind, version, name = holder.kind, holder.api_version, holder.name  # type: ignore[attr-defined]
    except AttributeError:
        return None
    return kind if version == "v1" and isinstance(kind, str) and isinstance(name, str) else None


def _plus_keys(holder: Any, kind: str) -> list[str] | None:
    """The keys of a cdk8s-plus ConfigMap or Secret made in this app (not an imported one)."""
    if not type(holder).__module__.startswith("cdk8s_plus_"):
        return None
    if kind == "ConfigMap":
        return [*dict(holder.data or {}), *dict(holder.binary_data or {})]
    if kind == "Secret":
        import cdk8s

        rendered = cdk8s.ApiObject.of(holder).to_json()
        keys = [*dict(rendered.get("stringData") or {}), *dict(rendered.get("data") or {})]
        del rendered  # no value is kept
        return keys or None  # none: filled by the cluster (a service account token) or by hand
    return None


def _describe(holder: object, kind: str | None) -> str:
    name = getattr(holder, "name", None)
    module = type(holder).__module__
    what = f"the cdk8s-plus {type(holder).__name__}" if module.startswith("cdk8s_plus_") else type(holder).__name__
    if module.startswith("jsii"):
        what = f"the imported {kind}"
    return f"{what} {name}" if isinstance(name, str) else type(holder).__name__


def source_of(holder: object, want: SourceKind, *, owner: str, argument: str, way_out: dict[str, str]) -> Source:
    """``holder`` as a ``want``: raise :class:`TypeError` for what is no such object nor a name,
    :class:`~._props.PropsError` (of ``owner``, at ``argument``) for an object of another kind, with
    ``way_out[its kind]`` (e.g. ``{"Secret": "mount a Secret with Volume.secret(...)"}``)."""
    if isinstance(holder, str):
        return Source(holder, None, None, None)
    source: Source | None = None
    if isinstance(holder, AppConfig):
        source = Source(holder.name, "ConfigMap", holder.data, list(holder.data))
    elif isinstance(holder, AppSecret):
        source = Source(holder.name, "Secret", None, list(holder.data))
    else:
        kind = _plus_kind(holder)
        if kind in ("ConfigMap", "Secret", "PersistentVolumeClaim"):
            name: str = holder.name  # type: ignore[attr-defined]
            source = Source(name, kind, None, _plus_keys(holder, kind))  # type: ignore[arg-type]
        elif kind is not None:
            source = Source(str(getattr(holder, "name", "")), None, None, None)
            source.kind = kind  # type: ignore[assignment]
    ours = _OURS[want]
    accepted = f"{'an ' + ours + ', ' if ours else ''}a cdk8s-plus {want} or the name of one"
    if source is None:
        raise TypeError(f"{owner}: {argument} is {accepted}, not {type(holder).__name__}")
    if source.kind != want:
        hint = way_out.get(str(source.kind), f"give {accepted}")
        problem = Problem(
            (argument,), f"{_describe(holder, source.kind)} is a {source.kind}, not a {want}; {hint}", "wrong-source-kind"
        )
        raise PropsError(owner, [problem])
    return source


def missing_keys(source: Source, keys: Iterable[str], path: tuple[str | int, ...]) -> list[Problem]:
    """A problem for each of ``keys`` that ``source`` is known not to have, with the nearest it has."""
    if source.keys is None:
        return []
    known = source.keys
    found = []
    for index, key in enumerate(keys):
        if key in known:
            continue
        listed = ", ".join(known) or "none"
        said = f"{source.kind} {source.name} has no key {key!r}{nearest(key, known)} (it has {listed})"
        found.append(Problem((*path, index), said, "unknown-key", key))
    return found


def secret_name(secret: object, *, owner: str, argument: str) -> str:
    """The name of a Secret given as a name, an AppSecret or a cdk8s-plus (or imported) Secret."""
    return source_of(secret, "Secret", owner=owner, argument=argument, way_out={}).name


def key_list(keys: Sequence[str] | None, *, owner: str, argument: str) -> list[str] | None:
    """``keys`` as a list of strings: a string alone is refused (a list of one is meant)."""
    if keys is None:
        return None
    if isinstance(keys, str) or not isinstance(keys, Iterable):
        raise TypeError(f"{owner}: {argument} is a list of keys, such as [{keys!r}], not a {type(keys).__name__}")
    found = list(keys)
    wrong = [key for key in found if not isinstance(key, str)]
    if wrong:
        raise TypeError(f"{owner}: {argument} is a list of strings; {wrong[0]!r} is a {type(wrong[0]).__name__}")
    return found


def secret_reference_problems(secret: object) -> list[str]:
    """What is wrong with ``secret`` as a reference to a Secret (a props rule): a name that is no
    DNS-1123 subdomain, or an object that is no Secret."""
    if isinstance(secret, str):
        return rules.dns1123_subdomain(secret)
    try:
        secret_name(secret, owner="", argument="")
    except PropsError as error:
        return [problem.message for problem in error.problems]
    except TypeError:
        return [f"a {type(secret).__name__} is no Secret: give an AppSecret, a cdk8s-plus Secret or the name of one"]
    return []
