"""Policy-scanner exceptions: a ``checkov.io/skipN: CHECK=reason`` annotation for each check an
object fails on purpose, on the objects the check is about and no other.

Most Kubernetes checks are about a pod's spec (its image, user, capabilities, probes, env): they
are annotated on workloads only. ``CKV_K8S_21`` (the default namespace) is about where an object
lives: it is annotated on every namespaced object. ``CKV_K8S_153`` and ``CKV_K8S_154`` (configuration
snippets) are about an Ingress's annotations: they are annotated on Ingresses.
"""

from __future__ import annotations

from collections.abc import Mapping

__all__ = ["INGRESS_CHECKS", "OBJECT_CHECKS", "WORKLOAD_KINDS", "audit_annotations"]

WORKLOAD_KINDS = frozenset({"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "CronJob", "Pod"})
"""Kinds with a pod spec: what pod-level checks are about."""

OBJECT_CHECKS = frozenset({"CKV_K8S_21"})
"""Checks about any namespaced object, not about a pod spec."""

INGRESS_CHECKS = frozenset({"CKV_K8S_153", "CKV_K8S_154"})
"""Checks about an Ingress (its configuration-snippet annotations, CVE-2021-25742)."""

CLUSTER_KINDS = frozenset({"Namespace"})


def applies(check: str, kind: str) -> bool:
    """Whether the checkov check ``check`` is about objects of ``kind``."""
    if check in OBJECT_CHECKS:
        return kind not in CLUSTER_KINDS
    if check in INGRESS_CHECKS:
        return kind == "Ingress"
    return kind in WORKLOAD_KINDS


def audit_annotations(skips: Mapping[str, str], kind: str) -> dict[str, str]:
    """``checkov.io/skipN: CHECK=reason`` for each check of ``skips`` that is about ``kind``,
    numbered in check order."""
    relevant = sorted((check, reason) for check, reason in skips.items() if applies(check, kind))
    return {f"checkov.io/skip{i}": f"{check}={reason}" for i, (check, reason) in enumerate(relevant, 1)}
