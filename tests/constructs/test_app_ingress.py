"""AppIngress: TLS and path prefixes to the app's services; the controller may reach them."""

from __future__ import annotations

import re

import cdk8s
import pytest

from tests.helpers import one
from webapp_constructs._api_service import ApiService
from webapp_constructs._app_ingress import AppIngress
from webapp_constructs._mcp_service import McpService
from webapp_constructs._props import PropsError
from webapp_constructs._web_service import WebService


def test_tls_host_and_paths_and_the_controller_may_connect(chart: cdk8s.Chart) -> None:
    backend = ApiService(chart, "backend", image="api:1", name="todo-backend")
    frontend = WebService(chart, "frontend", image="web:1", name="todo-web", service_type="ClusterIP", allow_external=False)
    AppIngress(
        chart,
        "ingress",
        name="todo",
        host="todo.example.com",
        routes={"/api": backend, "/": frontend},
        class_name="nginx",
        tls_secret="todo-tls",
        annotations={"cert-manager.io/cluster-issuer": "letsencrypt"},
    )
    manifests = cdk8s.Testing.synth(chart)
    ingress = one(manifests, "Ingress", "todo")
    assert ingress["metadata"]["annotations"] == {"cert-manager.io/cluster-issuer": "letsencrypt"}
    assert ingress["spec"] == {
        "ingressClassName": "nginx",
        "tls": [{"hosts": ["todo.example.com"], "secretName": "todo-tls"}],
        "rules": [
            {
                "host": "todo.example.com",
                "http": {
                    "paths": [
                        {
                            "path": "/api",
                            "pathType": "Prefix",
                            "backend": {"service": {"name": "todo-backend", "port": {"number": 8000}}},
                        },
                        {
                            "path": "/",
                            "pathType": "Prefix",
                            "backend": {"service": {"name": "todo-web", "port": {"number": 3000}}},
                        },
                    ]
                },
            }
        ],
    }
    controller = {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "ingress-nginx"}}}
    for name in ("todo-backend", "todo-web"):
        assert one(manifests, "NetworkPolicy", name)["spec"]["ingress"][0]["from"] == [controller]


def test_the_internal_mcp_server_is_not_routed_unless_exposed(chart: cdk8s.Chart) -> None:
    mcp = McpService(chart, "mcp", image="mcp:1")
    with pytest.raises(PropsError, match=r"routes./mcp: mcp is an internal MCP server; set expose_node_port=True"):
        AppIngress(chart, "ingress", host="todo.example.com", routes={"/mcp": mcp})
    exposed = McpService(chart, "public-mcp", image="mcp:1", expose_node_port=True)
    AppIngress(chart, "ingress2", host="todo.example.com", routes={"/mcp": exposed})


@pytest.mark.parametrize(
    ("props", "message"),
    [
        ({"host": "Todo.example.com"}, "host: 'Todo.example.com' is not a valid Ingress host"),
        ({"routes": {}}, "paths: is empty; it needs at least one entry"),
        (
            {"annotations": {"a": "x" * 262144}},
            "annotations: the annotations total 262145 bytes; Kubernetes allows at most 262144",
        ),
    ],
)
def test_invalid_props(chart: cdk8s.Chart, props: dict[str, object], message: str) -> None:
    backend = ApiService(chart, "backend", image="api:1")
    kwargs: dict[str, object] = {"host": "todo.example.com", "routes": {"/": backend}, **props}
    with pytest.raises(PropsError, match=message):
        AppIngress(chart, "ingress", **kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize("key", ["nginx.ingress.kubernetes.io/server-snippet", "haproxy.org/backend-config-snippet"])
def test_a_configuration_snippet_needs_its_reason(chart: cdk8s.Chart, key: str) -> None:
    web = WebService(chart, "web", image="web:1")
    with pytest.raises(PropsError, match=rf"annotations\.{re.escape(key)}: injects raw configuration .*CVE-2021-25742"):
        AppIngress(chart, "ingress", host="a.example.com", routes={"/": web}, annotations={key: "return 200;"})
    AppIngress(
        chart,
        "ingress",
        host="a.example.com",
        routes={"/": web},
        annotations={key: "return 200;"},
        audit_skips={"CKV_K8S_153": "the only way to answer the health check"},
    )
    ingress = one(cdk8s.Testing.synth(chart), "Ingress")
    assert ingress["metadata"]["annotations"]["checkov.io/skip1"] == "CKV_K8S_153=the only way to answer the health check"
    assert "checkov.io/skip1" not in one(cdk8s.Testing.synth(chart), "Deployment")["metadata"].get("annotations", {})


@pytest.mark.parametrize("routes", ["/", ["/"], None])
def test_routes_that_are_no_mapping_are_one_type_error(chart: cdk8s.Chart, routes: object) -> None:
    """Not path errors about the characters of a string, nor a repr of a construct."""
    web = WebService(chart, "web", image="web:1")
    given = [web] if routes == ["/"] else routes
    with pytest.raises(TypeError) as raised:
        AppIngress(chart, "ingress", host="shop.example.com", routes=given)  # type: ignore[arg-type]
    assert str(raised.value) == (
        f"AppIngress 'ingress': routes maps path prefixes to services, such as {{'/': web}}, not {type(given).__name__}"
    )
    AppIngress(chart, "ingress", host="shop.example.com", routes={"/": web})  # the ID is still free


def test_paths_are_those_of_routes_not_a_keyword(chart: cdk8s.Chart) -> None:
    """help(AppIngress) shows no paths= (it took it, then failed on Python's "multiple values")."""
    import inspect

    assert "paths" not in inspect.signature(AppIngress).parameters
    assert "routes" in inspect.signature(AppIngress).parameters
    web = WebService(chart, "web", image="web:1")
    with pytest.raises(
        TypeError, match=r"^AppIngress 'ingress': the paths are those of routes, such as \{'/': web\}; drop paths=$"
    ):
        AppIngress(chart, "ingress", host="shop.example.com", routes={"/": web}, paths=["/x"])  # type: ignore[call-arg]
    AppIngress(chart, "ingress", host="shop.example.com", routes={"/": web})
