"""Manifest: one Kubernetes object whose content is a plain dict, built on the Python side.

Why not the generated ``imports/k8s`` classes? Each typed struct crosses the jsii bridge field by
field: a typed Deployment costs ~16 ms to create, a ``Manifest`` one jsii call (~0.6 ms). A
``Manifest`` is a real ``cdk8s.ApiObject`` in the construct tree: ``cdk8s.Testing.synth`` and
``App.synth`` render it (node calls back ``to_json``), and :func:`chart_manifests` renders it
without crossing the bridge at all. The strict 1.27 schema validation in the tests stands in for
the typing the generated classes would give.

The escape hatch is the dict itself: change ``manifest`` before synth. cdk8s JSON patches do not
apply to a ``Manifest`` (``add_json_patch`` says so).
"""

from __future__ import annotations

import weakref
from collections.abc import Mapping
from typing import Any

import cdk8s

from constructs import Construct

__all__ = ["Manifest", "chart_manifests", "chart_namespace", "object_meta"]

_FIRST = ("apiVersion", "kind", "metadata")


def _sorted(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _sorted(value[key]) for key in sorted(value)}
    if isinstance(value, list):
        return [_sorted(item) for item in value]
    return value


def object_meta(
    name: str,
    *,
    namespace: str | None = None,
    labels: Mapping[str, str] | None = None,
    annotations: Mapping[str, str] | None = None,
) -> dict[str, Any]:
    """A ``metadata`` dict without empty fields."""
    meta: dict[str, Any] = {"name": name}
    if namespace:
        meta["namespace"] = namespace
    if labels:
        meta["labels"] = dict(labels)
    if annotations:
        meta["annotations"] = dict(annotations)
    return meta


class Manifest(cdk8s.ApiObject):
    """A Kubernetes object rendered exactly as ``manifest`` says (keys sorted as cdk8s sorts them:
    ``apiVersion``, ``kind``, ``metadata`` first, everything below in key order)."""

    def __init__(self, scope: Construct, id: str, manifest: dict[str, Any]) -> None:
        super().__init__(scope, id, api_version=manifest["apiVersion"], kind=manifest["kind"])
        self.manifest = manifest

    def to_json(self) -> Any:
        first = {key: _sorted(self.manifest[key]) for key in _FIRST if key in self.manifest}
        return first | {key: _sorted(self.manifest[key]) for key in sorted(self.manifest) if key not in _FIRST}

    def add_json_patch(self, *ops: cdk8s.JsonPatch) -> None:
        raise TypeError(f"{self.node.path}: a Manifest takes no JSON patches; change its .manifest dict instead")


def chart_manifests(chart: cdk8s.Chart) -> list[dict[str, Any]]:
    """The objects of ``chart`` in construct order, as ``chart.to_json()`` gives them.

    ``Manifest`` objects render on the Python side; any other ApiObject (a ``k8s.Kube*`` or
    cdk8s-plus object a user added) is rendered by cdk8s.
    """
    return [construct.to_json() for construct in chart.node.find_all() if isinstance(construct, cdk8s.ApiObject)]


_NAMESPACES: weakref.WeakKeyDictionary[cdk8s.Chart, str | None] = weakref.WeakKeyDictionary()


def chart_namespace(scope: Construct) -> str | None:
    """The namespace of the chart that ``scope`` is in (or is), asked of cdk8s once per chart:
    every question crosses the jsii bridge."""
    chart = scope if isinstance(scope, cdk8s.Chart) else cdk8s.Chart.of(scope)
    if chart not in _NAMESPACES:
        _NAMESPACES[chart] = chart.namespace
    return _NAMESPACES[chart]
