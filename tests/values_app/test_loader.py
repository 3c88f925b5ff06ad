"""Loading a values file: every problem at once, as file:line: field: what is wrong."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from values_app.loader import ValuesError, load_values, parse_values
from values_app.model import AppValues


def errors(text: str) -> list[str]:
    with pytest.raises(ValuesError) as error:
        parse_values(text, source="v.yaml")
    return error.value.lines


def dump(data: dict[str, Any]) -> str:
    return yaml.safe_dump(data, sort_keys=False)


def line_of(text: str, needle: str) -> int:
    """The line number of the last line containing ``needle``."""
    return max(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


def test_valid_values_load(values_data: dict[str, Any], make_values: Callable[[dict[str, Any]], AppValues]) -> None:
    values = make_values(values_data)
    assert values.object_name("api") == "demo-api"
    from values_app.kinds import facts

    found = facts(values, "web")
    assert found is not None
    assert (found.port, found.service_type) == (3000, "NodePort")


def test_all_problems_at_once_with_line_and_field(values_data: dict[str, Any]) -> None:
    values_data["services"]["api"]["port"] = 70000
    values_data["services"]["web"]["replicas"] = -1
    text = dump(values_data)
    assert errors(text) == [
        f"v.yaml:{line_of(text, 'replicas: -1')}: services.web.replicas: -1 is not a valid replica count (0-1000)",
        f"v.yaml:{line_of(text, 'port: 70000')}: services.api.port: 70000 is not a valid port (1-65535)",
    ]


def test_unknown_key_suggests_the_right_one(values_data: dict[str, Any]) -> None:
    values_data["services"]["api"]["replica"] = 2
    text = dump(values_data)
    assert errors(text) == [
        f"v.yaml:{line_of(text, 'replica: 2')}: services.api.replica: unknown key 'replica'; did you mean 'replicas'?"
    ]


def test_a_suggestion_is_a_key_allowed_where_the_unknown_one_stands(values_data: dict[str, Any]) -> None:
    values_data["config"] = {"LOG_LEVEL": "debug"}  # 'config' is a key of a service, not of the file
    values_data["nameSpace"] = values_data.pop("namespace")
    text = dump(values_data)
    assert sorted(errors(text)) == [
        f"v.yaml:{line_of(text, 'config:')}: config: unknown key 'config'; did you mean 'configMaps'?",
        f"v.yaml:{line_of(text, 'nameSpace:')}: nameSpace: unknown key 'nameSpace'; did you mean 'namespace'?",
    ]


def test_a_key_with_a_newline_or_blank_is_quoted_so_each_problem_stays_one_line(values_data: dict[str, Any]) -> None:
    values_data["auditSkips"] = {"\n": "why", "": "empty"}
    values_data["services"]["my api"] = values_data["services"].pop("api")
    found = errors(dump(values_data))
    assert all("\n" not in line for line in found)
    assert any(re.match(r"^v\.yaml:\d+: auditSkips\['\\n'\]: '\\n' is not allowed here", line) for line in found), found
    assert any(
        re.match(
            r"^v\.yaml:\d+: auditSkips\[''\]: 'empty' has 5 visible characters; a reason has at least 10 "
            r"\(blanks, zero-width and control characters do not count\): say why the check does not apply$",
            line,
        )
        for line in found
    ), found
    assert any(re.match(r"^v\.yaml:\d+: services\['my api'\]", line) for line in found), found


def test_a_string_too_long_is_cut_short_in_the_message(values_data: dict[str, Any]) -> None:
    values_data["description"] = "x" * 300
    text = dump(values_data)
    assert errors(text) == [
        f"v.yaml:{line_of(text, 'description:')}: description: {'x' * 40!r}... is too long (at most 200 characters)"
    ]


def test_cross_field_problems(values_data: dict[str, Any]) -> None:
    values_data["services"]["api"]["env"]["secrets"].append("OPENAI_KEY")
    values_data["services"]["api"]["env"]["config"].append("API_TOKEN")
    text = dump(values_data)
    assert errors(text) == [
        f"v.yaml:{line_of(text, '- LOG_LEVEL') + 1}: services.api.env.config[1]: API_TOKEN is not declared; "
        "it is declared under secrets: list it under env.secrets",
        f"v.yaml:{line_of(text, '- OPENAI_KEY')}: services.api.env.secrets[2]: OPENAI_KEY is not declared; "
        "declare it under secrets:",
    ]


def test_rules_between_fields_point_at_the_field(values_data: dict[str, Any]) -> None:
    values_data["services"]["mcp"]["service"] = {"nodePort": 30101}
    values_data["services"]["api"]["resources"] = {"requests": {"cpu": "2"}, "limits": {"cpu": "500m"}}
    text = dump(values_data)
    cpu_line = line_of(text, "cpu: '2'")
    assert errors(text) == [
        f"v.yaml:{cpu_line}: services.api.resources.requests.cpu: 2 exceeds limits.cpu 500m",
        f"v.yaml:{line_of(text, 'nodePort: 30101')}: services.mcp.service.nodePort: 30101 needs service.type NodePort or "
        "LoadBalancer, not ClusterIP",
    ]


def test_duplicate_node_ports_and_secret_looking_config(values_data: dict[str, Any]) -> None:
    values_data["services"]["api"]["service"] = {"type": "NodePort", "nodePort": 30100}
    values_data["configMaps"]["demo-config"]["OPENAI_API_KEY"] = "sk-oops"
    found = errors(dump(values_data))
    assert any(
        e.endswith(
            "configMaps.demo-config.OPENAI_API_KEY: OPENAI_API_KEY looks like a secret; "
            "declare it under secrets:, not in a ConfigMap"
        )
        for e in found
    )
    assert any(e.endswith("services.api.service.nodePort: 30100 is already the node port of service web") for e in found)
    assert not any("sk-oops" in e for e in found)


def test_selectors_that_overlap_are_refused(values_data: dict[str, Any]) -> None:
    values_data["services"]["web"]["selectorLabels"] = {"app": "demo"}
    values_data["services"]["api"]["selectorLabels"] = {"app": "demo"}
    found = errors(dump(values_data))
    assert any(
        "services.web.selectorLabels: the selector {'app': 'demo'} also matches the pods of service api" in e for e in found
    )


def test_kind_is_required_and_checked(values_data: dict[str, Any]) -> None:
    values_data["services"]["api"]["kind"] = "database"
    del values_data["services"]["mcp"]["kind"]
    found = errors(dump(values_data))
    kinds = "web, api, mcp, worker, cronjob, migration"
    assert any(e.endswith(f"services.api: kind 'database' is not one of {kinds}") for e in found)
    assert any(e.endswith(f"services.mcp: missing 'kind' (one of {kinds})") for e in found)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "v.yaml: the values file is empty"),
        ("- a\n- b\n", "v.yaml:1: the values file must be a mapping (key: value), not a list"),
        ("release: [unclosed\n", "v.yaml:2: not valid YAML"),
        ("release: a\nappName: \x00\n", "v.yaml:2: not valid YAML: unacceptable character #x0000"),
    ],
)
def test_not_a_values_document(text: str, message: str) -> None:
    (line,) = errors(text)
    assert line.startswith(message)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ValuesError, match=r"absent.yaml: no such values file$"):
        load_values(tmp_path / "absent.yaml")


def test_numbers_where_strings_belong_say_quote_it(values_data: dict[str, Any]) -> None:
    values_data["appVersion"] = 1.0
    (line,) = errors(dump(values_data))
    assert line.endswith("appVersion: 1.0 is a number, expected string (quote it)")


def test_duplicate_keys_are_reported(values_data: dict[str, Any]) -> None:
    text = dump(values_data).replace("release: demo\n", "release: demo\nrelease: demo2\n")
    assert errors(text) == ["v.yaml:2: release: appears twice (first on line 1); YAML keeps only the last"]


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda d: d.__setitem__("services", ["web"]), "services: ['web'] is a list, expected dictionary"),
        (
            lambda d: d["services"]["web"].__setitem__("image", "demo-web:1"),
            "services.web.image: 'demo-web:1' is a string, expected mapping",
        ),
        (
            lambda d: d["services"]["web"]["service"].__setitem__("nodePort", 80),
            "services.web.service.nodePort: 80 is not a valid node port (30000-32767)",
        ),
        (
            lambda d: d["services"]["api"].__setitem__("resources", {"limits": {"memory": "lots"}}),
            "services.api.resources.limits.memory: 'lots' is not a memory quantity (bytes with a suffix such as 128Mi or 1Gi)",
        ),
        (
            lambda d: d["services"]["api"]["image"].__setitem__("repository", "Demo/API"),
            "services.api.image.repository: 'Demo/API' is not an image repository (lowercase path such as registry.io/team/app)",
        ),
        (
            lambda d: d["configMaps"]["demo-config"].__setitem__("LOG-LEVEL", "x"),
            "configMaps.demo-config.LOG-LEVEL: 'LOG-LEVEL' is not a valid environment variable name here: letters, digits "
            "and '_', not starting with a digit (so it also works as a shell variable)",
        ),
        (
            lambda d: d.__setitem__("nodeHost", "http://minikube"),
            "nodeHost: 'http://minikube' is neither an IP address nor a host name",
        ),
        (
            lambda d: d["services"]["api"].__setitem__("name", "demo-web"),
            "services.api.name: demo-web is already the name of service web; object names must be unique",
        ),
        (
            lambda d: d["services"]["api"].__setitem__("name", "demo-default-deny"),
            "services.api: demo-default-deny is the name of the release's default-deny NetworkPolicy; rename the service",
        ),
        (
            lambda d: d["services"]["web"]["image"].pop("tag"),
            "services.web.image.tag: give a tag or a digest: an image without one silently means 'latest'",
        ),
        (lambda d: d.pop("release"), "release: required, but missing"),
    ],
)
def test_each_error_class_has_a_precise_message(values_data: dict[str, Any], mutate: Any, message: str) -> None:
    mutate(values_data)
    found = errors(dump(values_data))
    assert any(re.fullmatch(rf"v\.yaml:\d+: {re.escape(message)}", line) for line in found), found
