"""Release: the chart that composes the constructs from a values file."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from constructs.release import APP_FILE, NAMESPACE_FILE, SECRETS_FILE, build_release
from constructs.synth import render_files
from constructs.values import AppValues
from tests.helpers import by_kind, container, one

Make = Callable[[dict[str, Any]], AppValues]


def files(values: AppValues, environ: dict[str, str] | None = None) -> dict[str, list[dict[str, Any]]]:
    return render_files(build_release(values, environ=environ or {}))


def test_files_in_apply_order(values_data: dict[str, Any], make_values: Make) -> None:
    out = files(make_values(values_data), {"DATABASE_URL": "x", "API_TOKEN": "y"})
    assert list(out) == [NAMESPACE_FILE, SECRETS_FILE, APP_FILE]
    assert [m["kind"] for m in out[NAMESPACE_FILE]] == ["Namespace"]
    assert "namespace" not in out[NAMESPACE_FILE][0]["metadata"]
    kinds = [m["kind"] for m in out[APP_FILE]]
    assert kinds == ["ConfigMap"] + ["Service", "Deployment"] * 3


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
