"""``${...}`` references: values that follow from the services."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

import pytest

from values_app.model import AppValues
from values_app.references import BadReferenceError, expand, reference_table

TABLE = {"services.api.url": "http://demo-api:8000", "release": "demo"}


def test_expand_replaces_references_and_keeps_the_rest() -> None:
    assert expand("${services.api.url}/v1 for ${release}", TABLE) == "http://demo-api:8000/v1 for demo"
    assert expand("plain text", TABLE) == "plain text"
    assert expand("cost: $$5", TABLE) == "cost: $5"


def test_unknown_reference_suggests_the_closest() -> None:
    with pytest.raises(
        BadReferenceError, match=r"\$\{services.apl.url\} is not a known reference; did you mean \$\{services.api.url\}\?"
    ):
        expand("${services.apl.url}", TABLE)


def test_stray_dollar_is_an_error() -> None:
    with pytest.raises(BadReferenceError, match="write \\$\\$ for a literal"):
        expand("price $5", TABLE)


def test_table_follows_names_and_ports(values_data: dict[str, Any], make_values: Callable[[dict[str, Any]], AppValues]) -> None:
    values_data["services"]["api"].update(name="the-api", port=9000, service={"port": 80})
    values_data["nodeHost"] = "10.0.0.5"
    table = reference_table(make_values(values_data))
    assert table["services.api.url"] == "http://the-api:80"
    assert table["services.api.containerPort"] == "9000"
    assert table["services.web.nodeUrl"] == "http://10.0.0.5:30100"
    assert "services.api.nodeUrl" not in table


def test_config_values_follow_a_port_change(
    values_data: dict[str, Any], make_values: Callable[[dict[str, Any]], AppValues]
) -> None:
    values_data["services"]["api"]["service"] = {"port": 8080}
    values = make_values(values_data)
    assert values.config_maps["demo-config"]["API_URL"] == "http://demo-api:8080"


def test_node_url_of_a_service_without_node_port_says_why(
    values_data: dict[str, Any], make_values: Callable[[dict[str, Any]], AppValues]
) -> None:
    from values_app.loader import ValuesError

    values_data["configMaps"]["demo-config"]["API_URL"] = "${services.api.nodeUrl}"
    with pytest.raises(ValuesError, match=r"has no fixed service\.nodePort"):
        make_values(values_data)


def test_the_props_kept_through_expansion_are_those_checked_afresh(
    values_data: dict[str, Any], make_values: Callable[[dict[str, Any]], AppValues], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each service's construct checks its props once as the values load; expanding references
    keeps them (an unchanged service) or changes only the command and args, which are checked by
    their own rules: the same props as a fresh check, and the same refusal."""
    from values_app import kinds
    from webapp_constructs._workload import Workload

    values_data["services"]["api"]["args"] = ["--port", "${services.api.containerPort}"]
    checked: list[str] = []
    original = Workload.check_props.__func__  # type: ignore[attr-defined]

    def spy(cls: type[Workload], /, id: str, **kwargs: Any) -> Any:
        checked.append(id)
        return original(cls, id, **kwargs)

    monkeypatch.setattr(Workload, "check_props", classmethod(spy))
    values = make_values(values_data)
    assert sorted(checked) == ["api", "mcp", "web"]  # once each, before the expansion
    props = kinds.service_props(values, "api")
    assert list(props.args) == ["--port", "8000"]
    kinds._CACHE.clear()  # what a fresh check gives
    assert kinds.service_props(values, "api") == props
    assert kinds.service_props(values, "web") is not None
    assert sorted(checked) == ["api", "api", "mcp", "web", "web"]


def test_a_command_that_expands_to_what_its_rules_refuse_is_refused(
    values_data: dict[str, Any], make_values: Callable[[dict[str, Any]], AppValues]
) -> None:
    from values_app import kinds
    from webapp_constructs._props import PropsError, fields_of

    values = make_values(values_data)
    kinds.service_props(values, "api")  # fine as loaded
    loaded = values.services["api"]  # what no values file loads: only the construct's rules see it
    cls: Any = type(loaded)
    api = cls.from_checked({**{f.name: getattr(loaded, f.name) for f in fields_of(cls)}, "args": []})
    expanded = dataclasses.replace(values, services={**values.services, "api": api})
    kinds.keep_computed(values, expanded)
    with pytest.raises(PropsError) as refused:
        kinds.service_props(expanded, "api")
    assert [problem.path for problem in refused.value.problems] == [("args",)]
    assert kinds.service_props(expanded, "web") is kinds.service_props(values, "web")


def test_a_configmap_that_outgrows_1_mib_as_its_references_expand_is_refused_at_its_line(
    values_data: dict[str, Any], make_values: Callable[[dict[str, Any]], AppValues]
) -> None:
    """What a reference expands to is checked by the rules of its field: the ConfigMap below 1 MiB
    as written, above it once ``${services.web.nodeUrl}`` is the node's long address."""
    from values_app.loader import ValuesError

    values_data["nodeHost"] = "node-" + "a" * 50 + ".example.com"
    values_data["services"]["web"].setdefault("service", {})["nodePort"] = 30100
    reference = "${services.web.nodeUrl}"
    values_data["configMaps"]["demo-config"]["BIG"] = "x" * (1048576 - 60) + reference
    with pytest.raises(ValuesError) as refused:
        make_values(values_data)
    (line,) = refused.value.lines
    assert line.startswith("test.yaml:3: configMaps.demo-config: the ConfigMap data totals 10486"), line
    values_data["configMaps"]["demo-config"]["BIG"] = "x" * (1048576 - 120) + reference
    assert sum(len(value) for value in make_values(values_data).config_maps["demo-config"].values()) <= 1048576
