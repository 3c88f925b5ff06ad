"""The NetworkPolicy this library renders for a cdk8s-plus workload that one of its workloads
connects to: the cdk8s-plus pods then admit exactly the workloads that connect, on their port."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar, Protocol

import cdk8s

from ._charts import chart_info
from ._manifest import Lazy, ManifestConstruct, object_meta
from ._peers import KpTarget, pod_peer

__all__ = ["Caller", "KpAdmission", "admit"]


class Caller(Protocol):
    """What connects to a cdk8s-plus target: one of this library's workloads."""

    @property
    def selector(self) -> Mapping[str, str]:
        """The labels that select its pods."""

    @property
    def namespace(self) -> str | None:
        """Its namespace (None: the cluster's default)."""


class KpAdmission(ManifestConstruct):
    """A NetworkPolicy on the pods behind a cdk8s-plus Service or workload, admitting the pods of
    each of this library's workloads that connects to it, on the pods' ports (construct ID
    ``<the cdk8s-plus construct's ID>-admit`` in its chart; the policy ``<its name>-admit``)."""

    RENDERS: ClassVar[tuple[tuple[str, str], ...]] = (("networking.k8s.io/v1", "NetworkPolicy"),)

    def __init__(self, scope: Any, id: str, target: KpTarget) -> None:
        super().__init__(scope, id)
        self.target = target
        self.callers: list[Caller] = []
        meta = object_meta(f"{target.name}-admit", namespace=target.namespace)
        spec = {
            "podSelector": Lazy(lambda: {"matchLabels": target.pod_labels()}),
            "policyTypes": ["Ingress"],
            "ingress": Lazy(self._rules),
        }
        self._add("Resource", {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy", "metadata": meta, "spec": spec})

    def _rules(self) -> list[dict[str, Any]]:
        peers = [pod_peer(caller.selector, caller.namespace, self.target.namespace) for caller in self.callers]
        return [{"from": peers, "ports": self.target.pod_ports()}]


def admit(caller: Caller, target: KpTarget) -> KpAdmission:
    """Let ``caller``'s pods through the admission policy of ``target`` (made on first use)."""
    chart = cdk8s.Chart.of(target.target)
    registry: dict[str, KpAdmission] = chart_info(chart).registry.setdefault("kp-admissions", {})
    key = target.target.node.path
    admission = registry.get(key)
    if admission is None:
        admission = registry[key] = KpAdmission(chart, f"{target.id}-admit", target)
    if caller not in admission.callers:
        admission.callers.append(caller)
    return admission
