"""Workload, the base of every service construct: hardening, ServiceAccount, rollout, HPA, PDB,
NetworkPolicy. Rendered through ApiService/WebService, which add only defaults."""

from __future__ import annotations

from typing import Any

import cdk8s
import pytest
from pydantic import ValidationError

from constructs.api_service import ApiService
from constructs.values import ApiServiceProps, WebServiceProps
from constructs.web_service import WebService
from constructs.workload import EgressAccess, NetworkAccess, WorkloadContext, audit_annotations
from tests.helpers import by_kind, container, one

SELECTOR = {"app.kubernetes.io/name": "svc", "app.kubernetes.io/instance": "rel"}


def context(**overrides: Any) -> WorkloadContext:
    return WorkloadContext(**{"name": "svc", "component": "api", "labels": SELECTOR, "selector": SELECTOR, **overrides})


def api(chart: cdk8s.Chart, ctx: WorkloadContext | None = None, **props: Any) -> list[dict[str, Any]]:
    props.setdefault("image", {"repository": "svc", "tag": "1"})
    ApiService(chart, "api", props=ApiServiceProps.model_validate({"kind": "api", **props}), context=ctx or context())
    manifests: list[dict[str, Any]] = cdk8s.Testing.synth(chart)
    return manifests


def pod(manifests: list[dict[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = one(manifests, "Deployment")["spec"]["template"]["spec"]
    return result


def test_restricted_pod_security_by_default(chart: cdk8s.Chart) -> None:
    manifests = api(chart)
    spec = pod(manifests)
    assert spec["securityContext"] == {"runAsNonRoot": True, "seccompProfile": {"type": "RuntimeDefault"}}
    assert container(one(manifests, "Deployment"))["securityContext"] == {
        "allowPrivilegeEscalation": False,
        "capabilities": {"drop": ["ALL"]},
        "readOnlyRootFilesystem": True,
        "runAsNonRoot": True,
    }
    assert spec["automountServiceAccountToken"] is False
    assert spec["serviceAccountName"] == "svc"
    assert spec["terminationGracePeriodSeconds"] == 30


def test_one_service_account_without_token(chart: cdk8s.Chart) -> None:
    (account,) = by_kind(api(chart), "ServiceAccount")
    assert account["metadata"]["name"] == "svc"
    assert account["automountServiceAccountToken"] is False


@pytest.mark.parametrize(
    ("kind", "extra", "paths"),
    [
        ("api", {}, ["/tmp"]),
        ("web", {}, ["/tmp", "/app/.next/cache"]),
        ("web", {"server": "nginx"}, ["/tmp", "/var/cache/nginx", "/var/run"]),
        ("web", {"writablePaths": ["/data"]}, ["/data"]),
    ],
)
def test_writable_empty_dirs_per_kind(chart: cdk8s.Chart, kind: str, extra: dict[str, Any], paths: list[str]) -> None:
    props: dict[str, Any] = {"kind": kind, "image": {"repository": "svc", "tag": "1"}, **extra}
    construct = WebService if kind == "web" else ApiService
    model = WebServiceProps if kind == "web" else ApiServiceProps
    construct(chart, "svc", props=model.model_validate(props), context=context())  # type: ignore[arg-type]
    manifests = cdk8s.Testing.synth(chart)
    mounts = container(one(manifests, "Deployment"))["volumeMounts"]
    assert [m["mountPath"] for m in mounts] == paths
    volumes = {v["name"]: v for v in pod(manifests)["volumes"]}
    assert all(volumes[m["name"]] == {"name": m["name"], "emptyDir": {}} for m in mounts)


def test_relaxing_one_service(chart: cdk8s.Chart) -> None:
    manifests = api(
        chart,
        securityContext={
            "runAsNonRoot": False,
            "readOnlyRootFilesystem": False,
            "capabilities": {"drop": ["ALL"], "add": ["NET_BIND_SERVICE"]},
        },
    )
    app = container(one(manifests, "Deployment"))
    assert app["securityContext"]["capabilities"] == {"add": ["NET_BIND_SERVICE"], "drop": ["ALL"]}
    assert app["securityContext"]["readOnlyRootFilesystem"] is False
    assert "volumeMounts" not in app
    assert pod(manifests)["securityContext"]["runAsNonRoot"] is False


def test_rolling_update_never_drops_below_the_desired_count(chart: cdk8s.Chart) -> None:
    strategy = one(api(chart), "Deployment")["spec"]["strategy"]
    assert strategy == {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 0, "maxSurge": 1}}


def test_pod_and_object_annotations(chart: cdk8s.Chart) -> None:
    ctx = context(pod_annotations={"checksum/config": "abc"}, annotations=audit_annotations({"CKV_K8S_15": "local images"}))
    manifests = api(chart, ctx)
    deployment = one(manifests, "Deployment")
    assert deployment["spec"]["template"]["metadata"]["annotations"] == {"checksum/config": "abc"}
    for manifest in manifests:
        assert manifest["metadata"]["annotations"] == {"checkov.io/skip1": "CKV_K8S_15=local images"}


def test_autoscaler_owns_the_replica_count(chart: cdk8s.Chart) -> None:
    manifests = api(chart, autoscaling={"minReplicas": 2, "maxReplicas": 10, "targetCpuUtilization": 70})
    assert "replicas" not in one(manifests, "Deployment")["spec"]
    hpa = one(manifests, "HorizontalPodAutoscaler", "svc")
    assert hpa["apiVersion"] == "autoscaling/v2"
    assert hpa["spec"] == {
        "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "svc"},
        "minReplicas": 2,
        "maxReplicas": 10,
        "metrics": [
            {"type": "Resource", "resource": {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": 70}}}
        ],
    }


def test_replicas_and_autoscaling_are_exclusive() -> None:
    with pytest.raises(ValidationError, match="set either replicas or autoscaling"):
        ApiServiceProps.model_validate(
            {"kind": "api", "image": {"repository": "a", "tag": "1"}, "replicas": 2, "autoscaling": {"maxReplicas": 3}}
        )
    with pytest.raises(ValidationError, match="5 exceeds maxReplicas 3"):
        ApiServiceProps.model_validate(
            {"kind": "api", "image": {"repository": "a", "tag": "1"}, "autoscaling": {"minReplicas": 5, "maxReplicas": 3}}
        )


@pytest.mark.parametrize(
    ("props", "expected"),
    [
        ({}, False),
        ({"replicas": 2}, True),
        ({"autoscaling": {"maxReplicas": 4}}, True),
        ({"replicas": 3, "podDisruptionBudget": False}, False),
    ],
)
def test_disruption_budget_when_more_than_one_pod(chart: cdk8s.Chart, props: dict[str, Any], expected: bool) -> None:
    budgets = by_kind(api(chart, **props), "PodDisruptionBudget")
    if not expected:
        assert budgets == []
        return
    (budget,) = budgets
    assert budget["apiVersion"] == "policy/v1"
    assert budget["spec"] == {"maxUnavailable": 1, "selector": {"matchLabels": SELECTOR}}


def test_network_policy_from_listed_pods_and_namespaces(chart: cdk8s.Chart) -> None:
    access = NetworkAccess(from_pods=[{"app": "web"}], from_namespaces=["ingress-nginx"])
    policy = one(api(chart, context(network=access)), "NetworkPolicy")
    assert policy["spec"] == {
        "podSelector": {"matchLabels": SELECTOR},
        "policyTypes": ["Ingress"],
        "ingress": [
            {
                "from": [
                    {"podSelector": {"matchLabels": {"app": "web"}}},
                    {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "ingress-nginx"}}},
                ],
                "ports": [{"port": 8000, "protocol": "TCP"}],
            }
        ],
    }


def test_network_policy_from_anywhere_and_nobody(chart: cdk8s.Chart) -> None:
    policy = one(api(chart, context(network=NetworkAccess(from_anywhere=True))), "NetworkPolicy")
    assert policy["spec"]["ingress"] == [{"ports": [{"port": 8000, "protocol": "TCP"}]}]


def test_network_policy_that_admits_nobody() -> None:
    chart = cdk8s.Chart(cdk8s.Testing.app(), "c", disable_resource_name_hashes=True)
    policy = one(api(chart, context(network=NetworkAccess())), "NetworkPolicy")
    assert policy["spec"]["ingress"] == []


def test_egress_rules(chart: cdk8s.Chart) -> None:
    access = NetworkAccess(egress=EgressAccess(to_pods=[({"app": "mcp"}, 8001)], external_ports=[443, 5432]))
    spec = one(api(chart, context(network=access)), "NetworkPolicy")["spec"]
    assert spec["policyTypes"] == ["Ingress", "Egress"]
    dns, mcp, external = spec["egress"]
    assert dns["ports"] == [{"port": 53, "protocol": "UDP"}, {"port": 53, "protocol": "TCP"}]
    assert dns["to"][0]["podSelector"] == {"matchLabels": {"k8s-app": "kube-dns"}}
    assert mcp == {"to": [{"podSelector": {"matchLabels": {"app": "mcp"}}}], "ports": [{"port": 8001, "protocol": "TCP"}]}
    assert external == {
        "to": [{"ipBlock": {"cidr": "0.0.0.0/0"}}],
        "ports": [{"port": 443, "protocol": "TCP"}, {"port": 5432, "protocol": "TCP"}],
    }


def test_no_network_policy_without_access(chart: cdk8s.Chart) -> None:
    assert by_kind(api(chart), "NetworkPolicy") == []
