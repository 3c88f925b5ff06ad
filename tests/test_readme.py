"""The README's examples work as it says, and its preset table lists every preset."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from tests.helpers import container, one
from values_app.model import AppValues
from values_app.release import APP_FILE, build_release
from values_app.synth import render_files

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def section(title: str) -> str:
    return README.split(f"\n{title}\n", 1)[1].split("\n## ", 1)[0]


def test_add_a_service_example_renders_as_described(make_values: Callable[[dict[str, Any]], AppValues]) -> None:
    snippet = re.search(r"```yaml\n(.*?)```", section("### Add a service"), re.S)
    assert snippet is not None
    data = yaml.safe_load((ROOT / "values" / "003-local-k8s-deployment.yaml").read_text())
    data["services"].update(yaml.safe_load(snippet.group(1))["services"])
    app = render_files(build_release(make_values(data), environ={}))[APP_FILE]

    deployment, service = one(app, "Deployment", "todo-chatbot-worker"), one(app, "Service", "todo-chatbot-worker")
    assert service["spec"]["type"] == "ClusterIP"
    assert deployment["metadata"]["labels"]["app.kubernetes.io/component"] == "worker"
    probe = container(deployment)["livenessProbe"]
    assert probe["tcpSocket"]["port"] == 8002
    mcp_policy = one(app, "NetworkPolicy", "todo-mcp")  # "calls the MCP server": the policy lets it
    callers = [peer["podSelector"]["matchLabels"] for rule in mcp_policy["spec"]["ingress"] for peer in rule["from"]]
    assert {"app.kubernetes.io/instance": "todo-chatbot", "app.kubernetes.io/name": "todo-chatbot-worker"} in callers


def test_preset_table_lists_every_preset() -> None:
    table = section("## Presets")
    for preset in sorted((ROOT / "values").glob("*.yaml")):
        assert f"`values/{preset.name}`" in table, f"add {preset.name} to the README's preset table"
