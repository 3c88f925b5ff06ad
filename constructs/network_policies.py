"""DefaultDeny: the NetworkPolicy that closes the app's pods to everything not allowed explicitly.

Each service's own NetworkPolicy (rendered by its construct) then opens its port to the peers
its props allow. Policies only add up, so the result is exactly the union of those rules.
"""

from __future__ import annotations

from collections.abc import Mapping

from constructs import Construct
from constructs.manifest import Manifest, chart_namespace, object_meta

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
        self.policy = Manifest(
            self,
            "policy",
            {
                "apiVersion": "networking.k8s.io/v1",
                "kind": "NetworkPolicy",
                "metadata": object_meta(name, namespace=chart_namespace(scope), labels=labels, annotations=annotations),
                "spec": {
                    "podSelector": {"matchLabels": dict(pod_selector)},
                    "policyTypes": ["Ingress", "Egress"] if egress else ["Ingress"],
                },
            },
        )
