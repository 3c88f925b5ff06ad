"""``${...}`` references: values that follow from the services."""

from __future__ import annotations

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
