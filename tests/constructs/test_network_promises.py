"""The library's network promises on the paths beside the main ones (issue 28, items 1-5 and the
network parts of 15 and 18): each at its boundary, the refused case next to the accepted one."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import cdk8s
import cdk8s_plus_27 as kp
import pytest

from tests.helpers import by_kind, container, one
from webapp_constructs._api_service import ApiService
from webapp_constructs._app_ingress import AppIngress
from webapp_constructs._mcp_service import McpService, internal_servers_opened
from webapp_constructs._pod_props import Destination, Egress
from webapp_constructs._props import PropsError
from webapp_constructs._web_service import WebService, WebServiceProps
from webapp_constructs._worker_service import WorkerService

CONTROLLER = {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "ingress-nginx"}}}
WEB_PORT = [{"protocol": "TCP", "port": 3000}]


def synth(chart: cdk8s.Chart) -> list[dict[str, Any]]:
    manifests: list[dict[str, Any]] = cdk8s.Testing.synth(chart)
    return manifests


def env_of(manifests: list[dict[str, Any]], name: str) -> dict[str, str]:
    return {e["name"]: e["value"] for e in container(one(manifests, "Deployment", name)).get("env", []) if "value" in e}


# --- 1. a WebService behind an Ingress ---------------------------------------------------------


def test_a_web_service_alone_is_a_node_port_open_to_browsers(chart: cdk8s.Chart) -> None:
    WebService(chart, "web", image="web:1")
    manifests = synth(chart)
    assert one(manifests, "Service")["spec"]["type"] == "NodePort"
    assert one(manifests, "NetworkPolicy")["spec"]["ingress"] == [{"ports": WEB_PORT}]


def test_behind_an_app_ingress_a_web_service_is_cluster_ip_and_admits_only_the_controller(chart: cdk8s.Chart) -> None:
    web = WebService(chart, "web", image="web:1")
    AppIngress(chart, "ingress", host="todo.example.com", routes={"/": web})
    manifests = synth(chart)
    assert one(manifests, "Service")["spec"]["type"] == "ClusterIP"
    assert one(manifests, "NetworkPolicy")["spec"]["ingress"] == [{"from": [CONTROLLER], "ports": WEB_PORT}]
    assert web.service_type == "ClusterIP"
    assert not web.allows_external


def test_behind_a_kp_ingress_a_web_service_is_cluster_ip_and_admits_only_the_controller(chart: cdk8s.Chart) -> None:
    web = WebService(chart, "web", image="web:1")
    kp.Ingress(chart, "ingress", default_backend=web.ingress_backend())
    manifests = synth(chart)
    assert one(manifests, "Service", "web")["spec"]["type"] == "ClusterIP"
    assert one(manifests, "NetworkPolicy")["spec"]["ingress"] == [{"from": [CONTROLLER], "ports": WEB_PORT}]


@pytest.mark.parametrize(
    ("props", "service_type"),
    [
        ({"service_type": "NodePort"}, "NodePort"),
        ({"node_port": 30080}, "NodePort"),
        ({"service_type": "LoadBalancer"}, "LoadBalancer"),
    ],
)
def test_behind_an_ingress_a_node_port_asked_for_explicitly_stays(
    chart: cdk8s.Chart, props: dict[str, Any], service_type: str
) -> None:
    web = WebService(chart, "web", image="web:1", **props)
    AppIngress(chart, "ingress", host="todo.example.com", routes={"/": web})
    manifests = synth(chart)
    assert one(manifests, "Service")["spec"]["type"] == service_type
    assert one(manifests, "NetworkPolicy")["spec"]["ingress"] == [{"ports": WEB_PORT}]  # asked for: open on purpose


def test_the_facts_follow_the_ingress() -> None:
    props = WebService.check_props("web", image="web:1")
    assert isinstance(props, WebServiceProps)
    assert WebService.facts(props).service_type == "NodePort"
    assert WebService.facts(props).allows_external
    assert WebService.facts(props, behind_ingress=True).service_type == "ClusterIP"
    assert not WebService.facts(props, behind_ingress=True).allows_external


# --- 2. connect() to what selects no pods --------------------------------------------------------


@pytest.mark.parametrize(
    "make",
    [
        lambda c: kp.Service(
            c, "db", type=kp.ServiceType.EXTERNAL_NAME, external_name="db.internal", ports=[kp.ServicePort(port=5432)]
        ),
        lambda c: kp.Service(c, "db", ports=[kp.ServicePort(port=5432)]),
    ],
    ids=["ExternalName", "no-selector"],
)
def test_connect_refuses_a_service_that_selects_no_pods(chart: cdk8s.Chart, make: Any) -> None:
    api = ApiService(chart, "api", image="api:1", egress=Egress())
    with pytest.raises(
        PropsError, match=r"ApiService 'api': connect: the cdk8s-plus Service db is an? .*egress=Egress\(external=\[Destination"
    ):
        api.connect(make(chart), env="DATABASE_URL")
    manifests = synth(chart)
    assert [p["metadata"]["name"] for p in by_kind(manifests, "NetworkPolicy")] == ["api"]  # nothing rendered for it
    assert "DATABASE_URL" not in env_of(manifests, "api")


def test_connect_accepts_the_same_service_with_a_selector_and_opens_its_pods_only(chart: cdk8s.Chart) -> None:
    api = ApiService(chart, "api", image="api:1", egress=Egress())
    postgres = kp.StatefulSet(chart, "postgres", containers=[kp.ContainerProps(image="postgres:16", port_number=5432)])
    db = kp.Service(chart, "db", ports=[kp.ServicePort(port=5432)], selector=postgres)
    api.connect(db, env="DATABASE_URL", scheme="postgresql")
    manifests = synth(chart)
    admit = one(manifests, "NetworkPolicy", f"{db.name}-admit")["spec"]
    assert admit["podSelector"]["matchLabels"]  # never every pod
    assert admit["ingress"][0]["ports"] == [{"protocol": "TCP", "port": 5432}]
    assert env_of(manifests, "api")["DATABASE_URL"] == f"postgresql://{db.name}:5432"


def test_connect_refuses_a_service_without_ports_and_a_workload_without_a_container_port(chart: cdk8s.Chart) -> None:
    api = ApiService(chart, "api", image="api:1")
    portless = kp.Deployment(chart, "portless", containers=[kp.ContainerProps(image="x:1")])
    with pytest.raises(PropsError, match=r"connect: the cdk8s-plus Deployment portless has no container port"):
        api.connect(portless)
    elsewhere = cdk8s.Chart(cdk8s.App(), "elsewhere")  # cdk8s-plus refuses to render a Service without a port
    with pytest.raises(PropsError, match=r"connect: the cdk8s-plus Service bare has no port"):
        api.connect(kp.Service(elsewhere, "bare", selector=kp.Pods.select(elsewhere, "pods", labels={"a": "b"})))
    served = kp.Deployment(chart, "served", containers=[kp.ContainerProps(image="x:1", port_number=9000)])
    api.connect(served)
    admit = one(synth(chart), "NetworkPolicy", f"{served.name}-admit")["spec"]
    assert admit["ingress"][0]["ports"] == [{"protocol": "TCP", "port": 9000}]


def test_a_service_with_several_ports_admits_each_of_them(chart: cdk8s.Chart) -> None:
    api = ApiService(chart, "api", image="api:1")
    rabbit = kp.Deployment(
        chart,
        "rabbit",
        containers=[kp.ContainerProps(image="rabbitmq:3", port_number=5672, ports=[kp.ContainerPort(number=15672)])],
    )
    service = rabbit.expose_via_service(ports=[kp.ServicePort(port=5672, name="amqp"), kp.ServicePort(port=15672, name="admin")])
    api.connect(service)
    admit = one(synth(chart), "NetworkPolicy", f"{service.name}-admit")["spec"]
    assert sorted(p["port"] for p in admit["ingress"][0]["ports"]) == [5672, 15672]


# --- 3. egress rules are (destinations, ports) pairs -------------------------------------------

DB, SMTP = "10.20.0.5/32", "10.30.0.9/32"


def test_several_ports_at_several_cidrs_is_refused() -> None:
    with pytest.raises(PropsError, match=r"Egress: external_cidrs: 2 external_ports at 2 external_cidrs would open every port"):
        Egress(external_ports=[5432, 587], external_cidrs=[DB, SMTP])
    Egress(external_ports=[5432, 587], external_cidrs=[DB])  # one block: every port at it, as said
    Egress(external_ports=[443], external_cidrs=[DB, SMTP])


def test_each_destination_opens_its_own_ports_only(chart: cdk8s.Chart) -> None:
    egress = Egress(external=[Destination(cidrs=[DB], ports=[5432]), Destination(cidrs=[SMTP], ports=[587])])
    ApiService(chart, "api", image="api:1", egress=egress)
    rules = one(synth(chart), "NetworkPolicy", "api")["spec"]["egress"]
    assert rules[1:] == [
        {"to": [{"ipBlock": {"cidr": DB}}], "ports": [{"protocol": "TCP", "port": 5432}]},
        {"to": [{"ipBlock": {"cidr": SMTP}}], "ports": [{"protocol": "TCP", "port": 587}]},
    ]


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ({"cidrs": [], "ports": [1]}, "cidrs: is empty"),
        ({"cidrs": [DB], "ports": []}, "ports: is empty"),
        ({"cidrs": ["10.0.0.0"], "ports": [1]}, "is not a CIDR"),
    ],
)
def test_a_destination_needs_addresses_and_ports(given: dict[str, Any], message: str) -> None:
    with pytest.raises(PropsError, match=message):
        Destination(**given)


# --- 4. the URL's scheme --------------------------------------------------------------------------


def test_the_caller_chooses_the_scheme_or_a_url_template(chart: cdk8s.Chart) -> None:
    api = ApiService(chart, "api", image="api:1")
    redis = kp.StatefulSet(chart, "redis", containers=[kp.ContainerProps(image="redis:7", port_number=6379)])
    tools = McpService(chart, "tools", image="mcp:1")
    api.connect(redis.service, env="REDIS_URL", scheme="redis")
    api.connect(tools, env="TOOLS_URL")
    other = ApiService(chart, "other", image="api:1", name="other")
    other.connect(redis.service, env="CACHE", url="rediss://{host}:{port}/0")
    manifests = synth(chart)
    env, host = env_of(manifests, "api"), redis.service.name
    assert env["REDIS_URL"] == f"redis://{host}:6379"
    assert env["TOOLS_URL"] == "http://tools:8001"
    assert env_of(manifests, "other")["CACHE"] == f"rediss://{host}:6379/0"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"env": "U", "scheme": "Redis://"}, r"connect.scheme: 'Redis://' is not a URL scheme"),
        ({"env": "U", "scheme": "redis", "url": "redis://{host}"}, r"connect: give scheme= or url=, not both"),
        ({"scheme": "redis"}, r"connect: scheme= and url= shape the URL written to env=; give env= too"),
        ({"env": "U", "url": "redis://{hots}:{port}"}, r"connect.url: 'redis://\{hots\}:\{port\}' is not a URL template"),
        ({"env": "U", "url": "redis://{host.__class__}"}, r"is not a URL template"),
        ({"env": "U", "url": "redis://{port}"}, r"it needs \{host\}"),
        ({"env": "U", "url": "redis://{host}\n:{port}"}, r"has a blank or control character"),
    ],
)
def test_a_bad_scheme_or_template_is_refused(chart: cdk8s.Chart, kwargs: dict[str, Any], message: str) -> None:
    api = ApiService(chart, "api", image="api:1")
    tools = McpService(chart, "tools", image="mcp:1")
    with pytest.raises(PropsError, match=message):
        api.connect(tools, **kwargs)
    api.connect(tools, env="U", scheme="redis+sentinel")


# --- 5. the internal MCP server on every path -----------------------------------------------


def _opens(chart: cdk8s.Chart, tools: McpService) -> list[tuple[str, Any]]:
    """Each way to admit more than named workloads (constructs made in ``chart``)."""
    return [
        ("kp.Namespaces.all", lambda: tools.allow_from(kp.Namespaces.all(chart, "all-namespaces"))),
        ("kp.Namespaces.select", lambda: tools.allow_from(kp.Namespaces.select(chart, "monitoring", names=["monitoring"]))),
        ("kp.Pods.all", lambda: tools.allow_from(kp.Pods.all(chart, "all-pods"))),
        (
            "labelled pods of every namespace",
            lambda: tools.allow_from(
                kp.Pods.select(chart, "agents", labels={"role": "agent"}, namespaces=kp.Namespaces.all(chart, "any"))
            ),
        ),
        (
            "labelled pods of labelled namespaces",
            lambda: tools.allow_from(
                kp.Pods.select(
                    chart,
                    "team-agents",
                    labels={"role": "agent"},
                    namespaces=kp.Namespaces.select(chart, "team", labels={"team": "x"}),
                )
            ),
        ),
        ("kp.NetworkPolicyIpBlock", lambda: tools.allow_from(kp.NetworkPolicyIpBlock.any_ipv4(chart, "anywhere"))),
        ("allow_from_cidr", lambda: tools.allow_from_cidr("0.0.0.0/0")),
        ("allow_from_namespace", lambda: tools.allow_from_namespace("monitoring")),
        ("ingress_backend", lambda: kp.Ingress(chart, "ingress", default_backend=tools.ingress_backend())),
    ]


@pytest.mark.parametrize("path", range(9))
def test_every_path_beyond_named_workloads_needs_the_opt_in(chart: cdk8s.Chart, path: int) -> None:
    tools = McpService(chart, "tools", image="mcp:1")
    what, call = _opens(chart, tools)[path]
    with pytest.raises(PropsError, match=r"McpService 'tools': .*(internal MCP server).*expose_node_port=True"):
        call()
    for policy in by_kind(synth(chart), "NetworkPolicy"):
        assert policy["spec"].get("ingress") in (None, []), what  # nothing opened
    other = cdk8s.Chart(cdk8s.Testing.app(), "other", namespace="other")
    exposed = McpService(other, "tools", image="mcp:1", expose_node_port=True)
    _opens(other, exposed)[path][1]()  # accepted on purpose
    assert one(synth(other), "NetworkPolicy", "tools")["spec"]["ingress"][0]["from"]


def test_named_peers_stay_allowed_for_the_internal_server(chart: cdk8s.Chart) -> None:
    tools = McpService(chart, "tools", image="mcp:1")
    api = ApiService(chart, "api", image="api:1")
    agent = kp.Deployment(chart, "agent", containers=[kp.ContainerProps(image="agent:1")])
    api.connect(tools)
    tools.allow_from(agent)
    tools.allow_from(kp.Pods.select(chart, "labelled", labels={"role": "agent"}))
    tools.allow_from({"role": "agent"})
    named = kp.Namespaces.select(chart, "named", names=["agents"])
    tools.allow_from(kp.Pods.select(chart, "elsewhere", labels={"role": "agent"}, namespaces=named))
    peers = one(synth(chart), "NetworkPolicy", "tools")["spec"]["ingress"][0]["from"]
    assert len(peers) == 5
    assert all(peer["podSelector"]["matchLabels"] for peer in peers)


# --- 15. allow_from_namespace takes a namespace's name -------------------------------------------


@pytest.mark.parametrize("name", ["Not A Namespace!", "", "a" * 64, "ingress.nginx"])
def test_allow_from_namespace_refuses_what_is_no_namespace_name(chart: cdk8s.Chart, name: str) -> None:
    api = ApiService(chart, "api", image="api:1")
    with pytest.raises(PropsError, match=r"ApiService 'api': allow_from_namespace: .*give a namespace's name"):
        api.allow_from_namespace(name)
    with pytest.raises(TypeError, match=r"allow_from_namespace takes a namespace's name, not list"):
        api.allow_from_namespace(["monitoring"])  # type: ignore[arg-type]
    api.allow_from_namespace("a" * 63)
    api.allow_from_namespace("ingress-nginx")


def test_ingress_backend_refuses_a_bad_controller_namespace(chart: cdk8s.Chart) -> None:
    web = WebService(chart, "web", image="web:1")
    with pytest.raises(
        PropsError, match=r"WebService 'web': ingress_backend.controller_namespace: .*ingress controller's namespace"
    ):
        web.ingress_backend(controller_namespace="Ingress Nginx")
    web.ingress_backend(controller_namespace="ingress-nginx")


# --- 18. kp objects take ours; ours are typed ----------------------------------------------------


def test_a_cdk8s_plus_workload_takes_ours_as_a_peer(chart: cdk8s.Chart) -> None:
    api = ApiService(chart, "api", image="api:1")
    peer: kp.INetworkPolicyPeer = api  # mypy: ours are cdk8s-plus peers
    selector: kp.IPodSelector = api
    redis = kp.Deployment(chart, "redis", containers=[kp.ContainerProps(image="redis:7", port_number=6379)])
    redis.connections.allow_from(peer, isolation=kp.PodConnectionsIsolation.POD)
    (policy,) = [p for p in by_kind(synth(chart), "NetworkPolicy") if p["metadata"]["name"] != "api"]
    assert policy["spec"]["ingress"] == [
        {
            "from": [
                {
                    "namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "test"}},
                    "podSelector": {"matchLabels": api.selector},
                }
            ],
            "ports": [{"port": 6379, "protocol": "TCP"}],
        }
    ]
    assert selector.to_pod_selector_config().label_selector is not None


def test_a_cdk8s_plus_workload_takes_ours_through_pods(chart: cdk8s.Chart) -> None:
    api = ApiService(chart, "api", image="api:1")
    redis = kp.Deployment(chart, "redis", containers=[kp.ContainerProps(image="redis:7", port_number=6379)])
    redis.connections.allow_from(api.pods(), isolation=kp.PodConnectionsIsolation.POD, ports=[kp.NetworkPolicyPort.tcp(6379)])
    peers = [p["spec"]["ingress"][0]["from"][0] for p in by_kind(synth(chart), "NetworkPolicy") if p["metadata"]["name"] != "api"]
    assert peers[0]["podSelector"]["matchLabels"] == api.selector


def test_a_worker_has_no_port_and_nothing_opens_a_route_to_it(chart: cdk8s.Chart) -> None:
    api = ApiService(chart, "api", image="api:1", egress=Egress())
    mailer = WorkerService(chart, "mailer", image="api:1")
    mailer.allow_from(api)  # a worker admits nobody: no egress rule towards it either
    egress = one(synth(chart), "NetworkPolicy", "api")["spec"]["egress"]
    assert len(egress) == 1  # DNS only


def _internal_server(tmp_path: Path) -> tuple[cdk8s.App, cdk8s.Chart, McpService]:
    app = cdk8s.App(outdir=str(tmp_path))
    chart = cdk8s.Chart(app, "test", namespace="test", disable_resource_name_hashes=True)
    tools = McpService(chart, "tools", image="mcp:1")
    ApiService(chart, "api", image="api:1").connect(tools)
    return app, chart, tools


OPENED_AROUND = {
    "a kp.NetworkPolicy on it": lambda c, t: kp.NetworkPolicy(c, "open", selector=t).add_ingress_rule(
        kp.Namespaces.all(c, "all")
    ),
    "a kp.NetworkPolicy on every pod": lambda c, t: kp.NetworkPolicy(c, "open", selector=kp.Pods.all(c, "pods")).add_ingress_rule(
        kp.NetworkPolicyIpBlock.any_ipv4(c, "anywhere")
    ),
    "a JSON patch on its own policy": lambda c, t: cdk8s.ApiObject.of(t.network_policy).add_json_patch(
        cdk8s.JsonPatch.add("/spec/ingress/0/from/-", {"namespaceSelector": {}})
    ),
    "a rule without from": lambda c, t: cdk8s.ApiObject(
        c, "raw", api_version="networking.k8s.io/v1", kind="NetworkPolicy"
    ).add_json_patch(
        cdk8s.JsonPatch.add(
            "/spec",
            {
                "podSelector": {"matchExpressions": [{"key": "app.kubernetes.io/name", "operator": "In", "values": ["tools"]}]},
                "ingress": [{"ports": [{"port": 8001}]}],
            },
        )
    ),
}


@pytest.mark.parametrize("way", list(OPENED_AROUND))
def test_a_policy_that_opens_the_internal_server_around_it_is_refused_at_synth(tmp_path: Path, way: str) -> None:
    app, chart, tools = _internal_server(tmp_path)
    OPENED_AROUND[way](chart, tools)
    (problem,) = internal_servers_opened(app)
    assert "opens the internal MCP server test/tools to" in problem
    assert "or set expose_node_port=True on it to do it on purpose" in problem
    with pytest.raises(RuntimeError, match=r"opens the internal MCP server test/tools"):
        app.synth()
    assert not list(tmp_path.iterdir())  # nothing written


def test_a_policy_on_it_that_names_pods_passes(tmp_path: Path) -> None:
    app, chart, tools = _internal_server(tmp_path)
    kp.NetworkPolicy(chart, "named", selector=tools).add_ingress_rule(kp.Pods.select(chart, "agents", labels={"role": "agent"}))
    kp.NetworkPolicy(chart, "elsewhere", selector=kp.Pods.select(chart, "others", labels={"role": "x"})).add_ingress_rule(
        kp.Namespaces.all(chart, "all")
    )
    assert internal_servers_opened(app) == []
    app.synth()


def test_a_workload_made_once_cdk8s_plus_is_loaded_is_a_peer_whatever_came_before(
    chart: cdk8s.Chart, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sys

    from webapp_constructs._workload import Workload

    class Late(ApiService):
        pass

    monkeypatch.setattr(Workload, "_kp_peer", False)
    monkeypatch.setattr(Workload, "__jsii_ifaces__", [], raising=False)
    monkeypatch.delitem(sys.modules, "cdk8s_plus_27")
    Late(chart, "early", image="api:1")  # before the program loads cdk8s-plus: its overrides are kept
    monkeypatch.setitem(sys.modules, "cdk8s_plus_27", kp)
    late = Late(chart, "late", image="api:1")
    redis = kp.Deployment(chart, "redis", containers=[kp.ContainerProps(image="redis:7", port_number=6379)])
    redis.connections.allow_from(late, isolation=kp.PodConnectionsIsolation.POD)
    (policy,) = [p for p in by_kind(synth(chart), "NetworkPolicy") if p["metadata"]["name"] not in ("early", "late")]
    assert policy["spec"]["ingress"][0]["from"][0]["podSelector"]["matchLabels"] == late.selector
