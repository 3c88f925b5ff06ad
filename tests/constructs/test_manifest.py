"""Manifest: a Kubernetes object built as a dict that behaves as every cdk8s object does, in
App.synth(), cdk8s.Testing.synth() and chart_manifests() alike; deferred objects."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import cdk8s
import pytest

from constructs import Construct
from imports import k8s
from tests.helpers import load_all
from webapp_constructs._api_service import ApiService
from webapp_constructs._charts import defer_objects
from webapp_constructs._manifest import Lazy, Manifest, ManifestConstruct, chart_manifests, object_meta


def three_ways(chart: cdk8s.Chart, tmp_path: Path) -> list[list[dict[str, Any]]]:
    """The chart as cdk8s.Testing.synth, App.synth (read back from its YAML) and chart_manifests give it."""
    app = cdk8s.App.of(chart)
    assert isinstance(app, cdk8s.App)
    tested = cdk8s.Testing.synth(chart)
    app.synth()
    (written,) = (Path(app.outdir)).glob("*.k8s.yaml")
    return [tested, load_all(written.read_text()), chart_manifests(chart)]


def new_chart(tmp_path: Path, **props: Any) -> cdk8s.Chart:
    return cdk8s.Chart(cdk8s.App(outdir=str(tmp_path / "dist")), "test", namespace="test", **props)


def test_renders_like_cdk8s_with_sorted_keys(chart: cdk8s.Chart) -> None:
    Manifest(
        chart,
        "cm",
        {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": object_meta("cm", labels={"b": "1", "a": "2"}),
            "data": {"Z": "1", "A": "2"},
        },
    )
    (rendered,) = chart_manifests(chart)
    assert list(rendered) == ["apiVersion", "kind", "metadata", "data"]
    assert list(rendered["metadata"]["labels"]) == ["a", "b"]
    assert list(rendered["data"]) == ["A", "Z"]
    assert cdk8s.Testing.synth(chart) == [rendered]


def test_metadata_api_chart_labels_name_and_json_patches_everywhere(tmp_path: Path) -> None:
    chart = new_chart(tmp_path, labels={"team": "todo", "tier": "chart"})
    service = ApiService(chart, "api", image="api:1", labels={"tier": "own"})
    deployment = service.deployment
    assert deployment.name == "api"
    deployment.metadata.add_label("cost-center", "42")
    deployment.metadata.add_annotation("example.com/owner", "todo-team")
    deployment.metadata.add_finalizers("example.com/keep")
    deployment.metadata.add_owner_reference(api_version="v1", kind="ConfigMap", name="owner", uid="1234")
    assert deployment.metadata.get_label("team") == "todo"
    cdk8s.ApiObject.of(deployment).add_json_patch(cdk8s.JsonPatch.add("/spec/template/spec/priorityClassName", "high"))
    service.service.manifest["spec"]["sessionAffinity"] = "ClientIP"
    for rendered in three_ways(chart, tmp_path):
        found = {(m["kind"], m["metadata"]["name"]): m for m in rendered}
        dep = found[("Deployment", "api")]
        assert dep["metadata"]["labels"]["team"] == "todo"
        assert dep["metadata"]["labels"]["tier"] == "own"
        assert dep["metadata"]["labels"]["cost-center"] == "42"
        assert dep["metadata"]["annotations"] == {"example.com/owner": "todo-team"}
        assert dep["metadata"]["finalizers"] == ["example.com/keep"]
        assert dep["metadata"]["ownerReferences"] == [{"apiVersion": "v1", "kind": "ConfigMap", "name": "owner", "uid": "1234"}]
        assert dep["spec"]["template"]["spec"]["priorityClassName"] == "high"
        assert found[("Service", "api")]["spec"]["sessionAffinity"] == "ClientIP"
        assert all(m["metadata"]["labels"]["team"] == "todo" for m in rendered)


def test_other_api_objects_in_the_chart_are_rendered_too(chart: cdk8s.Chart) -> None:
    Manifest(chart, "first", {"apiVersion": "v1", "kind": "ConfigMap", "metadata": object_meta("first")})
    k8s.KubeConfigMap(chart, "typed", metadata=k8s.ObjectMeta(name="typed"), data={"K": "v"})
    rendered = chart_manifests(chart)
    assert [m["metadata"]["name"] for m in rendered] == ["first", "typed"]
    assert rendered[1]["metadata"]["namespace"] == "test"


def test_objects_of_a_nested_chart_belong_to_it(chart: cdk8s.Chart) -> None:
    inner = cdk8s.Chart(chart, "inner", namespace="inner")
    ApiService(inner, "api", image="api:1")
    ApiService(chart, "outer", image="api:1")
    assert {m["metadata"]["namespace"] for m in chart_manifests(chart)} == {"test"}
    assert {m["metadata"]["namespace"] for m in chart_manifests(inner)} == {"inner"}


def test_lazy_values_are_produced_at_render(chart: cdk8s.Chart) -> None:
    data = {"A": "1"}
    Manifest(
        chart,
        "cm",
        {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": {"name": "cm", "annotations": Lazy(lambda: None)},
            "data": Lazy(lambda: dict(data)),
        },
    )
    data["B"] = "2"
    (rendered,) = cdk8s.Testing.synth(chart)
    assert rendered["data"] == {"A": "1", "B": "2"}
    assert "annotations" not in rendered["metadata"]


def test_a_deferred_chart_creates_its_objects_only_when_needed(tmp_path: Path) -> None:
    chart = new_chart(tmp_path)
    defer_objects(chart)
    service = ApiService(chart, "api", image="api:1")
    other = ApiService(chart, "other", image="api:1")
    assert [c.node.id for c in service.node.children] == []
    assert [m["kind"] for m in chart_manifests(chart)] == ["ServiceAccount", "Service", "Deployment", "NetworkPolicy"] * 2
    assert [c.node.id for c in service.node.children] == []
    service.deployment.add_json_patch(cdk8s.JsonPatch.add("/spec/paused", True))
    assert [c.node.id for c in service.node.children] == ["service-account", "service", "deployment", "network-policy"]
    assert cdk8s.ApiObject.of(service) is service.deployment
    assert other.node.children == []
    for rendered in three_ways(chart, tmp_path):
        assert [m["kind"] for m in rendered] == ["ServiceAccount", "Service", "Deployment", "NetworkPolicy"] * 2
        assert [m["spec"].get("paused") for m in rendered if m["kind"] == "Deployment"] == [True, None]
    assert len(other.node.children) == 4


def test_chart_manifests_of_a_construct_tree_without_this_library(chart: cdk8s.Chart) -> None:
    Construct(chart, "empty")
    assert chart_manifests(chart) == []


def test_a_construct_renders_only_the_kinds_it_declares(chart: cdk8s.Chart) -> None:
    # What a pruning deploy lists comes from RENDERS (issue 20, item 17): a kind added without it fails at once.
    class Sloppy(ManifestConstruct):
        RENDERS = (("v1", "ConfigMap"),)

        def __init__(self, scope: cdk8s.Chart, id: str) -> None:
            super().__init__(scope, id)
            self._add("job", {"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "x"}})

    with pytest.raises(TypeError, match=r"Sloppy renders a Job \(batch/v1\) not in its RENDERS"):
        Sloppy(chart, "sloppy")


@pytest.mark.parametrize("given", ["test", None, "app"])
def test_chart_manifests_takes_a_chart(chart: cdk8s.Chart, given: object) -> None:
    scope = chart.node.root if given == "app" else given  # an App is a construct, but no chart
    with pytest.raises(TypeError, match=rf"^chart_manifests takes a cdk8s.Chart, not {type(scope).__name__}$"):
        chart_manifests(scope)  # type: ignore[arg-type]
    assert chart_manifests(chart) == []
