"""Manifest: a Kubernetes object built as a dict, one jsii call to create, none to render."""

from __future__ import annotations

import cdk8s
import pytest

from constructs.manifest import Manifest, chart_manifests, chart_namespace, object_meta
from imports import k8s


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


def test_other_api_objects_in_the_chart_are_rendered_too(chart: cdk8s.Chart) -> None:
    Manifest(chart, "first", {"apiVersion": "v1", "kind": "ConfigMap", "metadata": object_meta("first")})
    k8s.KubeConfigMap(chart, "typed", metadata=k8s.ObjectMeta(name="typed"), data={"K": "v"})
    rendered = chart_manifests(chart)
    assert [m["metadata"]["name"] for m in rendered] == ["first", "typed"]
    assert rendered[1]["metadata"]["namespace"] == "test"


def test_json_patches_are_refused_with_the_way_out(chart: cdk8s.Chart) -> None:
    manifest = Manifest(chart, "cm", {"apiVersion": "v1", "kind": "ConfigMap", "metadata": object_meta("cm")})
    with pytest.raises(TypeError, match=r"change its \.manifest dict instead"):
        manifest.add_json_patch(cdk8s.JsonPatch.add("/data", {}))
    manifest.manifest["data"] = {"K": "v"}
    assert chart_manifests(chart)[0]["data"] == {"K": "v"}


def test_chart_namespace_is_asked_once_per_chart(chart: cdk8s.Chart) -> None:
    assert chart_namespace(chart) == "test"
    assert chart_namespace(Manifest(chart, "x", {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {}})) == "test"


def test_object_meta_leaves_out_empty_fields() -> None:
    assert object_meta("n") == {"name": "n"}
    assert object_meta("n", namespace="ns", labels={"a": "b"}, annotations={}) == {
        "name": "n",
        "namespace": "ns",
        "labels": {"a": "b"},
    }
