"""Who may connect to whom, whoever made them: this library's workloads, cdk8s-plus workloads and
Services, cdk8s-plus peers (``kp.Pods``, ``kp.Namespaces``, ``kp.NetworkPolicyIpBlock``), plain
pod labels and address blocks, all as NetworkPolicy peers.

cdk8s-plus is imported only when one of its objects is handed in: a chart without any never loads
it. What cdk8s-plus keeps to itself (the labels behind a ``kp.Pods``, the selector of a
``kp.Service``) is read back from what it renders, once, when the objects are rendered.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping
from typing import Any

__all__ = ["ADDRESS_LABEL", "KpTarget", "is_cdk8s_plus", "kp_peer", "names_pods", "namespace_peer", "pod_peer"]

ADDRESS_LABEL = "cdk8s.io/metadata.addr"
"""The label cdk8s-plus selects its workloads' pods by (``kp.Pod.ADDRESS_LABEL``)."""


def is_cdk8s_plus(obj: object) -> bool:
    """Whether ``obj`` is a cdk8s-plus object (of any Kubernetes version's package)."""
    return type(obj).__module__.split(".")[0].startswith("cdk8s_plus_")


def _plus(obj: object) -> Any:
    return sys.modules[type(obj).__module__.split(".")[0]]


def pod_peer(labels: Mapping[str, str], namespace: str | None, own_namespace: str | None) -> dict[str, Any]:
    """The peer of the pods labelled ``labels`` in ``namespace`` (seen from ``own_namespace``)."""
    peer: dict[str, Any] = {"podSelector": {"matchLabels": dict(labels)}}
    if namespace is not None and namespace != own_namespace:
        peer = {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": namespace}}, **peer}
    return peer


def namespace_peer(namespace: str) -> dict[str, Any]:
    """Every pod of ``namespace``."""
    return {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": namespace}}}


def names_pods(peer: Mapping[str, Any]) -> bool:
    """Whether a NetworkPolicy peer names pods: by their labels (a workload's, ``kp.Pods.select``)
    in its own namespace or in namespaces named one by one; rather than opening whole namespaces
    (a namespace selector alone, an empty pod selector), namespaces by a label anyone who may
    label a namespace can give (``namespaceSelector: {}``, ``{team: x}``), or address blocks
    (``ipBlock``: anything from outside the cluster)."""
    if "ipBlock" in peer:
        return False
    selector = peer.get("podSelector")
    if not (isinstance(selector, Mapping) and (selector.get("matchLabels") or selector.get("matchExpressions"))):
        return False
    namespaces = peer.get("namespaceSelector")
    if namespaces is None:
        return True
    labels = namespaces.get("matchLabels") or {}
    return not namespaces.get("matchExpressions") and list(labels) == ["kubernetes.io/metadata.name"]


def kp_workload_labels(workload: Any) -> dict[str, str]:
    """The labels cdk8s-plus selects a workload's pods by."""
    value = workload.pod_metadata.get_label(ADDRESS_LABEL)
    return {ADDRESS_LABEL: value}


def _chart_namespace(obj: Any) -> str | None:
    import cdk8s

    namespace: str | None = cdk8s.Chart.of(obj).namespace
    return namespace


def kp_peer(peer: Any, own_namespace: str | None) -> Callable[[], list[dict[str, Any]]]:
    """The NetworkPolicy peers of a cdk8s-plus object (a workload or pod, ``kp.Pods``,
    ``kp.Namespaces``, ``kp.NetworkPolicyIpBlock``), produced when rendered: cdk8s-plus renders
    its own peer into a throwaway NetworkPolicy of the same namespace, which is read back."""
    if hasattr(peer, "pod_metadata"):  # a workload or a pod: its pods' address label, without rendering anything
        labels = kp_workload_labels(peer)
        namespace = _chart_namespace(peer)
        return lambda: [pod_peer(labels, namespace, own_namespace)]
    if not hasattr(peer, "to_network_policy_peer_config"):
        raise TypeError(f"not a cdk8s-plus NetworkPolicy peer: {type(peer).__name__}")
    found: list[list[dict[str, Any]]] = []

    def produce() -> list[dict[str, Any]]:
        if not found:
            import cdk8s

            plus = _plus(peer)
            scratch = cdk8s.Chart(cdk8s.App(), "scratch", namespace=own_namespace)
            policy = plus.NetworkPolicy(scratch, "policy", selector=plus.Pods.all(scratch, "pods"))
            policy.add_ingress_rule(peer, [plus.NetworkPolicyPort.tcp(1)])
            rendered = cdk8s.ApiObject.of(policy).to_json()
            found.append(list(rendered["spec"]["ingress"][0]["from"]))
        return found[0]

    return produce


class KpTarget:
    """A cdk8s-plus Service or workload that one of ours connects to: its pods' labels and ports,
    its host and port (a Service only), read back from what cdk8s-plus renders."""

    def __init__(self, target: Any) -> None:
        self.target = target
        self.is_service = hasattr(target, "ports") and not hasattr(target, "pod_metadata")
        self.namespace = _chart_namespace(target)
        self.name: str = target.name
        self.id: str = target.node.id
        self._rendered: dict[str, Any] | None = None

    def _render(self) -> dict[str, Any]:
        import cdk8s

        return dict(cdk8s.ApiObject.of(self.target).to_json().get("spec") or {})

    def _spec(self) -> dict[str, Any]:
        if self._rendered is None:
            self._rendered = self._render()
        return self._rendered

    def problem(self) -> str | None:
        """Why one of ours cannot connect to it (None: it can): a Service with no port, one that
        selects no pods (ExternalName, no selector: its admission policy would select every pod of
        the namespace, and the destination is not those pods), a workload with no container port."""
        kind = type(self.target).__name__
        if not self.is_service:
            if self.pod_ports():
                return None
            return (
                f"the cdk8s-plus {kind} {self.id} has no container port to connect to; "
                "give its container port_number= (or connect to its Service)"
            )
        if not self.target.ports:
            return f"the cdk8s-plus Service {self.id} has no port; give it ports=[kp.ServicePort(port=...)]"
        spec = self._render()  # now, not cached: a selector may still be added
        if spec.get("type") == "ExternalName" or not spec.get("selector"):
            what = "an ExternalName Service" if spec.get("type") == "ExternalName" else "a Service without a selector"
            return (
                f"the cdk8s-plus Service {self.id} is {what}: it selects no pods to admit (a policy for it would "
                "select every pod of the namespace); reach a destination outside the cluster with "
                "egress=Egress(external=[Destination(cidrs=[...], ports=[...])]), or give the Service a selector"
            )
        return None

    @property
    def service_port(self) -> int:
        """The port the Service listens on (its first)."""
        port: int = self.target.port
        return port

    def host(self, from_namespace: str | None) -> str:
        """The Service's host name as pods of ``from_namespace`` reach it."""
        return self.name if self.namespace in (None, from_namespace) else f"{self.name}.{self.namespace}"

    def pod_labels(self) -> dict[str, str]:
        if not self.is_service:
            return kp_workload_labels(self.target)
        selector: dict[str, str] = dict(self._spec().get("selector") or {})
        if not selector:  # refused by connect(); never a policy on every pod
            raise ValueError(f"the cdk8s-plus Service {self.id} selects no pods")
        return selector

    def pod_ports(self) -> list[dict[str, Any]]:
        """The NetworkPolicy ports of the pods: each of a Service's target ports (a number or a
        container port's name), or each container port of the workload."""
        if self.is_service:
            ports = []
            for port in self._spec().get("ports") or []:
                target = port.get("targetPort", port.get("port"))
                ports.append({"protocol": port.get("protocol", "TCP"), "port": target})
            return ports
        found: list[dict[str, Any]] = []
        for container in self.target.containers:
            for port in container.ports:
                protocol = port.protocol.value if port.protocol is not None else "TCP"
                found.append({"protocol": protocol, "port": port.number})
        return found
