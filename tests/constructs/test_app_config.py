"""AppConfig: one ConfigMap, its data as given, within Kubernetes' size limit."""

from __future__ import annotations

import cdk8s
import pytest

from tests.helpers import one
from webapp_constructs._app_config import AppConfig
from webapp_constructs._props import PropsError


def test_one_config_map_with_the_shared_labels(chart: cdk8s.Chart) -> None:
    AppConfig(chart, "config", name="a-config", data={"Y": "", "Z": "http://svc:80"}, part_of="todo", component="config")
    config = one(cdk8s.Testing.synth(chart), "ConfigMap", "a-config")
    assert config["data"] == {"Y": "", "Z": "http://svc:80"}
    assert config["metadata"]["labels"] == {
        "app.kubernetes.io/component": "config",
        "app.kubernetes.io/instance": "test",
        "app.kubernetes.io/managed-by": "cdk8s",
        "app.kubernetes.io/name": "todo",
        "app.kubernetes.io/part-of": "todo",
    }


def test_at_most_one_mebibyte(chart: cdk8s.Chart) -> None:
    AppConfig(chart, "fits", data={"A": "x" * 1048576})
    with pytest.raises(PropsError, match=r"data: the ConfigMap data totals 1048577 bytes; Kubernetes allows at most 1048576"):
        AppConfig(chart, "too-big", data={"A": "x" * 1048576, "B": "y"})
    with pytest.raises(PropsError, match=r"data\['a b'\]: 'a b' is not a valid ConfigMap or Secret key"):
        AppConfig(chart, "bad-key", data={"a b": "x"})
