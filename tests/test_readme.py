"""The README and docs/ work as they say: their examples render, their tables are the code's, the
preset table lists every preset, every relative link and anchor resolves, and the README stays short."""

from __future__ import annotations

import dataclasses
import io
import re
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tests.helpers import load_all, one, yaml_load
from values_app.model import AppValues
from values_app.release import APP_FILE, build_release
from values_app.synth import render_files

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
DOCS = ROOT / "docs"
PAGES = [ROOT / "README.md", ROOT / "CHANGELOG.md", ROOT / "CONTRIBUTING.md", *sorted(DOCS.glob("*.md"))]


def page(name: str) -> str:
    return (DOCS / name).read_text(encoding="utf-8")


def section(title: str, text: str = README) -> str:
    """The text under the heading ``title`` (its level included, ``## Presets``), to the next ``## ``."""
    return text.split(f"\n{title}\n", 1)[1].split("\n## ", 1)[0]


def subsection(title: str, text: str = README) -> str:
    """The text under the ``### `` heading ``title``, to the next ``### `` or ``## ``."""
    return re.split(r"\n###? ", text.split(f"\n### {title}\n", 1)[1], maxsplit=1)[0]


def blocks(text: str, language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", text, re.S)


def test_add_a_service_example_renders_as_described(make_values: Callable[[dict[str, Any]], AppValues]) -> None:
    snippet = re.search(r"```yaml\n(.*?)```", section("### Add a service", page("values-files.md")), re.S)
    assert snippet is not None
    data = yaml_load((ROOT / "values" / "003-local-k8s-deployment.yaml").read_text())
    data["services"].update(yaml_load(snippet.group(1))["services"])
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
    assert sorted(annotations["webapp-constructs.io/migration-before"].split(",")) == ["todo-backend", "todo-mcp"]
    assert annotations["argocd.argoproj.io/sync-wave"] == "1"  # after what it reads, not a hook
    assert not any(key.endswith("/hook") for key in annotations)


def test_preset_table_lists_every_preset() -> None:
    table = section("## Presets", page("values-files.md"))
    for preset in sorted((ROOT / "values").glob("*.yaml")):
        assert f"`values/{preset.name}`" in table, f"add {preset.name} to the preset table of docs/values-files.md"


def test_the_gitops_examples_are_the_repositorys_environments_file() -> None:
    expected = yaml_load((ROOT / "environments.gitops.yaml").read_text())
    for text in (subsection("GitOps"), section("## Deploy with Argo CD or Flux", page("environments-and-gitops.md"))):
        (example, *_) = re.findall(r"```yaml\n(gitops:.*?)```", text, re.S)
        assert yaml_load(example) == expected


def test_the_gitops_table_lists_every_setting_with_its_default() -> None:
    from values_app.fields import alias_of
    from values_app.gitops import DEFAULT_NAMESPACES, GitOpsValues

    text = section("## Deploy with Argo CD or Flux", page("environments-and-gitops.md"))
    rows = {row.split("|")[1].strip().strip("`"): row.split("|")[2].strip() for row in text.splitlines() if row.startswith("| `")}
    for field in dataclasses.fields(GitOpsValues):
        alias = alias_of(field)
        assert alias in rows, f"document gitops.{alias} in docs/environments-and-gitops.md"
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

    text = section("## Deploy with Argo CD or Flux", page("environments-and-gitops.md"))
    rows = [row.split("|")[1:3] for row in text.splitlines() if re.match(r"\| \d \|", row)]
    documented = {
        kind: int(wave) for wave, kinds in rows for kind in re.findall(r"\b([A-Z][A-Za-z]+)\b", kinds.split("(")[0].split(":")[0])
    }
    assert {kind: wave for kind, wave in documented.items() if kind in WAVES} == WAVES


def test_the_external_secret_example_loads(make_values: Callable[[dict[str, Any]], AppValues]) -> None:
    snippet = re.search(r"```yaml\n(secrets:.*?)```", section("## Supply secrets", page("values-files.md")), re.S)
    assert snippet is not None
    data = yaml_load((ROOT / "values" / "003-local-k8s-deployment.yaml").read_text())
    data["secrets"] = yaml_load(snippet.group(1))["secrets"]
    source = make_values(data).secrets["todo-chatbot-secrets"].external_secret
    assert source is not None
    assert (source.store, source.remote_key, source.properties) == (
        "vault",
        "prod/todo-chatbot",
        {"DATABASE_URL": "database-url"},
    )


def test_the_readme_values_example_is_an_overlay_that_renders(tmp_path: Path) -> None:
    """The README's overlay, written next to the presets it extends, renders what its comments say."""
    from values_app.cli import run

    (example,) = blocks(subsection("A values file"), "yaml")
    for name in ("production.yaml", "003-local-k8s-deployment.yaml"):
        shutil.copy(ROOT / "values" / name, tmp_path / name)
    (tmp_path / "mine.yaml").write_text(example)
    stderr = io.StringIO()
    assert run(values=tmp_path / "mine.yaml", outdir=tmp_path / "dist", environ={}, stderr=stderr) == 0, stderr.getvalue()
    objects = [doc for p in sorted((tmp_path / "dist").glob("*.yaml")) for doc in load_all(p.read_text())]
    assert one(objects, "Namespace")["metadata"]["name"] == "todo-staging"
    assert {o["metadata"]["namespace"] for o in objects if o["kind"] != "Namespace"} == {"todo-staging"}
    backend = one(objects, "Deployment", "todo-backend")
    assert backend["spec"]["replicas"] == 2
    scaled = [o["spec"]["scaleTargetRef"]["name"] for o in objects if o["kind"] == "HorizontalPodAutoscaler"]
    assert "todo-backend" not in scaled
    assert scaled, "the services the overlay leaves alone keep production's autoscalers"
    ingress = one(objects, "Ingress")["spec"]
    assert [rule["host"] for rule in ingress["rules"]] == ["staging.todo.example.com"]
    assert ingress["tls"] == [{"hosts": ["staging.todo.example.com"], "secretName": "todo-chatbot-staging-tls"}]


def test_the_readme_chart_example_renders_what_its_comments_say(tmp_path: Path) -> None:
    """The README's ten-line program, run as written."""
    from tests.reachability import pods_of, reachable, stranger

    (program,) = blocks(subsection("Your own chart"), "python")
    assert "from webapp_constructs import " in program
    made = "app = App()  # a cdk8s.App whose synth() raises what the constructs refuse as one Python error\n"
    assert made in program
    # jsii's Node.js process keeps its own working directory: the output directory is given
    program = program.replace(made, f"app = App(outdir={str(tmp_path / 'dist')!r})\n")
    exec(compile(program, "README.md", "exec"), {})
    objects = [doc for p in sorted((tmp_path / "dist").glob("*.yaml")) for doc in load_all(p.read_text())]
    namespace = one(objects, "Namespace")["metadata"]
    assert namespace["name"] == "shop"
    assert namespace["labels"]["pod-security.kubernetes.io/enforce"] == "restricted"
    web = one(objects, "Deployment", "web")["spec"]["template"]["spec"]["containers"][0]
    (api_url,) = [e["value"] for e in web["env"] if e["name"] == "API_URL"]
    assert re.fullmatch(r"http://[a-z0-9.-]+:8000", api_url)
    assert one(objects, "Deployment", "api")["spec"]["replicas"] == 2
    (job,) = [o for o in objects if o["kind"] == "Job"]
    assert re.fullmatch(r"migrate-[0-9a-f]{8}", job["metadata"]["name"])
    pods = pods_of(objects, "shop", "10.244.0.0/24")
    found = reachable(objects, [*pods.values(), stranger("shop")], [(8000, "TCP"), (3000, "TCP")])
    assert {c for c in found if c[1] == "api"} == {("web", "api", 8000, "TCP")}, "the API admits the web pods only"
    assert ("stranger", "web", 3000, "TCP") in found, "the web service is browser-facing"
    assert not {c for c in found if c[1].startswith("migrate-")}


def test_the_readme_environments_example_is_the_repositorys_environments_file() -> None:
    (example,) = [b for b in blocks(subsection("Environments"), "yaml") if b.startswith("environments:")]
    assert yaml_load(example) == yaml_load((ROOT / "environments.yaml").read_text())


def test_the_readme_stays_short() -> None:
    lines = README.count("\n")
    assert lines <= 250, f"the README is {lines} lines: move the detail into docs/ and link to it"


def slug(heading: str) -> str:
    """GitHub's anchor of a heading: lower case, punctuation but hyphens dropped, spaces to hyphens."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def anchors(text: str) -> set[str]:
    found: set[str] = set()
    for heading in re.findall(r"^#{1,6} (.+)$", re.sub(r"^```.*?^```", "", text, flags=re.S | re.M), re.M):
        base = slug(heading)
        name, n = base, 0
        while name in found:
            n += 1
            name = f"{base}-{n}"
        found.add(name)
    return found


def broken_links(path: Path, text: str) -> list[str]:
    """Every relative link of a Markdown page (outside code) whose file or anchor is not there."""
    problems = []
    prose = re.sub(r"^```.*?^```", "", text, flags=re.S | re.M)
    prose = re.sub(r"`[^`\n]*`", "", prose)  # code spans: `a[i](x)` is no link
    for target in re.findall(r"\]\(([^)\s]+)\)", prose):
        if re.match(r"[a-z]+:", target):
            continue  # https:, mailto:
        file, _, anchor = target.partition("#")
        dest = (path.parent / file).resolve() if file else path
        if not dest.exists():
            problems.append(f"{path.name}: {target}: no such file")
            continue
        own = not file  # an anchor of the page itself: its headings are in `text`
        headings = text if own else dest.read_text(encoding="utf-8") if dest.suffix == ".md" else ""
        if anchor and anchor not in anchors(headings):
            problems.append(f"{path.name}: {target}: no heading #{anchor} in {dest.name}")
    return problems


def test_every_relative_link_and_anchor_resolves() -> None:
    assert [p.name for p in PAGES if p.parent == DOCS], "docs/ holds the documentation"
    problems = [problem for path in PAGES for problem in broken_links(path, path.read_text(encoding="utf-8"))]
    assert problems == []


def test_the_link_check_finds_a_missing_file_and_a_moved_anchor() -> None:
    text = "# Title\n\n## A `kind`, and why\n\n[ok](#a-kind-and-why) [self](#title) [gone](#presets) [file](docs/nowhere.md)\n"
    text += "[there](docs/library.md#use-the-constructs-in-your-own-chart) [moved](docs/library.md#presets)\n"
    text += "```sh\n[in code](#nothing)\n```\n"
    assert broken_links(ROOT / "README.md", text) == [
        "README.md: #presets: no heading #presets in README.md",
        "README.md: docs/nowhere.md: no such file",
        "README.md: docs/library.md#presets: no heading #presets in library.md",
    ]
