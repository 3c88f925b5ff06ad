"""AppNamespace: a Namespace that enforces the Pod Security Standard its pods meet.

Pod Security Admission reads the namespace's labels: ``enforce: restricted`` when every pod meets
"restricted"; otherwise the strictest level they all meet (``baseline``), with ``warn`` and
``audit`` still at ``restricted`` and an annotation that names the workloads that need the
exception and why. The version is pinned to the Kubernetes release the manifests target.

Every pod of the namespace counts, cdk8s-plus's too (read from what it renders): one that falls
below the level is refused when the app is synthesized, naming it and the way out
(:func:`~._harden.harden`, or a level given on purpose).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, ClassVar, Unpack

import cdk8s

from constructs import Construct

from . import _rules as rules
from ._audit import audit_annotations
from ._charts import AppCheck, chart_info
from ._common import CommonOptions, CommonProps, given_mapping, make_props, owner_name, shared_labels
from ._manifest import Lazy, Manifest, ManifestConstruct, object_meta, rendered_objects
from ._peers import is_cdk8s_plus
from ._pod_security import Level, PodSecurity, evaluate_object, stricter
from ._prop_rules import REASON
from ._props import Problem, PropsError, check, prop, propsclass
from ._workload import Workload

__all__ = [
    "KUBERNETES_VERSION",
    "AppNamespace",
    "AppNamespaceProps",
    "Level",
    "pod_security_labels",
    "pod_security_of",
]

KUBERNETES_VERSION = "v1.27"
"""The Kubernetes release the manifests target (and the Pod Security Standards version pinned)."""


def _workload_name(workload: Any) -> str:
    if is_cdk8s_plus(workload):
        return f"{type(workload).__name__} {workload.node.id!r} ({workload.node.path})"
    return str(workload.name)


def pod_security_of(workloads: Iterable[Any]) -> tuple[Level, dict[str, str]]:
    """The strictest level every one of ``workloads`` meets (this library's, and cdk8s-plus
    workloads, read from what they render), and why each below "restricted" is (name -> why)."""
    level: Level = "restricted"
    exceptions: dict[str, str] = {}
    for workload in workloads:
        if isinstance(workload, Workload):
            own = workload.pod_security_level
            why = "; ".join(workload.pod_security_exceptions().values())
        elif is_cdk8s_plus(workload) and hasattr(workload, "containers"):
            found = evaluate_object(cdk8s.ApiObject.of(workload).to_json()) or PodSecurity("restricted")
            own, why = found.level, "; ".join(found.below("restricted"))
        else:
            raise TypeError(f"pod_security_of takes workloads of this library or of cdk8s-plus, not {type(workload).__name__}")
        level = stricter(level, own)
        if own != "restricted":
            exceptions[_workload_name(workload)] = why
    return level, exceptions


def pod_security_labels(level: Level) -> dict[str, str]:
    """The Pod Security Admission labels for ``level``: enforced, pinned to
    :data:`KUBERNETES_VERSION`, and below "restricted" still warned and audited at "restricted"."""
    labels = {"pod-security.kubernetes.io/enforce": level, "pod-security.kubernetes.io/enforce-version": KUBERNETES_VERSION}
    if level != "restricted":
        for mode in ("warn", "audit"):
            labels[f"pod-security.kubernetes.io/{mode}"] = "restricted"
            labels[f"pod-security.kubernetes.io/{mode}-version"] = KUBERNETES_VERSION
    return labels


@propsclass
class AppNamespaceProps(CommonProps):
    """Props of :class:`AppNamespace`."""

    name: str | None = prop(default=None, check=check(rules.rendered_namespace_name))
    """Name of the Namespace; never one of the cluster's own (``kube-*``, ``default``), whichever
    way it is named. Default: the chart's namespace, else the construct ID."""
    pod_security: Level | None = None
    """The Pod Security Standard enforced. Default: the strictest every pod of the namespace meets
    (a pod of this library below "restricted" has its reasons; a cdk8s-plus pod must meet it)."""
    pod_security_exceptions: Mapping[str, str] = prop(default={}, each=REASON)
    """Below "restricted": the workloads that need it, and why (an annotation). Default: what the
    workloads below "restricted" say."""
    exceptions_annotation: str = prop(default="pod-security-exceptions", check=check(rules.qualified_name))
    """The annotation that names the exceptions. Default: ``pod-security-exceptions``."""


def namespace_pod_security(root: Construct) -> list[str]:
    """Pods below the level their AppNamespace enforces, as rendered."""
    return [line for c in root.node.find_all() if isinstance(c, AppNamespace) for line in c.problems()]


class AppNamespace(ManifestConstruct):
    """A Namespace that enforces a Pod Security Standard: by default the strictest every pod of
    the namespace meets, across the charts of the app. In a chart with a namespace it is that
    namespace (``name`` may only repeat it)."""

    PROPS: ClassVar[type[AppNamespaceProps]] = AppNamespaceProps
    RENDERS: ClassVar[tuple[tuple[str, str], ...]] = (("v1", "Namespace"),)
    APP_CHECKS: ClassVar[tuple[AppCheck, ...]] = (*ManifestConstruct.APP_CHECKS, namespace_pod_security)

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        pod_security: Level | None = None,
        pod_security_exceptions: Mapping[str, str] | None = None,
        exceptions_annotation: str = "pod-security-exceptions",
        **options: Unpack[CommonOptions],
    ) -> None:
        owner = owner_name(type(self), id)
        props = make_props(
            AppNamespaceProps,
            owner,
            id,
            pod_security=pod_security,
            pod_security_exceptions=given_mapping(pod_security_exceptions),
            exceptions_annotation=exceptions_annotation,
            **options,
        )
        chart_namespace = chart_info(scope).namespace
        problems = []
        if props.name is not None and chart_namespace is not None and props.name != chart_namespace:
            problems.append(
                Problem(
                    ("name",),
                    f"{props.name} is not the chart's namespace {chart_namespace}, where its objects go; "
                    "leave name out, or put the Namespace in a chart of its own",
                    "namespace-mismatch",
                    props.name,
                )
            )
        elif props.name is None:  # named after the chart's namespace or the construct ID: the same rule
            source = "the chart's namespace" if chart_namespace is not None else "the construct ID"
            problems += [
                Problem(
                    ("name",),
                    f"{problem} ({chart_namespace or id} is {source}: give name=, or put it in another chart)",
                    "rule",
                    chart_namespace or id,
                )
                for problem in rules.rendered_namespace_name(chart_namespace or id)
            ]
        if problems:  # before it joins the tree: a refused construct leaves nothing behind
            raise PropsError(owner, problems)
        super().__init__(scope, id)
        self.props = props
        self.name: str = props.name or chart_namespace or id
        self._computed: tuple[Level, dict[str, str]] | None = None
        labels = shared_labels(props, id, self.chart_info)
        audit = audit_annotations(props.audit_skips, "Namespace")
        meta = object_meta(self.name, labels=labels, annotations=audit)
        meta["labels"] = Lazy(lambda: {**labels, **pod_security_labels(self.pod_security)})
        meta["annotations"] = Lazy(lambda: {**audit, **self._exceptions_annotation()} or None)
        self._add("Resource", {"apiVersion": "v1", "kind": "Namespace", "metadata": meta})

    def workloads(self) -> list[Any]:
        """Every workload of the app in this namespace: this library's, and cdk8s-plus's."""
        found = []
        for construct in self.node.root.node.find_all():
            in_chart = isinstance(construct, Workload) or (is_cdk8s_plus(construct) and hasattr(construct, "containers"))
            if in_chart and cdk8s.Chart.of(construct).namespace == self.name:
                found.append(construct)
        return found

    def _pods(self) -> tuple[Level, dict[str, str]]:
        if self._computed is None:
            ours = [w for w in self.workloads() if isinstance(w, Workload)]
            self._computed = pod_security_of(ours)
        return self._computed

    @property
    def pod_security(self) -> Level:
        """The level enforced: ``pod_security``, else the strictest this library's pods meet."""
        return self.props.pod_security if self.props.pod_security is not None else self._pods()[0]

    def _exceptions_annotation(self) -> dict[str, str]:
        exceptions = dict(self.props.pod_security_exceptions)
        if not exceptions and self.props.pod_security is None:
            exceptions = self._pods()[1]
        if not exceptions:
            return {}
        return {self.props.exceptions_annotation: "; ".join(f"{name}: {why}" for name, why in exceptions.items())}

    def problems(self) -> list[str]:
        """Every pod of the namespace that does not meet the level enforced, as rendered (after
        JSON patches and every other escape hatch; this library's pods, cdk8s-plus's and plain
        objects' alike), with why and the way out (empty when all do). What an app's synth refuses."""
        level = self.pod_security
        found = []
        for rendered in rendered_objects(self.node.root):  # type: ignore[arg-type]
            if rendered.namespace != self.name:
                continue
            evaluated = evaluate_object(rendered.manifest)
            if evaluated is None or evaluated.meets(level):
                continue
            why = "; ".join(evaluated.breaks(level))
            if rendered.origin == "cdk8s-plus":
                way_out = "call harden() on it and remove what sets the rest"
            elif rendered.origin == "ours":
                way_out = (
                    "remove the JSON patch or annotation that sets it, or relax the field in security=Security(...) with "
                    "its reason"
                )
            else:
                way_out = "make the object meet it"
            found.append(
                f"{rendered} does not meet the Pod Security Standard {level!r} that "
                f"namespace {self.name} enforces: {why}. {way_out[0].upper()}{way_out[1:]}, or give "
                f"AppNamespace(pod_security={evaluated.level!r}) on purpose"
            )
        return found

    @property
    def namespace(self) -> Manifest:
        """The Namespace object."""
        found = self._get("Resource")
        assert found is not None
        return found
