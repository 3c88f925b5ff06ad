"""DefaultDeny: the NetworkPolicy that closes the app's pods to everything not allowed explicitly.

Each service's own NetworkPolicy (rendered by its construct) then opens its port to the peers
its props allow. Policies only add up, so the result is exactly the union of those rules.
"""

from __future__ import annotations

from collections.abc import Mapping

from constructs import Construct
from imports import k8s

__all__ = ["DefaultDeny"]


class DefaultDeny(Construct):
    """Deny all ingress (and, with ``egress``, all egress) to the pods matching ``pod_selector``."""

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        name: str,
        pod_selector: Mapping[str, str],
        labels: Mapping[str, str],
        annotations: Mapping[str, str] | None = None,
        egress: bool = False,
    ) -> None:
        super().__init__(scope, id)
        self.policy = k8s.KubeNetworkPolicy(
            self,
            "policy",
            metadata=k8s.ObjectMeta(name=name, labels=dict(labels), annotations=dict(annotations or {}) or None),
            spec=k8s.NetworkPolicySpec(
                pod_selector=k8s.LabelSelector(match_labels=dict(pod_selector)),
                policy_types=["Ingress", "Egress"] if egress else ["Ingress"],
            ),
        )
