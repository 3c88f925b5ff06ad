"""The reachability evaluator the contract tests lean on (tests/reachability.py) can say no; and
the whole: a chart with every peer kind lets through exactly the connections made in code."""

from __future__ import annotations

import copy
import functools
from dataclasses import replace
from typing import Any

import pytest

from tests.crd_schemas import validate_kubernetes
from tests.reachability import KUBE_DNS, Connection, Pod, allowed, external, pods_of, reachable, stranger
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


# --- the whole: a chart with every peer kind ---------------------------------------------------------

SHOP = "shop"
POD_NETWORK = "10.244.0.0/24"
DB, SMTP, OFFICE, INTERNET = "10.20.0.5", "10.30.0.9", "203.0.113.7", "198.51.100.1"
PORTS = [(p, "TCP") for p in (80, 3000, 8000, 8001, 6379, 5672, 9200, 5432, 587, 9999)] + [(53, "UDP"), (53, "TCP")]


@functools.cache
def _every_peer_kind() -> tuple[list[dict[str, Any]], list[Pod]]:
    """A chart in namespace shop with one of each peer kind ``connect``/``allow_from`` take (and
    those connect refuses), rendered; and every endpoint: its pods (with addresses of the pod
    network), kube-dns, the ingress controller, a pod of namespace monitoring, pods no policy was
    written for, and addresses outside the cluster."""
    import cdk8s
    import cdk8s_plus_27 as kp

    from webapp_constructs import ApiService, AppIngress, DefaultDeny, Destination, Egress, McpService, WebService, WorkerService
    from webapp_constructs._props import PropsError

    chart = cdk8s.Chart(cdk8s.Testing.app(), SHOP, namespace=SHOP, disable_resource_name_hashes=True)
    outside = Egress(external=[Destination(cidrs=[f"{DB}/32"], ports=[5432]), Destination(cidrs=[f"{SMTP}/32"], ports=[587])])
    web = WebService(chart, "web", image="web:1", egress=Egress())
    docs = WebService(chart, "docs", image="docs:1", server="nginx", egress=Egress())
    api = ApiService(chart, "api", image="api:1", egress=outside)
    tools = McpService(chart, "tools", image="mcp:1", egress=Egress())
    worker = WorkerService(chart, "worker", image="api:1", egress=Egress())
    DefaultDeny(chart, "default-deny", pod_selector={"app.kubernetes.io/instance": SHOP}, egress=True)
    AppIngress(chart, "ingress", host="shop.example.com", routes={"/": web})  # ours behind an AppIngress
    kp.Ingress(chart, "docs-ingress", default_backend=docs.ingress_backend())  # ours behind a kp.Ingress

    cache = kp.Deployment(chart, "cache", containers=[kp.ContainerProps(image="redis:7", port_number=6379)])
    queue = kp.StatefulSet(chart, "queue", containers=[kp.ContainerProps(image="rabbitmq:3", port_number=5672)])
    search = kp.Deployment(chart, "search", containers=[kp.ContainerProps(image="opensearch:2", port_number=9200)])
    nightly = kp.CronJob(chart, "nightly", schedule=cdk8s.Cron.daily(), containers=[kp.ContainerProps(image="api:1")])
    kp.Pod(
        chart,
        "probe",
        containers=[kp.ContainerProps(image="probe:1")],
        metadata=cdk8s.ApiObjectMetadata(labels={"role": "probe"}),
    )
    external_db = kp.Service(
        chart, "external-db", type=kp.ServiceType.EXTERNAL_NAME, external_name="db.internal", ports=[kp.ServicePort(port=5432)]
    )
    selectorless = kp.Service(chart, "selectorless", ports=[kp.ServicePort(port=5432)])

    web.connect(api, env="API_URL")  # ours
    api.connect(tools, env="TOOLS_URL")
    worker.connect(api)
    api.connect(cache.expose_via_service(), env="REDIS_URL", scheme="redis")  # kp Service with a selector
    api.connect(queue)  # kp StatefulSet
    api.connect(kp.Service(chart, "search-service", ports=[kp.ServicePort(port=80, target_port=9200)], selector=search))
    for destination in (external_db, selectorless):  # kp Services without pods: refused, nothing opened
        with pytest.raises(PropsError, match="Egress"):
            api.connect(destination)
    api.allow_from(nightly)  # kp CronJob
    api.allow_from(kp.Pods.select(chart, "probes", labels={"role": "probe"}))  # kp.Pods
    api.allow_from(kp.Namespaces.select(chart, "monitoring", names=["monitoring"]))  # kp.Namespaces
    api.allow_from_cidr(f"{OFFICE}/32")  # CIDRs
    with pytest.raises(PropsError):
        tools.allow_from(kp.Namespaces.all(chart, "everyone"))  # the internal server refuses it

    manifests: list[dict[str, Any]] = cdk8s.Testing.synth(chart)
    pods = pods_of(manifests, SHOP, POD_NETWORK)
    short = {name.removeprefix(f"{SHOP}-"): pod for name, pod in pods.items()}
    endpoints = [replace(pod, name=name) for name, pod in short.items()]
    endpoints += [
        replace(KUBE_DNS, ip="10.244.1.10"),
        Pod(
            "controller",
            "ingress-nginx",
            {"app": "ingress-nginx"},
            {"kubernetes.io/metadata.name": "ingress-nginx"},
            ip="10.244.1.20",
        ),
        Pod("monitor", "monitoring", {"app": "prometheus"}, {"kubernetes.io/metadata.name": "monitoring"}, ip="10.244.1.30"),
        replace(stranger(SHOP), name="stranger", ip="10.244.1.40"),
        replace(stranger("elsewhere"), name="elsewhere", ip="10.244.1.50"),
        external("db", DB),
        external("smtp", SMTP),
        external("office", OFFICE),
        external("internet", INTERNET),
    ]
    return manifests, endpoints


def every_peer_kind() -> tuple[list[dict[str, Any]], list[Pod]]:
    manifests, endpoints = _every_peer_kind()
    return copy.deepcopy(manifests), list(endpoints)


def intended(names: list[str]) -> set[Connection]:
    """What the program above means, written from its calls, not from the policies: each of ours
    and each cdk8s-plus pod something connects to admits what connects to it, on its pod port, and
    nothing else; ours reach DNS and what they connect to (api also its two destinations outside),
    on those ports, and nothing else (the default-deny denies their egress); a pod no policy selects
    (kube-dns, the controller, nightly, probe, the strangers) and an address outside keep
    Kubernetes' default: open to every source whose egress is open, on every port."""
    ours = {"web", "docs", "api", "tools", "worker"}
    governed = ours | {"cache", "queue", "search"}  # their pods admit only what connects to them
    admitted = {
        ("controller", "web", 3000),  # behind the AppIngress: the controller only
        ("controller", "docs", 80),  # behind the kp.Ingress: the controller only
        *((source, "api", 8000) for source in ("web", "worker", "nightly", "probe", "monitor", "office")),
        ("api", "tools", 8001),
        ("api", "cache", 6379),
        ("api", "queue", 5672),
        ("api", "search", 9200),  # the Service's target port, not its port 80
    }
    found: set[Connection] = {(source, destination, port, "TCP") for source, destination, port in admitted}
    found |= {(source, "kube-dns", 53, protocol) for source in ours for protocol in ("UDP", "TCP")}
    found |= {("api", "db", 5432, "TCP"), ("api", "smtp", 587, "TCP")}
    found |= {
        (source, destination, port, protocol)
        for source in names
        if source not in ours
        for destination in names
        if destination not in governed and destination != source
        for port, protocol in PORTS
    }
    return found


def test_every_peer_kind_opens_exactly_the_connections_made_in_code() -> None:
    manifests, endpoints = every_peer_kind()
    names = [endpoint.name for endpoint in endpoints]
    assert sorted(names) == sorted(
        [
            "web",
            "docs",
            "api",
            "tools",
            "worker",
            "cache",
            "queue",
            "search",
            "nightly",
            "probe",
            "kube-dns",
            "controller",
            "monitor",
            "stranger",
            "elsewhere",
            "db",
            "smtp",
            "office",
            "internet",
        ]
    )
    for manifest in manifests:  # what the API server accepts, strictly
        validate_kubernetes(manifest)
    found = reachable(manifests, endpoints, PORTS)
    wanted = intended(names)
    assert found - wanted == set(), "opened, not meant"
    assert wanted - found == set(), "meant, not opened"


def _without_ports(manifests: list[dict[str, Any]], name: str) -> None:
    for rule in _policy(manifests, name)["spec"]["ingress"]:
        rule.pop("ports", None)


def _policy(manifests: list[dict[str, Any]], name: str) -> dict[str, Any]:
    return next(m for m in manifests if m["kind"] == "NetworkPolicy" and m["metadata"]["name"] == name)


MUTATIONS: dict[str, Any] = {
    "an ingress rule on every port": lambda m: _without_ports(m, "api"),
    "an admission on every pod": lambda m: _policy(m, "api")["spec"].update(podSelector={}),
    "DNS cut": lambda m: _policy(m, "api")["spec"]["egress"].pop(0),
    "DNS in every namespace": lambda m: _policy(m, "api")["spec"]["egress"][0]["to"][0].pop("namespaceSelector"),
    "the office block widened": lambda m: [
        peer["ipBlock"].update(cidr="0.0.0.0/0") for peer in _policy(m, "api")["spec"]["ingress"][0]["from"] if "ipBlock" in peer
    ],
    "an except carved out of it": lambda m: [
        peer["ipBlock"].update(cidr="203.0.113.0/24", **{"except": [f"{OFFICE}/32"]})
        for peer in _policy(m, "api")["spec"]["ingress"][0]["from"]
        if "ipBlock" in peer
    ],
    "a namespace selector opened to all": lambda m: [
        peer.update(namespaceSelector={})
        for peer in _policy(m, "api")["spec"]["ingress"][0]["from"]
        if "namespaceSelector" in peer
    ],
    "a named port that is no port": lambda m: _policy(m, "web")["spec"]["ingress"][0]["ports"][0].update(port="metrics"),
    "a workload's policy and the default-deny gone": lambda m: [m.remove(_policy(m, n)) for n in ("tools", "default-deny")],
    "egress pairs crossed": lambda m: _policy(m, "api")["spec"]["egress"][-1]["ports"].append({"protocol": "TCP", "port": 5432}),
}


@pytest.mark.parametrize("mutation", list(MUTATIONS))
def test_the_checker_sees_each_change_to_the_policies(mutation: str) -> None:
    """The whole check can fail: each change to the rendered policies, one more or one less
    connection, is seen."""
    manifests, endpoints = every_peer_kind()
    MUTATIONS[mutation](manifests)
    assert reachable(manifests, endpoints, PORTS) != intended([e.name for e in endpoints])
