"""What every construct of this library shares: its labels and its policy-scanner exceptions.

:class:`CommonProps` are the props of the constructs that render one object shared by the app
(:class:`~.app_config.AppConfig`, :class:`~.app_secret.AppSecret`,
:class:`~.network_policies.DefaultDeny`, :class:`~.app_ingress.AppIngress`,
:class:`~.app_namespace.AppNamespace`); the service constructs take the same label props.
"""

import re
from collections.abc import Mapping
from typing import Any, TypedDict, TypeVar

from ._audit import audit_annotations
from ._charts import ChartInfo
from ._labels import recommended_labels
from ._manifest import object_meta
from ._prop_rules import AUDIT_CHECK, LABEL_VALUE, LABELS, NAME, REASON
from ._props import Problem, Props, PropsError, nearest, prop, propsclass

__all__ = ["CommonOptions", "CommonProps", "make_props", "owner_name", "shared_labels", "shared_meta"]

P = TypeVar("P", bound=Props)


@propsclass
class CommonProps(Props):
    """Name, labels and policy-scanner exceptions of an object the app shares."""

    name: str | None = prop(default=None, check=NAME)
    """Name of the object. Default: the construct ID."""
    labels: Mapping[str, str] = prop(default={}, check=LABELS)
    """Extra labels. Default: none."""
    instance: str | None = prop(default=None, check=LABEL_VALUE)
    """``app.kubernetes.io/instance``: the release. Default: the chart's construct ID."""
    part_of: str | None = prop(default=None, check=LABEL_VALUE)
    """``app.kubernetes.io/part-of`` and ``app.kubernetes.io/name``: the application. Default: the instance."""
    version: str | None = prop(default=None, check=LABEL_VALUE)
    """``app.kubernetes.io/version``. Default: none."""
    component: str | None = prop(default=None, check=LABEL_VALUE)
    """``app.kubernetes.io/component``. Default: the construct ID."""
    audit_skips: Mapping[str, str] = prop(default={}, keys=AUDIT_CHECK, each=REASON)
    """Policy-scanner checks this object fails on purpose, with reasons (``checkov.io/skipN``
    annotations, for the checks about this kind of object). Default: none."""


class CommonOptions(TypedDict, total=False):
    """The keyword arguments of :class:`CommonProps` (documented there)."""

    name: str | None
    labels: Mapping[str, str]
    instance: str | None
    part_of: str | None
    version: str | None
    component: str | None
    audit_skips: Mapping[str, str]


def owner_name(cls: type, id: str) -> str:
    """How errors name a construct: ``ApiService 'api'``."""
    return f"{cls.__name__} {id!r}"


def make_props(props_class: type[P], owner: str, id: str, **kwargs: Any) -> P:
    """``props_class(**kwargs)``, its errors named after ``owner``; an unknown keyword is a
    :class:`~.props.PropsError` too."""
    known = set(props_class.__dataclass_fields__)  # type: ignore[attr-defined]
    unknown = [Problem((key,), f"unknown prop for {owner.split()[0]}{nearest(key, known)}") for key in kwargs if key not in known]
    try:
        props = props_class(**{key: value for key, value in kwargs.items() if key in known})
    except PropsError as error:  # every problem at once: the unknown keywords, then the props'
        raise PropsError(owner, [*unknown, *error.problems]) from None
    except TypeError as error:  # a required prop missing: "...() missing 1 required keyword-only argument: 'x'"
        missing = re.findall(r"'(\w+)'", str(error).split("argument", 1)[-1])
        problems = [Problem((name,), "required, but missing") for name in missing] or [Problem((), str(error))]
        raise PropsError(owner, [*unknown, *problems]) from None
    if unknown:
        raise PropsError(owner, unknown)
    return props


def shared_labels(props: CommonProps, id: str, info: ChartInfo) -> dict[str, str]:
    """The labels of a shared object: ``app.kubernetes.io/name`` is the application."""
    instance = props.instance or info.id
    part_of = props.part_of or instance
    recommended = recommended_labels(
        name=part_of, instance=instance, component=props.component or id, part_of=part_of, version=props.version
    )
    return {**recommended, **props.labels}


def shared_meta(
    name: str, props: CommonProps, id: str, info: ChartInfo, kind: str, annotations: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """The metadata of a shared object (a ConfigMap, Secret, Ingress, ...) named ``name``: the
    chart's namespace, :func:`shared_labels`, ``annotations`` and the audit annotations of ``kind``."""
    return object_meta(
        name,
        namespace=info.namespace,
        labels=shared_labels(props, id, info),
        annotations={**(annotations or {}), **audit_annotations(props.audit_skips, kind)},
    )
