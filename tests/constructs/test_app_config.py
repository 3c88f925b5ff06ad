"""AppConfig: one ConfigMap per declared name, data as given."""

from __future__ import annotations

import cdk8s

from constructs.config_maps import AppConfig
from tests.helpers import by_kind


def test_one_config_map_per_name_with_labels(chart: cdk8s.Chart) -> None:
    AppConfig(
        chart,
        "config",
        config_maps={"a-config": {"X": "1"}, "b-config": {"Y": "", "Z": "http://svc:80"}},
        labels={"app.kubernetes.io/component": "config"},
    )
    maps = by_kind(cdk8s.Testing.synth(chart), "ConfigMap")
    assert [(m["metadata"]["name"], m["data"]) for m in maps] == [
        ("a-config", {"X": "1"}),
        ("b-config", {"Y": "", "Z": "http://svc:80"}),
    ]
    assert all(m["metadata"]["labels"] == {"app.kubernetes.io/component": "config"} for m in maps)
    assert all(m["metadata"]["namespace"] == "test" for m in maps)
