"""Policy-scanner exceptions: a ``checkov.io/skipN: CHECK=reason`` annotation for each check an
object fails on purpose, on the objects the check is about and no other.

Most Kubernetes checks are about a pod's spec (its image, user, capabilities, probes, env): they
are annotated on workloads only. ``CKV_K8S_21`` (the default namespace) is about where an object
lives: it is annotated on every namespaced object. ``CKV_K8S_153`` and ``CKV_K8S_154`` (configuration
snippets) are about an Ingress's annotations: they are annotated on Ingresses.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from ._props import Term, Worded, literal
from ._reasons import reason_problems

__all__ = [
    "INGRESS_CHECKS",
    "OBJECT_CHECKS",
    "WORKLOAD_KINDS",
    "audit_annotation_problems",
    "audit_annotations",
    "object_audit_problems",
]

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


_SKIP_KEY = re.compile(r"(checkov|bridgecrew)\.io/skip", re.IGNORECASE)
_SKIP_VALUE = re.compile(r"\s*(?P<check>[A-Za-z_\d]+)\s*(?:=(?P<reason>.*))?", re.DOTALL)
_SKIP_COMMENT = re.compile(r"(checkov|bridgecrew):skip=\s*(?P<check>[A-Za-z_\d]+)(?::(?P<reason>[^\n]*))?", re.IGNORECASE)


def audit_annotation_problems(annotations: Mapping[str, Any]) -> list[str]:
    """The policy-scanner exceptions among ``annotations`` whose reason is none: a
    ``checkov.io/skipN`` (or ``bridgecrew.io/skipN``) annotation is ``CHECK=reason``, and a
    ``checkov:skip=CHECK:reason`` comment in any annotation carries its reason, each reason by the
    one rule of reasons (:func:`~._reasons.reason_problems`). The way out: ``audit_skips`` (the
    values file's ``auditSkips``) with the reason, which writes these annotations."""
    found = []
    for key, value in annotations.items():
        text = value if isinstance(value, str) else ""
        if _SKIP_KEY.search(str(key)):
            match = _SKIP_VALUE.fullmatch(text)
            if match is None:
                shown = text if len(text) <= 40 else text[:37] + "..."
                found.append(f"annotation {key}: {shown!r} is not CHECK=reason (such as CKV_K8S_8=why it does not apply)")
                continue
            reason = match["reason"]
            if reason is None:
                found.append(f"annotation {key}: {match['check']} is skipped without a reason; write {match['check']}=<reason>")
            else:
                found += [f"annotation {key}: the reason for {match['check']}: {p}" for p in reason_problems(reason)]
        for match in _SKIP_COMMENT.finditer(text):
            if match["reason"] is None:
                found.append(f"annotation {key}: {match['check']} is skipped without a reason; write {match.group(0)}:<reason>")
            else:
                found += [f"annotation {key}: the reason for {match['check']}: {p}" for p in reason_problems(match["reason"])]
    return [
        Worded(f"{literal(problem)}; or skip the check through {{0}}, whose reasons are checked", Term.prop("audit_skips"))
        for problem in found
    ]


def object_audit_problems(manifest: Mapping[str, Any]) -> list[str]:
    """:func:`audit_annotation_problems` of a rendered object: its annotations, and its pod
    template's (``(pod) key``) where it has one."""
    from ._pod_security import pod_template_of

    metadata = manifest.get("metadata")
    annotations = dict((metadata.get("annotations") if isinstance(metadata, Mapping) else None) or {})
    template = pod_template_of(manifest)
    if template is not None:
        annotations.update({f"(pod) {key}": value for key, value in template[0].items()})
    return audit_annotation_problems(annotations)
