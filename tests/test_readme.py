"""The README's examples work as it says, and its preset table lists every preset."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from tests.helpers import one
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

    mailer = one(app, "Deployment", "todo-chatbot-mailer")
    assert mailer["metadata"]["labels"]["app.kubernetes.io/component"] == "mailer"
    assert "todo-chatbot-mailer" not in [s["metadata"]["name"] for s in app if s["kind"] == "Service"]
    mailer = one(app, "NetworkPolicy", "todo-chatbot-mailer")["spec"]
    assert "ingress" not in mailer
    assert "Ingress" in mailer["policyTypes"]
    nightly = one(app, "CronJob", "todo-chatbot-nightly")["spec"]
    assert (nightly["schedule"], nightly["concurrencyPolicy"]) == ("0 3 * * *", "Forbid")
    assert (nightly["successfulJobsHistoryLimit"], nightly["failedJobsHistoryLimit"]) == (3, 1)
    assert nightly["jobTemplate"]["spec"]["activeDeadlineSeconds"] == 3600
    job = one(app, "Job")
    assert re.fullmatch(r"todo-chatbot-migrate-[0-9a-f]{8}", job["metadata"]["name"])
    annotations = job["metadata"]["annotations"]
    assert sorted(annotations["todo-constructs.io/migration-before"].split(",")) == ["todo-backend", "todo-mcp"]
    assert annotations["argocd.argoproj.io/sync-wave"] == "1"  # after what it reads, not a hook
    assert not any(key.endswith("/hook") for key in annotations)


def test_preset_table_lists_every_preset() -> None:
    table = section("## Presets")
    for preset in sorted((ROOT / "values").glob("*.yaml")):
        assert f"`values/{preset.name}`" in table, f"add {preset.name} to the README's preset table"


def test_the_gitops_example_is_the_repositorys_environments_file() -> None:
    (example, *_) = re.findall(r"```yaml\n(gitops:.*?)```", section("## Deploy with Argo CD or Flux"), re.S)
    assert yaml.safe_load(example) == yaml.safe_load((ROOT / "environments.gitops.yaml").read_text())


def test_the_gitops_table_lists_every_setting_with_its_default() -> None:
    from values_app.convert import alias_of
    from values_app.gitops import DEFAULT_NAMESPACES, GitOpsValues

    text = section("## Deploy with Argo CD or Flux")
    rows = {row.split("|")[1].strip().strip("`"): row.split("|")[2].strip() for row in text.splitlines() if row.startswith("| `")}
    for field in dataclasses.fields(GitOpsValues):
        alias = alias_of(field)
        assert alias in rows, f"document gitops.{alias} in the README"
        if field.name == "namespace":
            assert rows[alias] == ", ".join(f"`{n}`" for n in DEFAULT_NAMESPACES.values())
        elif field.default is dataclasses.MISSING:
            assert rows[alias] == "required"
        elif field.default is None:
            assert rows[alias] == "none"
        else:
            assert rows[alias] == f"`{str(field.default).lower() if isinstance(field.default, bool) else field.default}`"


def test_the_wave_table_is_the_code_s() -> None:
    from values_app.gitops import WAVES

    rows = [row.split("|")[1:3] for row in section("## Deploy with Argo CD or Flux").splitlines() if re.match(r"\| \d \|", row)]
    documented = {
        kind: int(wave) for wave, kinds in rows for kind in re.findall(r"\b([A-Z][A-Za-z]+)\b", kinds.split("(")[0].split(":")[0])
    }
    assert {kind: wave for kind, wave in documented.items() if kind in WAVES} == WAVES


def test_the_external_secret_example_loads(make_values: Callable[[dict[str, Any]], AppValues]) -> None:
    snippet = re.search(r"```yaml\n(secrets:.*?)```", section("## Supply secrets"), re.S)
    assert snippet is not None
    data = yaml.safe_load((ROOT / "values" / "003-local-k8s-deployment.yaml").read_text())
    data["secrets"] = yaml.safe_load(snippet.group(1))["secrets"]
    source = make_values(data).secrets["todo-chatbot-secrets"].external_secret
    assert source is not None
    assert (source.store, source.remote_key, source.properties) == (
        "vault",
        "prod/todo-chatbot",
        {"DATABASE_URL": "database-url"},
    )
