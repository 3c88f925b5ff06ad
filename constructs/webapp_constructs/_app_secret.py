"""AppSecret: one Opaque Secret whose values are known at synth time (never kept in the repository).

Its values are :class:`SecretValue`, which never show in a ``repr``, a log line or an error: an
error names the Secret and the key, never the value nor its size.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from typing import Any, ClassVar, Unpack

from constructs import Construct

from . import _rules as rules
from ._common import CommonOptions, CommonProps, make_props, owner_name, shared_meta
from ._manifest import Manifest, ManifestConstruct
from ._props import Problem, PropsError, check, kind_of, prop, propsclass

__all__ = ["AppSecret", "AppSecretProps", "SecretValue"]


class SecretValue:
    """A secret string: ``str()`` and ``repr()`` show ``**********``; :meth:`reveal` gives it."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        if not isinstance(value, str):  # the value itself is never shown
            raise TypeError(f"SecretValue takes a string, not {type(value).__name__}")
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "SecretValue('**********')" if self._value else "SecretValue('')"

    def __str__(self) -> str:
        return "**********" if self._value else ""

    def __eq__(self, other: object) -> bool:
        return isinstance(other, SecretValue) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)

    def __bool__(self) -> bool:
        return bool(self._value)


def _reveal(value: str | SecretValue) -> str:
    return value.reveal() if isinstance(value, SecretValue) else value


@propsclass
class AppSecretProps(CommonProps):
    """Props of :class:`AppSecret`."""

    data: Mapping[str, str | SecretValue] = prop(keys=check(rules.config_map_key))
    """Key -> value. At most 1 MiB in all (decoded), as Kubernetes allows."""

    def _finish(self, found: list[Problem]) -> None:
        super()._finish([self._masked(problem) for problem in found])

    def _masked(self, problem: Problem) -> Problem:
        """A problem of the type of ``data`` or of one of its values, without the value: a value of
        the wrong type is a secret all the same (a key of the wrong type is shown)."""
        if problem.path[:1] != ("data",) or problem.code != "type" or len(problem.path) > 2:
            return problem
        if len(problem.path) == 1:
            expected = "a mapping of keys to strings"
        else:
            data: Mapping[Any, object] = self.data if isinstance(self.data, Mapping) else {}
            key = problem.path[1]
            if key not in data or data[key] is not problem.value:  # the key is what is wrong
                return problem
            expected = "a string or a SecretValue"
        return Problem(problem.path, f"is a {kind_of(problem.value)}, expected {expected} (the value is not shown)", "type")


class AppSecret(ManifestConstruct):
    """An Opaque Secret; ``data`` is rendered base64, as ``kubectl get -o yaml`` shows it. Give it
    to :meth:`~._workload.Workload.env_from_secret` and the pods that read it roll when one of the
    values they read changes."""

    PROPS: ClassVar[type[AppSecretProps]] = AppSecretProps
    RENDERS: ClassVar[tuple[tuple[str, str], ...]] = (("v1", "Secret"),)

    def __init__(
        self, scope: Construct, id: str, *, data: Mapping[str, str | SecretValue], **options: Unpack[CommonOptions]
    ) -> None:
        owner = owner_name(type(self), id)
        props = make_props(AppSecretProps, owner, id, data=data, **options)
        name = props.name or id
        too_big = rules.secret_size(name, {key: _reveal(value).encode() for key, value in props.data.items()})
        if too_big:
            raise PropsError(owner, [Problem(("data",), message, "too-large") for message in too_big])
        super().__init__(scope, id)
        self.props = props
        self.name = name
        self.data: dict[str, SecretValue] = {
            key: value if isinstance(value, SecretValue) else SecretValue(value) for key, value in props.data.items()
        }
        meta = shared_meta(self.name, props, id, self.chart_info, "Secret")
        encoded = {key: base64.b64encode(value.reveal().encode()).decode() for key, value in self.data.items()}
        self._add("Resource", {"apiVersion": "v1", "kind": "Secret", "metadata": meta, "type": "Opaque", "data": encoded})

    @property
    def secret(self) -> Manifest:
        """The Secret object."""
        found = self._get("Resource")
        assert found is not None
        return found
