"""What an app that holds this library's constructs must pass when cdk8s synthesizes it
(``App.synth()``), across all its charts and whoever made the objects:

* no object is rendered twice into one namespace (same API group, kind and name): the second
  would silently replace the first;
* no cdk8s-plus NetworkPolicy restricts the egress of this library's pods (``kp_obj.connections
  .allow_from(ours...)`` writes one: it would cut their DNS and every other connection);
* every pod of a namespace an :class:`~.app_namespace.AppNamespace` renders meets the level it
  enforces, as rendered: after JSON patches and every other escape hatch, this library's pods,
  cdk8s-plus's and plain ``ApiObject``'s alike;
* every policy-scanner exception (``checkov.io/skipN``) on any object has its reason.

Each problem is one line naming the construct paths and the fix; cdk8s stops the synth with them.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, NamedTuple

import cdk8s

from constructs import Construct

from ._audit import object_audit_problems
from ._charts import APP_CHECKS
from ._common import owner_name
from ._labels import selects
from ._manifest import Manifest, ManifestConstruct
from ._peers import is_cdk8s_plus

__all__ = [
    "RenderedObject",
    "audit_reasons",
    "duplicate_objects",
    "namespace_pod_security",
    "plus_egress_on_ours",
    "rendered_objects",
]

_CLUSTER_KINDS = frozenset(
    {"Namespace", "ClusterRole", "ClusterRoleBinding", "PriorityClass", "StorageClass", "PersistentVolume"}
)


class RenderedObject(NamedTuple):
    """An object an app renders, as it renders it (after JSON patches): the construct path of
    what made it, the object, the namespace it goes to (None for a cluster-scoped kind), and who
    made it: ``ours`` (a construct of this library), ``cdk8s-plus`` or ``object`` (any other
    ``ApiObject``)."""

    path: str
    manifest: Mapping[str, Any]
    namespace: str | None
    origin: str

    @property
    def kind(self) -> str:
        return str(self.manifest.get("kind"))

    @property
    def name(self) -> str:
        return str((self.manifest.get("metadata") or {}).get("name"))

    def __str__(self) -> str:
        """How a message names it: kind, name and construct path (a cdk8s-plus object by the ID
        and path of the cdk8s-plus construct the user made, not its generated name)."""
        if self.origin == "cdk8s-plus":
            path = self.path.removesuffix("/Resource")
            return f"{self.kind} {path.rpartition('/')[2]!r} ({path})"
        return f"{self.kind} {self.name} ({self.path})"


def _objects(root: Construct) -> Iterator[tuple[str, Mapping[str, Any], str | None, str]]:
    """Every object the app renders: (construct path, the object, its chart's namespace, origin)."""
    for construct in root.node.find_all():
        if isinstance(construct, ManifestConstruct):
            namespace = construct.chart_info.namespace
            for manifest in construct.manifests():
                yield construct.node.path, manifest, namespace, "ours"
        elif isinstance(construct, Manifest):
            if construct.owner is None:
                yield construct.node.path, construct.to_json(), construct._info.namespace, "ours"
        elif isinstance(construct, cdk8s.ApiObject):
            scope = construct.node.scope
            origin = "cdk8s-plus" if scope is not None and is_cdk8s_plus(scope) else "object"
            yield construct.node.path, construct.to_json(), cdk8s.Chart.of(construct).namespace, origin


def rendered_objects(root: Construct) -> Iterator[RenderedObject]:
    """Every object the app under ``root`` renders, as it renders it (:class:`RenderedObject`)."""
    for path, manifest, chart_namespace, origin in _objects(root):
        kind = str(manifest.get("kind"))
        given = (manifest.get("metadata") or {}).get("namespace")
        namespace = None if kind in _CLUSTER_KINDS else str(given or chart_namespace or "default")
        yield RenderedObject(path, manifest, namespace, origin)


def duplicate_objects(root: Construct) -> list[str]:
    """Objects rendered twice into one namespace, by any two charts of the app."""
    seen: dict[tuple[str, str, str, str], str] = {}
    found = []
    for path, manifest, object_namespace, _ in rendered_objects(root):
        metadata = manifest.get("metadata") or {}
        kind = str(manifest.get("kind"))
        group = str(manifest.get("apiVersion", "")).rpartition("/")[0]
        namespace = object_namespace or ""
        identity = (group, kind, namespace, str(metadata.get("name")))
        if identity in seen:
            where = f" in namespace {namespace}" if namespace else ""
            found.append(
                f"{kind} {identity[3]}{where} is rendered twice, by {seen[identity]} and by {path}: "
                "the second would replace the first; give one another name"
            )
        else:
            seen[identity] = path
    return found


def plus_egress_on_ours(root: Construct) -> list[str]:
    """cdk8s-plus NetworkPolicies that restrict the egress of this library's pods."""
    from ._workload import Workload

    ours = [c for c in root.node.find_all() if isinstance(c, Workload)]
    if not ours:
        return []
    found = []
    for construct in root.node.find_all():
        if not (is_cdk8s_plus(construct) and type(construct).__name__ == "NetworkPolicy"):
            continue
        policy = cdk8s.ApiObject.of(construct).to_json()
        spec = policy.get("spec") or {}
        if "Egress" not in (spec.get("policyTypes") or []):
            continue
        selector = spec.get("podSelector") or {}
        if selector.get("matchExpressions"):
            continue
        labels = selector.get("matchLabels") or {}
        namespace = (policy.get("metadata") or {}).get("namespace") or cdk8s.Chart.of(construct).namespace
        for workload in ours:
            if workload.namespace == namespace and selects(labels, workload.labels):
                owner = owner_name(type(workload), workload.construct_id)
                found.append(
                    f"the cdk8s-plus NetworkPolicy {construct.node.path} limits the egress of {owner}'s pods to what it "
                    f"lists: their DNS and every other connection would be cut. To let {workload.construct_id} reach a "
                    f"cdk8s-plus workload, call {workload.construct_id}.connect(<its Service or workload>) (both sides are "
                    f"opened) instead of <workload>.connections.allow_from(...{workload.construct_id}...)"
                )
    return found


def audit_reasons(root: Construct) -> list[str]:
    """Policy-scanner exceptions without a reason (:func:`~.audit.audit_annotation_problems`) on any
    object of the app, its pod template included, as rendered (escape hatches and all)."""
    return [
        f"{rendered}: {problem}" for rendered in rendered_objects(root) for problem in object_audit_problems(rendered.manifest)
    ]


def namespace_pod_security(root: Construct) -> list[str]:
    """Pods below the level their AppNamespace enforces, as rendered."""
    from ._app_namespace import AppNamespace

    return [line for c in root.node.find_all() if isinstance(c, AppNamespace) for line in c.problems()]


APP_CHECKS.extend([duplicate_objects, plus_egress_on_ours, namespace_pod_security, audit_reasons])
