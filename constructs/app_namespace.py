"""AppNamespace: the app's Namespace, which enforces the Pod Security Standard its pods meet.

Pod Security Admission reads the namespace's labels: ``enforce: restricted`` when every pod of
the app meets "restricted"; otherwise the strictest level they all meet (``baseline``), with
``warn`` and ``audit`` still at ``restricted`` and an annotation that names the services that need
the exception and why. The version is pinned to the Kubernetes release the manifests target.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import ClassVar, Literal, Unpack

from constructs import Construct

from . import rules
from .audit import audit_annotations
from .common import CommonOptions, CommonProps, make_props, owner_name, shared_labels
from .manifest import Manifest, ManifestConstruct, object_meta
from .props import check, prop, propsclass
from .workload import Workload

__all__ = [
    "EXCEPTIONS_ANNOTATION",
    "KUBERNETES_VERSION",
    "AppNamespace",
    "AppNamespaceProps",
    "Level",
    "pod_security_labels",
    "pod_security_of",
]

Level = Literal["restricted", "baseline", "privileged"]
KUBERNETES_VERSION = "v1.27"
"""The Kubernetes release the manifests target (and the Pod Security Standards version pinned)."""
EXCEPTIONS_ANNOTATION = "todo-chatbot/pod-security-exceptions"
"""Names the services that need a Pod Security exception, and why."""
_ORDER: tuple[Level, ...] = ("restricted", "baseline", "privileged")


def pod_security_of(workloads: Iterable[Workload]) -> tuple[Level, dict[str, str]]:
    """The strictest level every one of ``workloads`` meets, and why each service below
    "restricted" is (service name -> what and why)."""
    level: Level = "restricted"
    exceptions: dict[str, str] = {}
    for workload in workloads:
        own = workload.pod_security_level
        if _ORDER.index(own) > _ORDER.index(level):
            level = own
        if own != "restricted":
            exceptions[workload.name] = "; ".join(workload.pod_security_exceptions().values())
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

    name: str | None = prop(default=None, check=check(rules.namespace_name))
    """Name of the Namespace; never one of the cluster's own (``kube-*``). Default: the construct ID."""
    pod_security: Level = "restricted"
    """The Pod Security Standard enforced. Default: restricted."""
    pod_security_exceptions: Mapping[str, str] = prop(default={})
    """Below "restricted": the services that need it, and why (an annotation). Default: none."""


class AppNamespace(ManifestConstruct):
    """A Namespace that enforces a Pod Security Standard (see :func:`pod_security_of` to derive it
    from the app's services)."""

    RENDERS: ClassVar[tuple[tuple[str, str], ...]] = (("v1", "Namespace"),)

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        pod_security: Level = "restricted",
        pod_security_exceptions: Mapping[str, str] | None = None,
        **options: Unpack[CommonOptions],
    ) -> None:
        props = make_props(
            AppNamespaceProps,
            owner_name(type(self), id),
            id,
            pod_security=pod_security,
            pod_security_exceptions=dict(pod_security_exceptions or {}),
            **options,
        )
        super().__init__(scope, id)
        self.props = props
        self.name = props.name or id
        annotations = audit_annotations(props.audit_skips, "Namespace")
        if props.pod_security_exceptions:
            annotations[EXCEPTIONS_ANNOTATION] = "; ".join(
                f"{name}: {why}" for name, why in props.pod_security_exceptions.items()
            )
        labels = {**shared_labels(props, id, self.chart_info), **pod_security_labels(props.pod_security)}
        meta = object_meta(self.name, labels=labels, annotations=annotations)
        self._add("Resource", {"apiVersion": "v1", "kind": "Namespace", "metadata": meta})

    @property
    def namespace(self) -> Manifest:
        """The Namespace object."""
        found = self._get("Resource")
        assert found is not None
        return found
