"""Who may reach whom, read off rendered NetworkPolicies as the Kubernetes network model defines
it: a connection from pod A to pod B on a port is allowed when B is selected by no policy of type
Ingress or one of those admits A on that port, and A is selected by no policy of type Egress or one
of those lets it out to B on that port. Pods are the pod templates of the workloads rendered (plus
any extra pods a test names, kube-dns for one); the evaluator knows matchLabels, matchExpressions,
namespace selectors, ipBlocks with their ``except`` (matched against an endpoint's address: a pod's
when a test gives it one, an address outside the cluster's), named ports, port ranges and
protocols. An address outside the cluster (:func:`external`) is in no namespace: no policy selects
it, and only an ipBlock matches it. The tests use it to check that the policies allow exactly the
connections made in code.

Written apart from the library's policy code: it reads the rendered objects only, as the API
server's NetworkPolicy semantics define them, and imports nothing of ``constructs``."""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

POD_TEMPLATE_PATHS = {
    "Deployment": ("spec", "template"),
    "StatefulSet": ("spec", "template"),
    "DaemonSet": ("spec", "template"),
    "Job": ("spec", "template"),
    "CronJob": ("spec", "jobTemplate", "spec", "template"),
    "Pod": (),
}


@dataclass(frozen=True)
class Pod:
    """A pod as the network sees it: its namespace (and that namespace's labels), its labels and
    its named container ports."""

    name: str
    namespace: str | None
    labels: Mapping[str, str]
    namespace_labels: Mapping[str, str] = field(default_factory=dict)
    named_ports: Mapping[str, int] = field(default_factory=dict)
    ip: str | None = None
    """Its address, when known (a pod's is not, offline: no ipBlock then matches it)."""


def external(name: str, ip: str) -> Pod:
    """An address outside the cluster: in no namespace, with no labels."""
    return Pod(name, None, {}, {}, {}, ip)


def pod_template(manifest: Mapping[str, Any]) -> Mapping[str, Any] | None:
    path = POD_TEMPLATE_PATHS.get(manifest.get("kind", ""))
    if path is None:
        return None
    node: Any = manifest
    for key in path:
        node = node[key]
    return node  # type: ignore[no-any-return]


def pods_of(
    manifests: Iterable[Mapping[str, Any]], default_namespace: str = "default", pod_network: str | None = None
) -> dict[str, Pod]:
    """One Pod per workload, by the workload's name; with ``pod_network`` (a CIDR), each has an
    address of it, in order."""
    pods: dict[str, Pod] = {}
    addresses = ipaddress.ip_network(pod_network).hosts() if pod_network else None
    for manifest in manifests:
        template = pod_template(manifest)
        if template is None:
            continue
        namespace = manifest["metadata"].get("namespace", default_namespace)
        named = {
            port["name"]: port["containerPort"]
            for container in template["spec"]["containers"]
            for port in container.get("ports", [])
            if "name" in port
        }
        name = manifest["metadata"]["name"]
        pods[name] = Pod(
            name,
            namespace,
            template["metadata"].get("labels", {}),
            {"kubernetes.io/metadata.name": namespace},
            named,
            str(next(addresses)) if addresses is not None else None,
        )
    return pods


def _selects(selector: Mapping[str, Any] | None, labels: Mapping[str, str]) -> bool:
    if selector is None:
        return True
    for key, value in selector.get("matchLabels", {}).items():
        if labels.get(key) != value:
            return False
    for expression in selector.get("matchExpressions", []):
        key, operator, values = expression["key"], expression["operator"], expression.get("values", [])
        if operator == "In" and labels.get(key) not in values:
            return False
        if operator == "NotIn" and labels.get(key) in values:
            return False
        if operator == "Exists" and key not in labels:
            return False
        if operator == "DoesNotExist" and key in labels:
            return False
    return True


def _in_block(block: Mapping[str, Any], ip: str | None) -> bool:
    if ip is None:
        return False
    address = ipaddress.ip_address(ip)
    network = ipaddress.ip_network(block["cidr"], strict=False)
    if address.version != network.version or address not in network:
        return False
    return not any(address in ipaddress.ip_network(cut, strict=False) for cut in block.get("except", []))


def _peer_matches(peer: Mapping[str, Any], policy_namespace: str, pod: Pod) -> bool:
    if "ipBlock" in peer:
        return _in_block(peer["ipBlock"], pod.ip)
    if pod.namespace is None:  # outside the cluster: only an ipBlock matches it
        return False
    pod_selector, namespace_selector = peer.get("podSelector"), peer.get("namespaceSelector")
    if namespace_selector is None:
        in_namespace = pod.namespace == policy_namespace
    else:
        in_namespace = _selects(namespace_selector, pod.namespace_labels)
    return in_namespace and _selects(pod_selector, pod.labels)


def _port_matches(ports: list[Mapping[str, Any]] | None, target: Pod, port: int, protocol: str) -> bool:
    if not ports:
        return True  # every port, every protocol
    for rule in ports:
        if rule.get("protocol", "TCP") != protocol:
            continue
        wanted = rule.get("port")
        if wanted is None:
            return True
        number = target.named_ports.get(wanted) if isinstance(wanted, str) else wanted
        end = rule.get("endPort", number)
        if number is not None and number <= port <= end:
            return True
    return False


def _rules_allow(
    policies: list[Mapping[str, Any]],
    direction: str,
    subject: Pod,
    other: Pod,
    port: int,
    protocol: str,
) -> bool:
    """Whether the policies of one direction that select `subject` let the connection through."""
    key, peers_key = ("ingress", "from") if direction == "Ingress" else ("egress", "to")
    target = subject if direction == "Ingress" else other
    if subject.namespace is None:  # outside the cluster: no policy selects it
        return True
    selecting = [
        policy
        for policy in policies
        if direction in _types(policy)
        and policy["metadata"].get("namespace", subject.namespace) == subject.namespace
        and _selects(policy["spec"].get("podSelector", {}), subject.labels)
    ]
    if not selecting:
        return True
    for policy in selecting:
        namespace = policy["metadata"].get("namespace", subject.namespace)
        for rule in policy["spec"].get(key, []) or []:
            peers = rule.get(peers_key)
            peer_ok = not peers or any(_peer_matches(peer, namespace, other) for peer in peers)
            if peer_ok and _port_matches(rule.get("ports"), target, port, protocol):
                return True
    return False


def _types(policy: Mapping[str, Any]) -> list[str]:
    spec = policy["spec"]
    types: list[str] | None = spec.get("policyTypes")
    if types is not None:
        return types
    return ["Ingress", "Egress"] if "egress" in spec else ["Ingress"]


def allowed(
    manifests: Iterable[Mapping[str, Any]],
    source: Pod,
    destination: Pod,
    port: int,
    protocol: str = "TCP",
) -> bool:
    policies = [m for m in manifests if m.get("kind") == "NetworkPolicy"]
    return _rules_allow(policies, "Egress", source, destination, port, protocol) and _rules_allow(
        policies, "Ingress", destination, source, port, protocol
    )


KUBE_DNS = Pod(
    "kube-dns",
    "kube-system",
    {"k8s-app": "kube-dns"},
    {"kubernetes.io/metadata.name": "kube-system"},
)


def stranger(namespace: str) -> Pod:
    """Any other pod of a namespace: one no policy was written for."""
    return Pod("stranger", namespace, {"run": "stranger"}, {"kubernetes.io/metadata.name": namespace})


Connection = tuple[str, str, int, str]
"""(source, destination, port, protocol), by endpoint name."""


def reachable(
    manifests: Iterable[Mapping[str, Any]], endpoints: Iterable[Pod], ports: Iterable[tuple[int, str]]
) -> set[Connection]:
    """Every connection between two of ``endpoints`` on one of ``ports`` that the NetworkPolicies
    among ``manifests`` let through."""
    policies = [m for m in manifests if m.get("kind") == "NetworkPolicy"]
    everyone, wanted = list(endpoints), list(ports)
    return {
        (source.name, destination.name, port, protocol)
        for source in everyone
        for destination in everyone
        if source is not destination
        for port, protocol in wanted
        if _rules_allow(policies, "Egress", source, destination, port, protocol)
        and _rules_allow(policies, "Ingress", destination, source, port, protocol)
    }
