"""Workload, the base of every service construct: hardening, ServiceAccount, rollout, HPA, PDB,
NetworkPolicy, env, connections. Rendered through ApiService and WebService, which add defaults."""

from __future__ import annotations

import dataclasses
from typing import Any

import cdk8s
import pytest

from tests.helpers import by_kind, container, one
from webapp_constructs._api_service import ApiService
from webapp_constructs._app_config import AppConfig
from webapp_constructs._app_secret import AppSecret
from webapp_constructs._pod_props import Autoscaling, Capabilities, DnsPeer, Egress, ResourceAmounts, Resources, Security
from webapp_constructs._props import PropsError
from webapp_constructs._web_service import WebService

SELECTOR = {"app.kubernetes.io/name": "svc", "app.kubernetes.io/instance": "test"}


def api(chart: cdk8s.Chart, **props: Any) -> list[dict[str, Any]]:
    props.setdefault("image", "svc:1")
    ApiService(chart, "svc", **props)
    manifests: list[dict[str, Any]] = cdk8s.Testing.synth(chart)
    return manifests


def pod(manifests: list[dict[str, Any]]) -> dict[str, Any]:
    result: dict[str, Any] = one(manifests, "Deployment")["spec"]["template"]["spec"]
    return result


def test_restricted_pod_security_by_default(chart: cdk8s.Chart) -> None:
    manifests = api(chart)
    spec = pod(manifests)
    assert spec["securityContext"] == {
        "runAsNonRoot": True,
        "runAsUser": 10001,  # numeric: the kubelet verifies it is not root whatever USER the image names
        "runAsGroup": 10001,
        "seccompProfile": {"type": "RuntimeDefault"},
    }
    assert container(one(manifests, "Deployment"))["securityContext"] == {
        "allowPrivilegeEscalation": False,
        "capabilities": {"drop": ["ALL"]},
        "readOnlyRootFilesystem": True,
        "runAsNonRoot": True,
    }
    assert spec["automountServiceAccountToken"] is False
    assert spec["serviceAccountName"] == "svc"
    assert spec["terminationGracePeriodSeconds"] == 30


def test_objects_in_order_named_after_the_construct(chart: cdk8s.Chart) -> None:
    manifests = api(chart)
    assert [(m["kind"], m["metadata"]["name"]) for m in manifests] == [
        ("ServiceAccount", "svc"),
        ("Service", "svc"),
        ("Deployment", "svc"),
        ("NetworkPolicy", "svc"),
    ]
    assert one(manifests, "ServiceAccount")["automountServiceAccountToken"] is False


def test_recommended_labels_and_a_selector_of_name_and_instance(chart: cdk8s.Chart) -> None:
    deployment = one(api(chart, image="registry.example.com/svc:2.1.0"), "Deployment")
    assert deployment["metadata"]["labels"] == {
        "app.kubernetes.io/component": "svc",
        "app.kubernetes.io/instance": "test",
        "app.kubernetes.io/managed-by": "cdk8s",
        "app.kubernetes.io/name": "svc",
        "app.kubernetes.io/part-of": "test",
        "app.kubernetes.io/version": "2.1.0",
    }
    assert deployment["spec"]["selector"] == {"matchLabels": SELECTOR}
    assert deployment["spec"]["template"]["metadata"]["labels"] == deployment["metadata"]["labels"]


def test_labels_are_overridable(chart: cdk8s.Chart) -> None:
    deployment = one(
        api(chart, name="shop-api", instance="shop", part_of="store", version="9", component="backend", labels={"team": "a"}),
        "Deployment",
    )
    assert deployment["metadata"]["labels"] == {
        "app.kubernetes.io/component": "backend",
        "app.kubernetes.io/instance": "shop",
        "app.kubernetes.io/managed-by": "cdk8s",
        "app.kubernetes.io/name": "shop-api",
        "app.kubernetes.io/part-of": "store",
        "app.kubernetes.io/version": "9",
        "team": "a",
    }
    assert container(deployment)["name"] == "backend"


@pytest.mark.parametrize(
    ("construct", "extra", "paths"),
    [
        (ApiService, {}, ["/tmp"]),
        (WebService, {}, ["/tmp"]),
        (WebService, {"app_dir": "/app"}, ["/tmp", "/app/.next/cache", "/app/.next/server"]),
        (WebService, {"server": "nginx"}, ["/tmp", "/var/cache/nginx", "/var/run"]),
        (WebService, {"writable_paths": ["/data"]}, ["/data"]),
    ],
)
def test_writable_empty_dirs_per_kind(
    chart: cdk8s.Chart, construct: type[ApiService], extra: dict[str, Any], paths: list[str]
) -> None:
    construct(chart, "svc", image="svc:1", **extra)
    manifests = cdk8s.Testing.synth(chart)
    mounts = container(one(manifests, "Deployment"))["volumeMounts"]
    assert [m["mountPath"] for m in mounts] == paths
    volumes = {v["name"]: v for v in pod(manifests)["volumes"]}
    assert all(volumes[m["name"]] == {"name": m["name"], "emptyDir": {}} for m in mounts)


@pytest.mark.parametrize("path", ["/", "/usr", "/etc", "/bin", "/sbin", "/lib", "/var", "/etc/"])
def test_an_empty_dir_that_would_hide_the_image_is_refused(chart: cdk8s.Chart, path: str) -> None:
    with pytest.raises(PropsError, match=rf"writable_paths\[0\]: {path} would hide the image's own files"):
        ApiService(chart, "svc", image="svc:1", writable_paths=["/tmp", path][1:])


def test_relaxing_one_service_needs_its_reason(chart: cdk8s.Chart) -> None:
    relaxed = Security(
        run_as_non_root=False, read_only_root_filesystem=False, capabilities=Capabilities(add=["NET_BIND_SERVICE", "CHOWN"])
    )
    with pytest.raises(PropsError) as error:
        ApiService(chart, "svc", image="svc:1", security=relaxed)
    assert str(error.value).splitlines() == [
        "ApiService 'svc': security.run_as_non_root: run_as_non_root=False lets the container run as root, below the Pod "
        "Security Standard 'restricted'; give its reason in reasons['run_as_non_root']",
        "ApiService 'svc': security.capabilities: capabilities.add ['CHOWN'] goes beyond NET_BIND_SERVICE, below the Pod "
        "Security Standard 'restricted'; give its reason in reasons['capabilities.add']",
        "ApiService 'svc': security.read_only_root_filesystem: read_only_root_filesystem=False lets the process change the "
        "image's own files, weaker than the default; give its reason in reasons['read_only_root_filesystem']",
    ]
    reasons = {
        "run_as_non_root": "nginx must start as root",
        "capabilities.add": "nginx must chown its cache",
        "read_only_root_filesystem": "nginx writes its pid file next to its binary",
    }
    manifests = api(chart, security=dataclasses.replace(relaxed, reasons=reasons))
    deployment = one(manifests, "Deployment")
    app = container(deployment)
    assert app["securityContext"]["capabilities"] == {"add": ["NET_BIND_SERVICE", "CHOWN"], "drop": ["ALL"]}
    assert app["securityContext"]["readOnlyRootFilesystem"] is False
    assert "volumeMounts" not in app
    assert pod(manifests)["securityContext"]["runAsNonRoot"] is False
    # Each reason is the policy scanner's too: no checkov ID needed in Python.
    assert deployment["metadata"]["annotations"] == {
        "checkov.io/skip1": "CKV_K8S_22=nginx writes its pid file next to its binary",
        "checkov.io/skip2": "CKV_K8S_23=nginx must start as root",
        "checkov.io/skip3": "CKV_K8S_25=nginx must chown its cache",
    }


def test_a_reason_for_what_is_not_relaxed_is_refused() -> None:
    with pytest.raises(PropsError, match=r"reasons\.run_as_non_root: 'run_as_non_root' is not relaxed here"):
        Security(reasons={"run_as_non_root": "just in case it is"})


def test_net_bind_service_and_a_writable_root_stay_within_restricted(chart: cdk8s.Chart) -> None:
    service = ApiService(
        chart,
        "svc",
        image="svc:1",
        security=Security(
            read_only_root_filesystem=False,
            capabilities=Capabilities(add=["NET_BIND_SERVICE"]),
            reasons={"read_only_root_filesystem": "the image writes beside its binary"},
        ),
    )
    assert service.pod_security_level == "restricted"


def test_a_writable_root_filesystem_needs_its_reason_too(chart: cdk8s.Chart) -> None:
    # Issue 20, item 4: restricted allows it, but it is a relaxation like any other (checkov CKV_K8S_22).
    with pytest.raises(
        PropsError, match=r"security\.read_only_root_filesystem: .* give its reason in reasons\['read_only_root_filesystem'\]"
    ):
        ApiService(chart, "svc", image="svc:1", security=Security(read_only_root_filesystem=False))


INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad\u202e\u0000\u3164\u2800\ufe0f"))
"""What the test cases below use that shows nothing (written out, apart from the library's rule)."""


@pytest.mark.parametrize(
    ("reason", "accepted"),
    [
        ("x" * 10, True),
        ("x" * 9, False),
        (" " * 15, False),
        ("a b c d e f g h i", False),  # 9 non-blank characters, 17 in all
        ("a b c d e f g h i j", True),
        ("\t\n" * 8 + "123456789", False),
        # Issue 28, item 8: zero-width and other invisible characters do not count either.
        ("\u200b" * 11, False),
        ("\u200b\u200c\u200d\u2060\ufeff\u00ad\u202e\u0000\u3164\u2800\ufe0f" + "123456789", False),
        ("\u200b" * 11 + "0123456789", True),
        ("пояснення ", False),  # 9 letters of any script
        ("пояснення!", True),
    ],
)
def test_a_reason_has_ten_visible_characters(chart: cdk8s.Chart, reason: str, accepted: bool) -> None:
    # Issue 20, item 5: a reason of 15 spaces is no reason.
    if accepted:
        ApiService(chart, "svc", image="svc:1", security=Security(run_as_non_root=False, reasons={"run_as_non_root": reason}))
        ApiService(chart, "other", image="svc:1", audit_skips={"CKV_K8S_15": reason})
        return
    with pytest.raises(PropsError) as error:
        Security(run_as_non_root=False, reasons={"run_as_non_root": reason})
    visible = len("".join(reason.translate(INVISIBLE).split()))
    assert f"reasons.run_as_non_root: {reason!r} has {visible} visible characters; a reason has at least 10" in str(error.value)
    with pytest.raises(PropsError, match=f"audit_skips.CKV_K8S_15: .* has {visible} visible characters"):
        ApiService(chart, "svc", image="svc:1", audit_skips={"CKV_K8S_15": reason})


def test_pod_security_level(chart: cdk8s.Chart) -> None:
    nginx = ApiService(
        chart, "a", image="a:1", security=Security(run_as_non_root=False, reasons={"run_as_non_root": "starts as root"})
    )
    admin = ApiService(
        chart,
        "b",
        image="b:1",
        security=Security(capabilities=Capabilities(add=["SYS_ADMIN"]), reasons={"capabilities.add": "it mounts file systems"}),
    )
    assert nginx.pod_security_level == "baseline"
    assert nginx.pod_security_exceptions() == {
        "CKV_K8S_23": "run_as_non_root=False lets the container run as root (starts as root)"
    }
    assert admin.pod_security_level == "privileged"


def test_rolling_update_never_drops_below_the_desired_count(chart: cdk8s.Chart) -> None:
    strategy = one(api(chart), "Deployment")["spec"]["strategy"]
    assert strategy == {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 0, "maxSurge": 1}}


def test_audit_skips_go_only_on_the_objects_they_are_about(chart: cdk8s.Chart) -> None:
    manifests = api(chart, audit_skips={"CKV_K8S_15": "local images", "CKV_K8S_21": "the default namespace"})
    for manifest in manifests:
        expected = {"checkov.io/skip1": "CKV_K8S_21=the default namespace"}
        if manifest["kind"] == "Deployment":
            expected = {"checkov.io/skip1": "CKV_K8S_15=local images", "checkov.io/skip2": "CKV_K8S_21=the default namespace"}
        assert manifest["metadata"]["annotations"] == expected, manifest["kind"]


def test_resources_are_rendered_as_the_api_server_stores_them(chart: cdk8s.Chart) -> None:
    resources = Resources(
        requests=ResourceAmounts(cpu="0.5", memory="1048576Ki"), limits=ResourceAmounts(cpu="1000m", memory="2000Mi")
    )
    assert container(one(api(chart, resources=resources), "Deployment"))["resources"] == {
        "requests": {"cpu": "500m", "memory": "1Gi"},
        "limits": {"cpu": "1", "memory": "2000Mi"},
    }


def test_autoscaler_owns_the_replica_count(chart: cdk8s.Chart) -> None:
    manifests = api(chart, autoscaling=Autoscaling(min_replicas=2, max_replicas=10, target_cpu_utilization=70))
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


def test_invalid_props_list_every_problem_with_field_value_and_range(chart: cdk8s.Chart) -> None:
    with pytest.raises(PropsError) as error:
        ApiService(chart, "svc", image="svc", port=70000, replicas=-1, node_port=80, autoscaling=Autoscaling(max_replicas=3))
    assert str(error.value).splitlines() == [
        "ApiService 'svc': image: 'svc' has no tag or digest: an image without one silently means 'latest'",
        "ApiService 'svc': replicas: -1 is not a valid replica count (0-1000)",
        "ApiService 'svc': port: 70000 is not a valid port (1-65535)",
        "ApiService 'svc': node_port: 80 is not a valid node port (30000-32767)",
    ]
    with pytest.raises(PropsError, match="set either replicas or autoscaling"):
        ApiService(chart, "a", image="a:1", replicas=2, autoscaling=Autoscaling(max_replicas=3))
    with pytest.raises(PropsError, match="5 exceeds max_replicas 3"):
        Autoscaling(min_replicas=5, max_replicas=3)
    with pytest.raises(PropsError, match=r"unknown prop for ApiService"):
        ApiService(chart, "b", image="b:1", replica=2)  # type: ignore[call-arg]
    with pytest.raises(PropsError, match=r"replicas: '2' is a string, expected integer"):
        ApiService(chart, "c", image="c:1", replicas="2")  # type: ignore[arg-type]
    assert cdk8s.Testing.synth(chart) == []


def test_node_port_needs_a_node_port_service(chart: cdk8s.Chart) -> None:
    with pytest.raises(PropsError, match=r"node_port: 30100 needs service_type NodePort or LoadBalancer, not ClusterIP"):
        ApiService(chart, "svc", image="svc:1", node_port=30100)


@pytest.mark.parametrize(
    ("props", "expected"),
    [
        ({}, False),
        ({"replicas": 2}, True),
        ({"autoscaling": Autoscaling(max_replicas=4)}, True),
        ({"replicas": 3, "pod_disruption_budget": False}, False),
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


def test_the_objects_are_properties(chart: cdk8s.Chart) -> None:
    service = ApiService(chart, "svc", image="svc:1", replicas=2, network_policy=False)
    assert [service.service_account.kind, service.service.kind, service.deployment.kind] == [
        "ServiceAccount",
        "Service",
        "Deployment",
    ]
    assert service.pdb is not None
    assert service.pdb.kind == "PodDisruptionBudget"
    assert service.hpa is None
    assert service.network_policy is None
    assert service.deployment.name == "svc"
    assert cdk8s.ApiObject.of(service) is service.deployment


def test_env_literal_from_config_maps_and_secrets(chart: cdk8s.Chart) -> None:
    config = AppConfig(chart, "config", name="shop-config", data={"LOG_LEVEL": "INFO"})
    secret = AppSecret(chart, "secret", name="shop-secrets", data={"DATABASE_URL": "postgres://fake"})
    service = ApiService(chart, "svc", image="svc:1", env={"MODE": "api"})
    service.env_from_config_map(config, ["LOG_LEVEL"])
    service.env_from_secret(secret, ["DATABASE_URL"])
    service.env_from_secret("external-secrets", ["OPENAI_API_KEY"])
    env = container(one(cdk8s.Testing.synth(chart), "Deployment"))["env"]
    assert env == [
        {"name": "MODE", "value": "api"},
        {"name": "LOG_LEVEL", "valueFrom": {"configMapKeyRef": {"key": "LOG_LEVEL", "name": "shop-config"}}},
        {"name": "DATABASE_URL", "valueFrom": {"secretKeyRef": {"key": "DATABASE_URL", "name": "shop-secrets"}}},
        {"name": "OPENAI_API_KEY", "valueFrom": {"secretKeyRef": {"key": "OPENAI_API_KEY", "name": "external-secrets"}}},
    ]
    missing = r"keys\[0\]: ConfigMap shop-config has no key 'LEVEL'; did you mean 'LOG_LEVEL'\? \(it has LOG_LEVEL\)"
    with pytest.raises(PropsError, match=missing):
        service.env_from_config_map(config, ["LEVEL"])
    with pytest.raises(PropsError, match=r"env.MODE: MODE is already set"):
        service.add_env("MODE", "worker")


def checksum(chart: cdk8s.Chart) -> str:
    value: str = one(cdk8s.Testing.synth(chart), "Deployment")["spec"]["template"]["metadata"]["annotations"]["checksum/config"]
    return value


def test_a_changed_config_value_rolls_the_pods_and_a_secret_value_changes_nothing_outside_the_secret() -> None:
    rendered = {}
    for level, password in (("INFO", "a"), ("DEBUG", "a"), ("INFO", "b")):
        chart = cdk8s.Chart(cdk8s.Testing.app(), "test", namespace="test")
        service = ApiService(chart, "svc", image="svc:1")
        service.env_from_config_map(AppConfig(chart, "config", data={"LOG_LEVEL": level}), ["LOG_LEVEL"])
        service.env_from_secret(AppSecret(chart, "secret", data={"PASSWORD": password}), ["PASSWORD"])
        rendered[(level, password)] = [m for m in cdk8s.Testing.synth(chart) if m["kind"] != "Secret"]
        assert service.secrets_read == ["secret"]
    assert rendered[("INFO", "a")] != rendered[("DEBUG", "a")]  # the checksum rolls the pods
    assert rendered[("INFO", "a")] == rendered[("INFO", "b")]  # no byte outside the Secret follows its value
    sums = {checksum_of(manifests) for manifests in rendered.values()}
    assert len(sums) == 2
    assert all(len(s) == 64 for s in sums)


def checksum_of(manifests: list[dict[str, Any]]) -> str:
    value: str = one(manifests, "Deployment")["spec"]["template"]["metadata"]["annotations"]["checksum/config"]
    return value


def test_no_checksum_for_secrets_alone(chart: cdk8s.Chart) -> None:
    service = ApiService(chart, "svc", image="svc:1")
    service.env_from_secret(AppSecret(chart, "secret", data={"PASSWORD": "a"}), ["PASSWORD"])
    assert "annotations" not in one(cdk8s.Testing.synth(chart), "Deployment")["spec"]["template"]["metadata"]


def test_reloader_names_every_secret_the_pods_read(chart: cdk8s.Chart) -> None:
    service = ApiService(chart, "svc", image="svc:1", reloader=True)
    service.env_from_secret(AppSecret(chart, "one", data={"A": "a"}), ["A"])
    service.env_from_secret("two", ["B"])
    service.env_from_secret("one", ["C"])
    service.deployment.metadata.add_annotation("example.com/owner", "team-a")
    annotations = one(cdk8s.Testing.synth(chart), "Deployment")["metadata"]["annotations"]
    assert annotations == {"secret.reloader.stakater.com/reload": "one,two", "example.com/owner": "team-a"}


def test_no_reloader_annotation_without_a_secret_or_unless_asked(chart: cdk8s.Chart) -> None:
    ApiService(chart, "a", image="svc:1", reloader=True)
    ApiService(chart, "b", image="svc:1").env_from_secret("two", ["B"])
    assert all("annotations" not in d["metadata"] for d in cdk8s.Testing.synth(chart) if d["kind"] == "Deployment")


def test_no_checksum_without_env_from_objects(chart: cdk8s.Chart) -> None:
    assert "annotations" not in one(api(chart, env={"A": "b"}), "Deployment")["spec"]["template"]["metadata"]


def test_connect_sets_the_url_and_opens_the_policy(chart: cdk8s.Chart) -> None:
    web = WebService(chart, "web", image="web:1")
    backend = ApiService(chart, "api", image="api:1", service_port=80)
    web.connect(backend, env="API_URL")
    manifests = cdk8s.Testing.synth(chart)
    assert container(one(manifests, "Deployment", "web"))["env"] == [{"name": "API_URL", "value": "http://api:80"}]
    policy = one(manifests, "NetworkPolicy", "api")
    assert policy["spec"]["ingress"] == [
        {
            "from": [{"podSelector": {"matchLabels": {"app.kubernetes.io/instance": "test", "app.kubernetes.io/name": "web"}}}],
            "ports": [{"port": 8000, "protocol": "TCP"}],
        }
    ]
    assert one(manifests, "NetworkPolicy", "web")["spec"]["ingress"] == [{"ports": [{"port": 3000, "protocol": "TCP"}]}]


def test_allow_from_labels_a_namespace_and_nobody(chart: cdk8s.Chart) -> None:
    lonely = ApiService(chart, "lonely", image="a:1")
    service = ApiService(chart, "svc", image="svc:1")
    service.allow_from({"app": "web"})
    service.allow_from_namespace("ingress-nginx")
    manifests = cdk8s.Testing.synth(chart)
    assert one(manifests, "NetworkPolicy", "svc")["spec"]["ingress"] == [
        {
            "from": [
                {"podSelector": {"matchLabels": {"app": "web"}}},
                {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "ingress-nginx"}}},
            ],
            "ports": [{"port": 8000, "protocol": "TCP"}],
        }
    ]
    lonely_spec = one(manifests, "NetworkPolicy", "lonely")["spec"]
    assert "ingress" not in lonely_spec  # admits nobody: no rule, and no empty list the API server would drop
    assert "Ingress" in lonely_spec["policyTypes"]
    assert lonely.allows_external is False
    with pytest.raises(TypeError, match="allow_from takes a workload of this library"):
        service.allow_from(42)  # type: ignore[arg-type]


def test_peers_in_another_namespace_are_selected_with_it() -> None:
    app = cdk8s.Testing.app()
    backend = ApiService(cdk8s.Chart(app, "back", namespace="back"), "api", image="api:1")
    web = WebService(cdk8s.Chart(app, "front", namespace="front"), "web", image="web:1")
    web.connect(backend, env="API_URL")
    assert backend.url_from(web.namespace) == "http://api.back:8000"
    (policy,) = by_kind(cdk8s.Testing.synth(cdk8s.Chart.of(backend)), "NetworkPolicy")
    assert policy["spec"]["ingress"][0]["from"] == [
        {
            "podSelector": {"matchLabels": {"app.kubernetes.io/instance": "front", "app.kubernetes.io/name": "web"}},
            "namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "front"}},
        }
    ]


def test_egress_rules_follow_the_connections(chart: cdk8s.Chart) -> None:
    mcp = ApiService(chart, "mcp", image="mcp:1", port=8001)
    service = ApiService(chart, "svc", image="svc:1", egress=Egress(external_ports=[443, 5432]))
    service.connect(mcp)
    spec = one(cdk8s.Testing.synth(chart), "NetworkPolicy", "svc")["spec"]
    assert spec["policyTypes"] == ["Ingress", "Egress"]
    dns, to_mcp, external = spec["egress"]
    assert dns["ports"] == [{"port": 53, "protocol": "UDP"}, {"port": 53, "protocol": "TCP"}]
    assert dns["to"][0]["podSelector"] == {"matchLabels": {"k8s-app": "kube-dns"}}
    assert to_mcp == {
        "to": [{"podSelector": {"matchLabels": {"app.kubernetes.io/instance": "test", "app.kubernetes.io/name": "mcp"}}}],
        "ports": [{"port": 8001, "protocol": "TCP"}],
    }
    assert external == {
        "to": [{"ipBlock": {"cidr": "0.0.0.0/0"}}],
        "ports": [{"port": 443, "protocol": "TCP"}, {"port": 5432, "protocol": "TCP"}],
    }


def test_egress_allows_dns_and_the_connections_only_by_default(chart: cdk8s.Chart) -> None:
    # Nothing of the Todo app in the library: no external port unless asked; the DNS peer is a prop.
    mcp = ApiService(chart, "mcp", image="mcp:1", port=8001)
    service = ApiService(chart, "svc", image="svc:1", egress=Egress(dns=DnsPeer(cidr="169.254.20.10/32")))
    service.connect(mcp)
    dns, to_mcp = one(cdk8s.Testing.synth(chart), "NetworkPolicy", "svc")["spec"]["egress"]
    assert dns["to"] == [{"ipBlock": {"cidr": "169.254.20.10/32"}}]
    assert to_mcp["ports"] == [{"port": 8001, "protocol": "TCP"}]


def test_two_services_never_select_each_others_pods(chart: cdk8s.Chart) -> None:
    ApiService(chart, "a", image="a:1", selector_labels={"app": "todo"})
    with pytest.raises(
        PropsError,
        match=r"ApiService 'b': selector_labels: the selector \{'app': 'todo'\} and the pods of ApiService 'a' overlap",
    ):
        ApiService(chart, "b", image="b:1", selector_labels={"app": "todo"})
    with pytest.raises(PropsError, match=r"ApiService 'c': name: a is already the name of ApiService 'a'"):
        ApiService(chart, "c", image="c:1", name="a")


def test_a_construct_id_that_is_no_name_asks_for_one(chart: cdk8s.Chart) -> None:
    with pytest.raises(PropsError, match=r"name: the construct ID .Api. is not a DNS-1035 label.*; pass name="):
        ApiService(chart, "Api", image="a:1")
    assert ApiService(chart, "Api2", image="a:1", name="api").name == "api"


@pytest.mark.parametrize(("name", "why"), [("default", "the ServiceAccount"), ("kubernetes", "the API server's Service")])
def test_names_the_cluster_owns_are_refused(chart: cdk8s.Chart, name: str, why: str) -> None:
    # Issue 20, item 7.
    with pytest.raises(PropsError, match=rf"ApiService 'svc': name: {name} is {why}.*; choose another name$"):
        ApiService(chart, "svc", image="svc:1", name=name)
    with pytest.raises(PropsError, match=rf"ApiService '{name}': name: {name} is {why}"):
        ApiService(chart, name, image="svc:1")


@pytest.mark.parametrize(
    "reason",
    [
        "x" * 10,
        "x" * 9,
        " " * 15,
        "\u200b" * 11,
        "\u200b" * 11 + "0123456789",
        "\u3164\u2800\ufe0f" * 4,
        "пояснення!",
        "a b c d e f g h i",
    ],
)
def test_the_json_schema_of_a_reason_follows_the_rule(reason: str) -> None:
    # An editor that checks values.schema.json refuses what the loader refuses (astral-plane
    # invisibles aside, which ECMA-262 patterns without the u flag cannot name).
    import re

    from webapp_constructs._prop_rules import REASON, reason_problems

    schema_pattern = REASON.schema["pattern"]  # type: ignore[attr-defined]
    assert (re.search(schema_pattern, reason) is not None) == (reason_problems(reason) == [])


def test_from_props_refuses_props_of_another_kind_before_joining_the_tree(chart: cdk8s.Chart) -> None:
    """What the values app (and any program that checks props first) calls: a str, a dict or
    another kind's props are one TypeError naming what it takes, and leave the ID free."""
    from webapp_constructs import MigrationJob, WorkerService

    worker = WorkerService.check_props("w", image="w:1")
    for wrong in ("props", {"image": "api:1"}, worker):
        with pytest.raises(
            TypeError, match=r"^ApiService 'api': from_props takes ServiceProps \(from ApiService.check_props\), not "
        ):
            ApiService.from_props(chart, "api", wrong)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="from_props takes MigrationJobProps"):
        MigrationJob.from_props(chart, "migrate", worker)
    made = ApiService.from_props(chart, "api", ApiService.check_props("api", image="api:1"))  # the ID is still free
    assert made.deployment.to_json()["spec"]["template"]["spec"]["containers"][0]["image"] == "api:1"
    web = WebService.check_props("web", image="web:1")
    assert ApiService.from_props(chart, "web-as-api", web).props is web  # a subclass of its props is taken


def test_add_env_takes_strings_as_kubernetes_does(chart: cdk8s.Chart) -> None:
    """An int value would render ``value: 5``, which the API server refuses."""
    service = ApiService(chart, "api", image="api:1")
    with pytest.raises(TypeError, match=r"^ApiService 'api': add_env takes its value as a string, not int \(write '5'\)$"):
        service.add_env("WORKERS", 5)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="add_env takes its name as a string, not NoneType"):
        service.add_env(None, "5")  # type: ignore[arg-type]
    service.add_env("WORKERS", "5")
    env = service.deployment.to_json()["spec"]["template"]["spec"]["containers"][0]["env"]
    assert {"name": "WORKERS", "value": "5"} in env


def test_a_workload_refused_for_its_chart_leaves_nothing_in_the_tree(chart: cdk8s.Chart) -> None:
    """A name another workload has, or pods another selects: refused before it joins the tree, so
    the chart synthesizes as before and the ID is free for a corrected one."""
    from webapp_constructs import WorkerService

    ApiService(chart, "api", image="api:1", labels={"tier": "backend"})
    with pytest.raises(PropsError, match="name: api is already the name of ApiService 'api'"):
        ApiService(chart, "second", image="api:1", name="api")
    with pytest.raises(PropsError, match=r"selector_labels: the selector .* and the pods of ApiService 'api' overlap"):
        WorkerService(chart, "second", image="w:1", command=["w"], selector_labels={"tier": "backend"})
    assert [child.node.id for child in chart.node.children] == ["api"]
    ApiService(chart, "second", image="api:1", name="api-two")
    names = sorted(m["metadata"]["name"] for m in cdk8s.Testing.synth(chart) if m["kind"] == "Deployment")
    assert names == ["api", "api-two"]


@pytest.mark.parametrize("labels", [{}, {"tier": 1}, {1: "web"}, {"tier": "no spaces allowed"}])
def test_allow_from_labels_that_are_no_set_of_pod_labels_is_one_props_error(chart: cdk8s.Chart, labels: dict[Any, Any]) -> None:
    service = ApiService(chart, "api", image="api:1")
    with pytest.raises(PropsError, match=r"^ApiService 'api': allow_from: .* is not a set of pod labels$"):
        service.allow_from(labels)
