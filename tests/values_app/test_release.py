"""Release: the chart that composes the constructs from a values file."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import cdk8s
import pytest

from tests.helpers import by_kind, container, one
from values_app.model import AppValues
from values_app.release import APP_FILE, NAMESPACE_FILE, SECRETS_FILE, build_release
from values_app.synth import render_files

Make = Callable[[dict[str, Any]], AppValues]


def files(values: AppValues, environ: dict[str, str] | None = None) -> dict[str, list[dict[str, Any]]]:
    return render_files(build_release(values, environ=environ or {}))


def test_files_in_apply_order(values_data: dict[str, Any], make_values: Make) -> None:
    out = files(make_values(values_data), {"DATABASE_URL": "x", "API_TOKEN": "y"})
    assert list(out) == [NAMESPACE_FILE, SECRETS_FILE, APP_FILE]
    assert [m["kind"] for m in out[NAMESPACE_FILE]] == ["Namespace"]
    assert "namespace" not in out[NAMESPACE_FILE][0]["metadata"]
    kinds = [m["kind"] for m in out[APP_FILE]]
    assert kinds == ["ConfigMap", "NetworkPolicy"] + ["ServiceAccount", "Service", "Deployment", "NetworkPolicy"] * 3


def test_default_namespace_is_not_rendered(values_data: dict[str, Any], make_values: Make) -> None:
    values_data["namespace"] = {"name": "default"}
    out = files(make_values(values_data))
    assert NAMESPACE_FILE not in out
    assert {m["metadata"]["namespace"] for m in out[APP_FILE]} == {"default"}


def test_namespace_created_outside_the_chart(values_data: dict[str, Any], make_values: Make) -> None:
    values_data["namespace"] = {"name": "shared", "create": False}
    out = files(make_values(values_data))
    assert NAMESPACE_FILE not in out
    assert {m["metadata"]["namespace"] for m in out[APP_FILE]} == {"shared"}


def test_a_fourth_service_is_a_few_lines(values_data: dict[str, Any], make_values: Make) -> None:
    values_data["services"]["worker"] = {
        "kind": "api",
        "image": {"repository": "demo-api", "tag": "1.0.0"},
        "command": ["python", "-m", "app.worker"],
        "port": 8002,
        "env": {"secrets": ["DATABASE_URL"]},
    }
    manifests = files(make_values(values_data))[APP_FILE]
    deployment = one(manifests, "Deployment", "demo-worker")
    assert deployment["metadata"]["labels"]["app.kubernetes.io/component"] == "worker"
    assert container(deployment)["command"] == ["python", "-m", "app.worker"]
    assert container(deployment)["livenessProbe"] == {"tcpSocket": {"port": 8002}}
    assert one(manifests, "Service", "demo-worker")["spec"]["ports"][0]["port"] == 8002


def test_recommended_labels_and_minimal_selectors(values_data: dict[str, Any], make_values: Make) -> None:
    values_data["labels"] = {"team": "todo"}
    manifests = files(make_values(values_data))[APP_FILE]
    deployment = one(manifests, "Deployment", "demo-api")
    assert deployment["metadata"]["labels"] == {
        "team": "todo",
        "app.kubernetes.io/name": "demo-api",
        "app.kubernetes.io/instance": "demo",
        "app.kubernetes.io/version": "1.2.3",
        "app.kubernetes.io/component": "api",
        "app.kubernetes.io/part-of": "demo",
        "app.kubernetes.io/managed-by": "cdk8s",
    }
    assert deployment["spec"]["selector"]["matchLabels"] == {
        "app.kubernetes.io/name": "demo-api",
        "app.kubernetes.io/instance": "demo",
    }
    config = one(manifests, "ConfigMap")
    assert config["metadata"]["labels"]["app.kubernetes.io/component"] == "config"


def test_prescribed_selector_labels_go_on_every_object_of_the_service(values_data: dict[str, Any], make_values: Make) -> None:
    values_data["services"]["api"]["selectorLabels"] = {"app": "demo-backend"}
    manifests = files(make_values(values_data))[APP_FILE]
    assert one(manifests, "Service", "demo-api")["spec"]["selector"] == {"app": "demo-backend"}
    for manifest in (one(manifests, "Service", "demo-api"), one(manifests, "Deployment", "demo-api")):
        assert manifest["metadata"]["labels"]["app"] == "demo-backend"


def test_secret_keys_go_only_where_asked(values_data: dict[str, Any], make_values: Make) -> None:
    manifests = files(make_values(values_data))[APP_FILE]
    env = {d["metadata"]["name"]: [v["name"] for v in container(d).get("env", [])] for d in by_kind(manifests, "Deployment")}
    assert env == {"demo-web": ["API_URL"], "demo-api": ["LOG_LEVEL", "DATABASE_URL", "API_TOKEN"], "demo-mcp": ["DATABASE_URL"]}


def ingress_rules(manifests: list[dict[str, Any]], name: str) -> list[dict[str, Any]]:
    rules: list[dict[str, Any]] = one(manifests, "NetworkPolicy", name)["spec"]["ingress"]
    return rules


def test_who_may_talk_to_whom(values_data: dict[str, Any], make_values: Make) -> None:
    manifests = files(make_values(values_data))[APP_FILE]
    deny = one(manifests, "NetworkPolicy", "demo-default-deny")
    assert deny["spec"] == {"podSelector": {"matchLabels": {"app.kubernetes.io/instance": "demo"}}, "policyTypes": ["Ingress"]}
    # the web frontend: from anywhere
    assert ingress_rules(manifests, "demo-web") == [{"ports": [{"port": 3000, "protocol": "TCP"}]}]
    # the API (ClusterIP): from the frontend's pods only
    web = {"app.kubernetes.io/name": "demo-web", "app.kubernetes.io/instance": "demo"}
    assert ingress_rules(manifests, "demo-api") == [
        {"from": [{"podSelector": {"matchLabels": web}}], "ports": [{"port": 8000, "protocol": "TCP"}]}
    ]
    # the MCP server: from the API's pods only
    api = {"app.kubernetes.io/name": "demo-api", "app.kubernetes.io/instance": "demo"}
    assert ingress_rules(manifests, "demo-mcp") == [
        {"from": [{"podSelector": {"matchLabels": api}}], "ports": [{"port": 8001, "protocol": "TCP"}]}
    ]


def test_a_web_frontend_behind_the_ingress_is_cluster_ip_and_admits_only_the_controller(
    values_data: dict[str, Any], make_values: Make
) -> None:
    values_data["services"]["web"]["service"] = {}  # no type, no node port
    values_data["ingress"] = {"host": "demo.example.com", "paths": [{"path": "/", "service": "web"}]}
    manifests = files(make_values(values_data))[APP_FILE]
    assert one(manifests, "Service", "demo-web")["spec"]["type"] == "ClusterIP"
    controller = {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "ingress-nginx"}}}
    assert ingress_rules(manifests, "demo-web") == [{"from": [controller], "ports": [{"port": 3000, "protocol": "TCP"}]}]
    values_data["services"]["web"]["service"] = {"nodePort": 30100}  # a node port asked for: kept, and open
    manifests = files(make_values(values_data))[APP_FILE]
    assert one(manifests, "Service", "demo-web")["spec"]["type"] == "NodePort"
    assert ingress_rules(manifests, "demo-web") == [{"ports": [{"port": 3000, "protocol": "TCP"}]}]


def test_an_api_with_a_node_port_is_reachable_from_outside(values_data: dict[str, Any], make_values: Make) -> None:
    values_data["services"]["api"]["service"] = {"type": "NodePort", "nodePort": 30101}
    manifests = files(make_values(values_data))[APP_FILE]
    assert ingress_rules(manifests, "demo-api") == [{"ports": [{"port": 8000, "protocol": "TCP"}]}]


def test_network_policies_can_be_turned_off(values_data: dict[str, Any], make_values: Make) -> None:
    values_data["networkPolicies"] = {"enabled": False}
    assert by_kind(files(make_values(values_data))[APP_FILE], "NetworkPolicy") == []


def test_egress_lets_each_pod_reach_what_it_calls(values_data: dict[str, Any], make_values: Make) -> None:
    values_data["networkPolicies"] = {"egress": {"enabled": True, "externalPorts": [5432]}}
    manifests = files(make_values(values_data))[APP_FILE]
    egress = one(manifests, "NetworkPolicy", "demo-api")["spec"]["egress"]
    mcp = {"app.kubernetes.io/name": "demo-mcp", "app.kubernetes.io/instance": "demo"}
    assert egress[1] == {"to": [{"podSelector": {"matchLabels": mcp}}], "ports": [{"port": 8001, "protocol": "TCP"}]}
    assert egress[2]["ports"] == [{"port": 5432, "protocol": "TCP"}]
    assert one(manifests, "NetworkPolicy", "demo-default-deny")["spec"]["policyTypes"] == ["Ingress", "Egress"]


def test_egress_never_opens_every_port_at_every_cidr(values_data: dict[str, Any], make_values: Make) -> None:
    from values_app.loader import ValuesError

    two_ports = {"enabled": True, "externalPorts": [5432, 587], "externalCidrs": ["10.20.0.5/32", "10.30.0.9/32"]}
    values_data["networkPolicies"] = {"egress": two_ports}
    with pytest.raises(ValuesError, match=r"networkPolicies.egress.externalCidrs: 2 externalPorts at 2 externalCidrs would open"):
        make_values(values_data)
    values_data["networkPolicies"] = {"egress": {**two_ports, "externalCidrs": ["10.20.0.5/32"]}}
    rule = one(files(make_values(values_data))[APP_FILE], "NetworkPolicy", "demo-api")["spec"]["egress"][-1]
    assert rule == {
        "to": [{"ipBlock": {"cidr": "10.20.0.5/32"}}],
        "ports": [{"port": 5432, "protocol": "TCP"}, {"port": 587, "protocol": "TCP"}],
    }


def test_allow_from_must_name_a_service(values_data: dict[str, Any], make_values: Make) -> None:
    from values_app.loader import ValuesError

    values_data["services"]["mcp"]["networkPolicy"] = {"allowFrom": ["worker"]}
    with pytest.raises(ValuesError, match=r"services.mcp.networkPolicy.allowFrom\[0\]: worker is not a service"):
        make_values(values_data)


def checksum(manifests: list[dict[str, Any]], name: str) -> str:
    value: str = one(manifests, "Deployment", name)["spec"]["template"]["metadata"]["annotations"]["checksum/config"]
    return value


def test_config_checksum_rolls_the_pods_that_use_a_changed_value(values_data: dict[str, Any], make_values: Make) -> None:
    before = files(make_values(values_data))[APP_FILE]
    values_data["configMaps"]["demo-config"]["LOG_LEVEL"] = "DEBUG"
    after = files(make_values(values_data))[APP_FILE]
    assert checksum(before, "demo-api") != checksum(after, "demo-api")
    assert checksum(before, "demo-web") == checksum(after, "demo-web")


def test_no_byte_outside_the_secrets_file_follows_a_secret_value(values_data: dict[str, Any], make_values: Make) -> None:
    values = make_values(values_data)
    one_value = files(values, {"DATABASE_URL": "a", "API_TOKEN": "b"})
    other = files(values, {"DATABASE_URL": "a", "API_TOKEN": "c"})
    without = files(values, {})
    assert {name: docs for name, docs in one_value.items() if name != SECRETS_FILE} == {
        name: docs for name, docs in other.items() if name != SECRETS_FILE
    }
    assert one_value[APP_FILE] == without[APP_FILE]  # a synth without the values rolls nothing


def test_audit_skips_are_annotated_with_their_reasons(values_data: dict[str, Any], make_values: Make) -> None:
    values_data["auditSkips"] = {"CKV_K8S_15": "images are loaded into Minikube"}
    values_data["services"]["api"]["auditSkips"] = {"CKV_K8S_40": "the image's user is UID 1000"}
    out = files(make_values(values_data))
    api = one(out[APP_FILE], "Deployment", "demo-api")["metadata"]["annotations"]
    assert api == {
        "checkov.io/skip1": "CKV_K8S_15=images are loaded into Minikube",
        "checkov.io/skip2": "CKV_K8S_40=the image's user is UID 1000",
    }
    # Only on the objects a check is about: CKV_K8S_15 (image pull policy) is about pods.
    assert "annotations" not in one(out[NAMESPACE_FILE], "Namespace")["metadata"]
    assert "annotations" not in one(out[APP_FILE], "Service", "demo-api")["metadata"]
    assert "annotations" not in one(out[APP_FILE], "ConfigMap")["metadata"]


def test_cdk8s_synthesizes_the_release_as_the_writer_renders_it(values_data: dict[str, Any], make_values: Make) -> None:
    # The charts defer their objects: cdk8s creates them when it synthesizes (one hook per app).
    release = build_release(make_values(values_data), environ={"DATABASE_URL": "x", "API_TOKEN": "y"})
    rendered = render_files(release)
    for name, chart in release.charts.items():
        assert cdk8s.Testing.synth(chart) == rendered[name], name
