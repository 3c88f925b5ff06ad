"""What a cdk8s-plus user met (issue 21), each defect as the test that now passes: cdk8s-plus
objects first-class wherever ours take a ConfigMap, a Secret, a peer or a target; Pod Security
over every pod of the namespace; names and labels that cannot silently collide; one way to put
ours behind a kp.Ingress."""

from __future__ import annotations

from typing import Any

import cdk8s
import cdk8s_plus_27 as kp
import pytest

from tests.helpers import by_kind, container, one
from webapp_constructs._api_service import ApiService
from webapp_constructs._app_namespace import AppNamespace, pod_security_of
from webapp_constructs._harden import harden
from webapp_constructs._mcp_service import McpService
from webapp_constructs._props import PropsError
from webapp_constructs._web_service import WebService


def shop() -> tuple[cdk8s.App, cdk8s.Chart]:
    app = cdk8s.App()
    return app, cdk8s.Chart(app, "bookshop", namespace="shop")


def env_of(manifests: list[dict[str, Any]], name: str) -> dict[str, Any]:
    return {e["name"]: e for e in container(one(manifests, "Deployment", name)).get("env", [])}


def test_kp_config_maps_and_secrets_are_named_by_their_names() -> None:
    _, chart = shop()
    settings = kp.ConfigMap(chart, "settings", data={"LOG_LEVEL": "info"})
    creds = kp.Secret(chart, "creds", string_data={"DATABASE_URL": "postgresql://shop@db/shop"})
    api = ApiService(chart, "api", image="shop/api:1.4.0")
    api.env_from_config_map(settings, ["LOG_LEVEL"])
    api.env_from_secret(creds, ["DATABASE_URL"])
    env = env_of(cdk8s.Testing.synth(chart), "api")
    assert env["LOG_LEVEL"] == {
        "name": "LOG_LEVEL",
        "valueFrom": {"configMapKeyRef": {"name": settings.name, "key": "LOG_LEVEL"}},
    }
    assert env["DATABASE_URL"] == {
        "name": "DATABASE_URL",
        "valueFrom": {"secretKeyRef": {"name": creds.name, "key": "DATABASE_URL"}},
    }
    with pytest.raises(PropsError, match=r"keys\[0\]: ConfigMap .* has no key 'LEVEL'; did you mean 'LOG_LEVEL'\?"):
        api.env_from_config_map(settings, ["LEVEL"])


def test_keys_given_as_a_string_are_refused() -> None:
    _, chart = shop()
    api = ApiService(chart, "api", image="shop/api:1.4.0")
    with pytest.raises(TypeError, match=r"keys is a list of keys, such as \['DB'\], not a str"):
        api.env_from_secret("s", "DB")
    with pytest.raises(TypeError, match=r"secret is an AppSecret, a cdk8s-plus Secret or the name of one, not object"):
        api.env_from_secret(object(), ["DB"])  # type: ignore[arg-type]


def test_a_whole_config_map_or_secret_as_env_from() -> None:
    _, chart = shop()
    settings = kp.ConfigMap(chart, "settings", data={"LOG_LEVEL": "info"})
    api = ApiService(chart, "api", image="shop/api:1.4.0")
    api.env_from_config_map(settings)
    api.env_from_secret("creds", prefix="DB_")
    assert container(one(cdk8s.Testing.synth(chart), "Deployment"))["envFrom"] == [
        {"configMapRef": {"name": settings.name}},
        {"secretRef": {"name": "creds"}, "prefix": "DB_"},
    ]


def test_connect_to_a_kp_service_gives_the_url_and_opens_both_sides() -> None:
    _, chart = shop()
    redis = kp.Deployment(chart, "redis", containers=[kp.ContainerProps(image="redis:7.2", port_number=6379)])
    cache = redis.expose_via_service()
    api = ApiService(chart, "api", image="shop/api:1.4.0", egress=None)
    api.connect(cache, env="REDIS_URL")
    manifests = cdk8s.Testing.synth(chart)
    assert env_of(manifests, "api")["REDIS_URL"] == {"name": "REDIS_URL", "value": f"http://{cache.name}:6379"}
    admit = one(manifests, "NetworkPolicy", f"{cache.name}-admit")["spec"]
    pods = one(manifests, "Deployment", redis.name)["spec"]["template"]["metadata"]["labels"]
    assert admit["podSelector"]["matchLabels"].items() <= pods.items()
    assert admit["ingress"] == [
        {
            "from": [
                {"podSelector": {"matchLabels": {"app.kubernetes.io/instance": "bookshop", "app.kubernetes.io/name": "api"}}}
            ],
            "ports": [{"protocol": "TCP", "port": 6379}],
        }
    ]


def test_connect_to_a_kp_workload_opens_its_pods_and_our_egress() -> None:
    from webapp_constructs._pod_props import Egress

    _, chart = shop()
    redis = kp.Deployment(chart, "redis", containers=[kp.ContainerProps(image="redis:7.2", port_number=6379)])
    api = ApiService(chart, "api", image="shop/api:1.4.0", egress=Egress())
    api.connect(redis)
    with pytest.raises(PropsError, match=r"has no URL; connect to its Service \(redis.expose_via_service\(\)\)"):
        api.connect(redis, env="REDIS_URL")
    manifests = cdk8s.Testing.synth(chart)
    _, to_redis = one(manifests, "NetworkPolicy", "api")["spec"]["egress"]
    assert to_redis["ports"] == [{"protocol": "TCP", "port": 6379}]
    assert to_redis["to"] == [
        {"podSelector": {"matchLabels": {"cdk8s.io/metadata.addr": redis.pod_metadata.get_label("cdk8s.io/metadata.addr")}}}
    ]


def test_a_kp_egress_policy_on_our_pods_is_refused_at_synth_with_the_fix() -> None:
    app, chart = shop()
    redis = kp.Deployment(chart, "redis", containers=[kp.ContainerProps(image="redis:7.2", port_number=6379)])
    api = ApiService(chart, "api", image="shop/api:1.4.0")
    redis.connections.allow_from(api.pods())
    with pytest.raises(RuntimeError, match=r"limits the egress of ApiService 'api''s pods .* call api\.connect"):
        app.synth()


def test_the_namespace_is_the_charts_and_refuses_unhardened_kp_pods() -> None:
    app, chart = shop()
    AppNamespace(chart, "ns")
    redis = kp.Deployment(chart, "redis", containers=[kp.ContainerProps(image="redis:7.2", port_number=6379)])
    api = ApiService(chart, "api", image="shop/api:1.4.0")
    with pytest.raises(
        RuntimeError, match=r"Deployment 'redis' .* does not meet the Pod Security Standard 'restricted'.*harden\(\)"
    ):
        app.synth()
    level, exceptions = pod_security_of([api, redis])
    assert level == "baseline"
    assert "seccompProfile" in next(iter(exceptions.values()))
    harden(redis)
    assert pod_security_of([api, redis]) == ("restricted", {})
    (namespace,) = by_kind(cdk8s.Testing.synth(chart), "Namespace")
    assert namespace["metadata"]["name"] == "shop"
    assert namespace["metadata"]["labels"]["pod-security.kubernetes.io/enforce"] == "restricted"
    assert "annotations" not in namespace["metadata"]


def test_a_namespace_name_other_than_the_charts_is_refused() -> None:
    _, chart = shop()
    with pytest.raises(PropsError, match="elsewhere is not the chart's namespace shop"):
        AppNamespace(chart, "ns", name="elsewhere")


def test_harden_covers_init_containers_and_cron_jobs() -> None:
    from webapp_constructs._pod_security import evaluate, pod_spec_of

    _, chart = shop()
    report = kp.CronJob(chart, "report", schedule=cdk8s.Cron.daily(), containers=[kp.ContainerProps(image="shop/api:1.4.0")])
    report.add_init_container(image="busybox:1.36", name="wait")
    harden(report, writable_paths=["/tmp"], run_as_user=10001)
    rendered = one(cdk8s.Testing.synth(chart), "CronJob")
    spec = pod_spec_of(rendered)
    assert spec is not None
    assert evaluate(spec).level == "restricted"
    assert spec["securityContext"]["runAsUser"] == 10001
    assert [m["mountPath"] for m in spec["containers"][0]["volumeMounts"]] == ["/tmp"]
    with pytest.raises(TypeError, match="harden takes a cdk8s-plus workload"):
        harden(ApiService(chart, "api", image="shop/api:1.4.0"))  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="would hide the image's own files"):
        harden(report, writable_paths=["/usr"])


def test_the_same_object_in_two_charts_of_one_namespace_is_refused_at_synth() -> None:
    app = cdk8s.App()
    ApiService(cdk8s.Chart(app, "one", namespace="shop"), "api", image="shop/api:1")
    ApiService(cdk8s.Chart(app, "two", namespace="shop"), "api", image="shop/api:1")
    with pytest.raises(RuntimeError, match=r"Deployment api in namespace shop is rendered twice, by one/api and by two/api"):
        app.synth()


def test_reserved_labels_are_refused_not_ignored() -> None:
    _, chart = shop()
    with pytest.raises(PropsError, match=r"labels\.app\.kubernetes\.io/name: app\.kubernetes\.io/name is set by the construct"):
        ApiService(chart, "api", image="shop/api:1", labels={"app.kubernetes.io/name": "other"})


def test_ours_behind_a_kp_ingress_in_one_line() -> None:
    _, chart = shop()
    web = WebService(chart, "web", image="shop/web:1", service_type="ClusterIP")
    kp.Ingress(chart, "ingress", default_backend=web.ingress_backend())
    manifests = cdk8s.Testing.synth(chart)
    ingress = one(manifests, "Ingress")
    assert ingress["spec"]["defaultBackend"] == {"service": {"name": "web", "port": {"number": 3000}}}
    assert one(manifests, "NetworkPolicy", "web")["spec"]["ingress"] == [
        {
            "from": [{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "ingress-nginx"}}}],
            "ports": [{"protocol": "TCP", "port": 3000}],
        }
    ]


def test_allow_from_takes_kp_pods_namespaces_and_ip_blocks() -> None:
    _, chart = shop()
    api = ApiService(chart, "api", image="shop/api:1")
    api.allow_from(kp.Pods.select(chart, "monitoring", labels={"app": "prometheus"}))
    api.allow_from(kp.Namespaces.select(chart, "ops", names=["ops"]))
    api.allow_from(kp.NetworkPolicyIpBlock.ipv4(chart, "lb", "10.0.0.0/8"))
    api.allow_from_cidr("192.168.0.0/16")
    peers = one(cdk8s.Testing.synth(chart), "NetworkPolicy", "api")["spec"]["ingress"][0]["from"]
    assert peers == [
        {"podSelector": {"matchLabels": {"app": "prometheus"}}},
        {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "ops"}}, "podSelector": {}},
        {"ipBlock": {"cidr": "10.0.0.0/8"}},
        {"ipBlock": {"cidr": "192.168.0.0/16"}},
    ]


def test_connecting_to_what_serves_nothing_says_which_way_round() -> None:
    from webapp_constructs._worker_service import WorkerService

    _, chart = shop()
    api = ApiService(chart, "api", image="shop/api:1")
    mailer = WorkerService(chart, "mailer", image="shop/api:1")
    with pytest.raises(PropsError, match=r"serves nothing to connect to; let it reach this one instead: mailer.connect\(api\)"):
        api.connect(mailer)
    with pytest.raises(TypeError, match="connect takes one of this library's services"):
        api.connect("redis")  # type: ignore[arg-type]


def test_an_internal_mcp_server_stays_internal_behind_any_route() -> None:
    _, chart = shop()
    McpService(chart, "tools", image="shop/api:1")
    with pytest.raises(PropsError, match="set expose_node_port=True"):
        McpService(chart, "open", image="shop/api:1", allow_external=True)
