"""The reachability evaluator the contract tests lean on (tests/reachability.py) can say no."""

from __future__ import annotations

from typing import Any

from tests.reachability import KUBE_DNS, Pod, allowed, stranger
from tests.restricted import restricted_violations

A = Pod("a", "shop", {"app": "a"}, {"kubernetes.io/metadata.name": "shop"}, {"http": 8080})
B = Pod("b", "shop", {"app": "b"}, {"kubernetes.io/metadata.name": "shop"}, {"http": 8080})


def policy(selector: dict[str, str], **spec: Any) -> dict[str, Any]:
    return {
        "kind": "NetworkPolicy",
        "metadata": {"name": "p", "namespace": "shop"},
        "spec": {"podSelector": {"matchLabels": selector}, **spec},
    }


def test_unselected_pods_are_open_and_selected_ones_admit_only_their_peers_and_ports() -> None:
    assert allowed([], stranger("x"), B, 1)
    admit_a = policy(
        {"app": "b"},
        policyTypes=["Ingress"],
        ingress=[{"from": [{"podSelector": {"matchLabels": {"app": "a"}}}], "ports": [{"port": "http"}]}],
    )
    assert allowed([admit_a], A, B, 8080)
    assert not allowed([admit_a], A, B, 8081)
    assert not allowed([admit_a], stranger("shop"), B, 8080)
    other_namespace = Pod("a", "elsewhere", {"app": "a"}, {"kubernetes.io/metadata.name": "elsewhere"})
    assert not allowed([admit_a], other_namespace, B, 8080)  # a podSelector alone: the policy's namespace


def test_an_egress_policy_cuts_dns_unless_it_lets_it_out() -> None:
    https_only = policy({"app": "a"}, policyTypes=["Egress"], egress=[{"ports": [{"port": 443}]}])
    assert not allowed([https_only], A, KUBE_DNS, 53, "UDP")
    dns = {
        "to": [{"namespaceSelector": {}, "podSelector": {"matchLabels": {"k8s-app": "kube-dns"}}}],
        "ports": [{"port": 53, "protocol": "UDP"}],
    }
    with_dns = policy({"app": "a"}, policyTypes=["Egress"], egress=[{"ports": [{"port": 443}]}, dns])
    assert allowed([with_dns], A, KUBE_DNS, 53, "UDP")
    assert not allowed([with_dns], A, KUBE_DNS, 53, "TCP")


def test_the_restricted_reading_names_what_breaks_it() -> None:
    hardened = {
        "allowPrivilegeEscalation": False,
        "runAsNonRoot": True,
        "capabilities": {"drop": ["ALL"]},
        "seccompProfile": {"type": "RuntimeDefault"},
    }
    assert restricted_violations({"containers": [{"name": "c", "securityContext": hardened}]}) == []
    spec = {
        "initContainers": [{"name": "init"}],
        "containers": [{"name": "c", "securityContext": hardened}],
        "volumes": [{"name": "h", "hostPath": {"path": "/"}}],
    }
    problems = restricted_violations(spec)
    assert "init: allowPrivilegeEscalation is not false" in problems
    assert "volume h: ['hostPath']" in problems
    assert not [p for p in problems if p.startswith("c:")]
