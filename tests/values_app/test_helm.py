"""The Helm-format chart (issue 20, item 21): named and versioned from the values, every ``{{``
printed literally by ``helm template``, no Secret in it, ``helm lint --strict`` clean, and the
same through ``npx cdk8s synth --format helm``."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import tarfile
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.helpers import load_all, yaml_load
from tests.migration import with_migration
from tests.tools import tool
from values_app import cli
from values_app.helm_scaffold import cli_scaffold
from values_app.helm_values import NAME_LABEL, chart_templates, escape_templates
from values_app.loader import load_values
from values_app.outdir import MARKER
from values_app.synth import dump_yaml, render

__all__ = ["with_migration"]  # the fixture, used by name

ROOT = Path(__file__).resolve().parents[2]
DEFAULT = ROOT / "values" / "003-local-k8s-deployment.yaml"
SECRETS = {
    key: f"fake-{key.lower()}-value" for key in ("DATABASE_URL", "BETTER_AUTH_SECRET", "OPENAI_API_KEY", "CHATKIT_WORKFLOW_ID")
}
TEMPLATED = {
    "GREETING": "hello {{ .Release.Name }}",
    "PROBE": '{{ lookup "v1" "Secret" "kube-system" "x" }}',
    "BRACES": "{{{x}}}",
}


def templated_values(tmp_path: Path) -> Path:
    values = tmp_path / "templated.yaml"
    config = "".join(f"    {key}: {yaml.safe_dump(value, default_style=chr(39)).strip()}\n" for key, value in TEMPLATED.items())
    values.write_text(
        f"extends: {DEFAULT}\nappName: shop\nappVersion: 2.3.4\nconfigMaps:\n  todo-chatbot-config:\n{config}"
        "services:\n  backend:\n    env:\n      config: [GREETING, PROBE, BRACES]\n"
    )
    return values


def chart(values: Path, outdir: Path, version: str = "1.4.0") -> str:
    stderr = io.StringIO()
    assert cli.helm_chart(values=values, outdir=outdir, version=version, stderr=stderr) == 0, stderr.getvalue()
    return stderr.getvalue()


def helm(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(tool("helm")), *args], capture_output=True, text=True, check=False, env={"HOME": "/tmp"})


def test_escape_templates() -> None:
    assert escape_templates("a {{ b }} c") == 'a {{ "{{" }} b }} c'
    assert escape_templates("no braces { here }") == "no braces { here }"


def test_helm_template_prints_every_value_as_rendered_and_lint_is_clean(tmp_path: Path) -> None:
    values = templated_values(tmp_path)
    out = tmp_path / "chart"
    chart(values, out)
    lint = helm("lint", "--strict", str(out))
    assert lint.returncode == 0, lint.stdout + lint.stderr
    assert "[WARNING]" not in lint.stdout
    assert "[ERROR]" not in lint.stdout
    template = helm("template", "r1", str(out), "--namespace", "todo-local")
    assert template.returncode == 0, template.stderr
    printed = load_all(template.stdout)
    expected = render(load_values(values), environ={}).files["20-app.k8s.yaml"]

    def identity(doc: dict[str, Any]) -> tuple[str, str]:
        return doc["kind"], doc["metadata"]["name"]

    assert sorted(printed, key=identity) == sorted(expected, key=identity)  # helm prints in its install order
    config = next(doc for doc in printed if doc["kind"] == "ConfigMap")
    assert {key: config["data"][key] for key in TEMPLATED} == TEMPLATED


def test_chart_yaml_comes_from_the_values(tmp_path: Path) -> None:
    out = tmp_path / "chart"
    chart(templated_values(tmp_path), out, version="2.0.0-rc.1")
    meta = yaml_load((out / "Chart.yaml").read_text())
    assert meta["apiVersion"] == "v2"
    assert (meta["name"], meta["version"], meta["appVersion"]) == ("shop", "2.0.0-rc.1", "2.3.4")
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()) == [
        ".cdk8s-synth",
        ".helmignore",
        "Chart.yaml",
        "README.md",
        "templates/20-app.k8s.yaml",
        "templates/_helpers.tpl",
        "values.schema.json",
        "values.yaml",
    ]


def test_no_secret_and_no_namespace_in_the_chart_whatever_the_environment_holds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for key, value in SECRETS.items():
        monkeypatch.setenv(key, value)
    out = tmp_path / "chart"
    status = cli.helm_chart(values=DEFAULT, outdir=out, version="1.0.0", stderr=(stderr := io.StringIO()))
    assert status == 0
    summary = stderr.getvalue()
    assert "Secret todo-chatbot-secrets is not in the chart" in summary
    assert "kubectl create secret generic todo-chatbot-secrets --namespace todo-local" in summary
    assert "helm upgrade --install todo-chatbot " in summary
    assert "kubectl label namespace todo-local pod-security.kubernetes.io/enforce=restricted" in summary
    package = helm("package", str(out), "-d", str(tmp_path))
    assert package.returncode == 0, package.stderr
    with tarfile.open(tmp_path / "todo-chatbot-1.0.0.tgz") as archive:
        names = archive.getnames()
        contents = b"".join(archive.extractfile(m).read() for m in archive.getmembers() if m.isfile())  # type: ignore[union-attr]
    assert not any("secret" in name for name in names)
    assert not any(name.endswith(MARKER) for name in names)
    assert b"kind: Secret" not in contents
    assert b"kind: Namespace" not in contents
    for value in SECRETS.values():
        assert value.encode() not in contents


def test_the_cli_scaffold_is_recognized_exactly(tmp_path: Path) -> None:
    root = tmp_path / "dist"
    root.mkdir()
    (root / "Chart.yaml").write_text(
        'apiVersion: "v2"\nname: "proj"\nversion: "1.0.0"\ndescription: Generated chart for proj\ntype: application\n'
    )
    (root / "README.md").write_text(
        "This Helm chart is generated using cdk8s. Any manual changes to the chart would be discarded once cdk8s app is "
        "synthesized again with `--format helm`."
    )
    scaffold = cli_scaffold(root / "templates")
    assert scaffold is not None
    assert (scaffold.chart_root, scaffold.api_version, scaffold.version) == (root, "v2", "1.0.0")
    (root / "templates").mkdir()
    assert cli_scaffold(root / "templates") is not None
    (root / "notes.txt").write_text("mine\n")
    assert cli_scaffold(root / "templates") is None  # anything more is not the CLI's: checked as any output
    stderr = io.StringIO()
    assert cli.run(values=DEFAULT, outdir=root / "templates", environ={}, stderr=stderr, quiet=True) == 0
    (root / "notes.txt").unlink()
    (root / "Chart.yaml").write_text("apiVersion: v2\nname: mine\nversion: 1.0.0\n")
    assert cli_scaffold(root / "templates") is None


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--format", "helm"], "--format helm needs --chart-version"),
        (["--format", "helm", "--chart-version", "1.0"], "'1.0' is not a semantic version"),
        (["--chart-version", "1.0.0"], "--chart-version belongs to --format helm"),
        (["--format", "helm", "--chart-version", "1.0.0", "--require-secrets"], "a Helm chart never holds Secret values"),
        (["diff", "--format", "helm", "--chart-version", "1.0.0"], "--format helm belongs to synth"),
    ],
)
def test_bad_helm_flags_are_bad_usage(args: list[str], message: str, capsys: pytest.CaptureFixture[str]) -> None:
    import main

    with pytest.raises(SystemExit) as exit_:
        main.parse_args(args)
    assert exit_.value.code == 2
    assert message in capsys.readouterr().err


def test_a_chart_version_that_is_not_semver_is_refused_before_jsii_starts(tmp_path: Path) -> None:
    """The program refuses ``--chart-version 1.0`` as bad usage without starting Node.js."""
    base = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "JSII_NODE")}
    command = [sys.executable, "-X", "importtime", str(ROOT / "main.py"), "--format", "helm", "--chart-version", "1.0"]
    result = subprocess.run(command, env=base, cwd=tmp_path, capture_output=True, text=True, check=False)
    assert result.returncode == 2
    assert "'1.0' is not a semantic version" in result.stderr.splitlines()[-1]
    imported = {line.rsplit("|", 1)[-1].strip() for line in result.stderr.splitlines() if line.startswith("import time:")}
    assert "values_app.helm_scaffold" in imported  # the check ran (the test would pass vacuously otherwise)
    assert not {name.split(".")[0] for name in imported} & {"jsii", "constructs", "cdk8s", "cdk8s_plus_27"}


def test_npx_cdk8s_synth_format_helm_writes_the_chart(tmp_path: Path) -> None:
    out = tmp_path / "chart"
    base = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "JSII_NODE")}
    command = [
        str(ROOT / "node_modules" / ".bin" / "cdk8s"),
        "synth",
        "--format",
        "helm",
        "--chart-version",
        "3.1.4",
        "-o",
        str(out),
    ]
    result = subprocess.run(command, cwd=ROOT, env=base, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    meta: dict[str, Any] = yaml_load((out / "Chart.yaml").read_text())
    assert (meta["name"], meta["version"]) == ("todo-chatbot", "3.1.4")
    assert helm("lint", "--strict", str(out)).returncode == 0


# --- what Helm users type (issue 29, item 5): honoured, or refused in one line ----------------------

PRODUCTION = ROOT / "values" / "production.yaml"
DIGEST = "sha256:" + "a" * 64


@pytest.fixture(scope="module")
def local_chart(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("local") / "chart"
    chart(DEFAULT, out)
    return out


@pytest.fixture(scope="module")
def production_chart(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("production") / "chart"
    chart(PRODUCTION, out)
    return out


def helm_template(out: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return helm("template", "r1", str(out), *args)


def printed(result: subprocess.CompletedProcess[str]) -> list[dict[str, Any]]:
    assert result.returncode == 0, result.stderr
    return load_all(result.stdout)


def refusal(result: subprocess.CompletedProcess[str]) -> str:
    """The one line of Helm's error, which a template's ``fail`` writes."""
    assert result.returncode != 0, "expected a refusal"
    first = result.stderr.splitlines()[0]
    assert first.startswith("Error: execution error at ("), result.stderr
    return first


def images(docs: list[dict[str, Any]]) -> dict[str, list[str]]:
    """The images of each workload's containers, by workload name."""
    found: dict[str, list[str]] = {}
    for doc in docs:
        spec = doc.get("spec") or {}
        pod = (spec.get("jobTemplate") or {}).get("spec", spec).get("template") or {}
        containers = (pod.get("spec") or {}).get("containers") or []
        if containers:
            found[doc["metadata"]["name"]] = [c["image"] for c in containers]
    return found


def manifests_only_chart(values: Path, out: Path) -> Path:
    """A chart of the finished manifests only (as the chart was before it took values): what
    ``helm template`` of the chart must print, byte for byte, when no value is given."""
    rendered = render(load_values(values), environ={})
    (out / "templates").mkdir(parents=True)
    (out / "Chart.yaml").write_text(f"apiVersion: v2\nname: {rendered.release.values.part_of}\nversion: 1.4.0\n")
    for name, docs in rendered.files.items():
        if not name.startswith("00-"):
            (out / "templates" / name).write_text(escape_templates(dump_yaml(docs)))
    return out


@pytest.mark.parametrize("values", [PRODUCTION, DEFAULT], ids=["production", "local"])
def test_with_no_value_the_chart_prints_the_rendered_manifests_byte_for_byte(values: Path, tmp_path: Path) -> None:
    out = tmp_path / "chart"
    chart(values, out)
    namespace = load_values(values).namespace.name
    expected = helm_template(manifests_only_chart(values, tmp_path / "plain"), "--namespace", namespace)
    assert expected.returncode == 0, expected.stderr
    assert helm_template(out, "--namespace", namespace).stdout == expected.stdout
    assert helm("lint", "--strict", str(out)).returncode == 0


def test_namespace_puts_every_object_in_the_release_namespace(tmp_path: Path, production_chart: Path) -> None:
    out = production_chart
    elsewhere = printed(helm_template(out, "--namespace", "helm-elsewhere"))
    assert elsewhere
    assert {doc["metadata"]["namespace"] for doc in elsewhere} == {"helm-elsewhere"}
    # the check can fail: the manifests alone stay in the namespace they were rendered for
    plain = printed(helm_template(manifests_only_chart(PRODUCTION, tmp_path / "plain"), "--namespace", "helm-elsewhere"))
    assert {doc["metadata"]["namespace"] for doc in plain} == {"todo-chatbot"}
    line = refusal(helm_template(out, "--namespace", "kube-system"))
    assert "kube-system" in line


def test_a_chart_whose_objects_name_their_namespace_installs_only_there(tmp_path: Path) -> None:
    values = tmp_path / "pinned.yaml"
    values.write_text(
        f"extends: {DEFAULT}\nconfigMaps:\n  todo-chatbot-config:\n"
        "    BACKEND_URL: http://todo-backend.todo-local.svc.cluster.local:8000\n"
    )
    out = tmp_path / "chart"
    chart(values, out)
    assert {doc["metadata"]["namespace"] for doc in printed(helm_template(out, "--namespace", "todo-local"))} == {"todo-local"}
    line = refusal(helm_template(out, "--namespace", "other"))
    assert "rendered for namespace todo-local" in line
    assert "ConfigMap todo-chatbot-config data.BACKEND_URL" in line
    assert "--namespace todo-local" in line


def test_image_tags_are_honoured_globally_and_per_service(local_chart: Path) -> None:
    out = local_chart
    docs = printed(helm_template(out, "--namespace", "todo-local", "--set", "image.tag=9999999"))
    assert images(docs) == {
        "todo-frontend": ["todo-frontend:9999999"],
        "todo-backend": ["todo-backend:9999999"],
        "todo-mcp": ["todo-backend:9999999"],
    }
    docs = printed(helm_template(out, "--set-string", "image.tag=1.10", "--set", "services.backend.image.tag=0123abc"))
    assert images(docs) == {
        "todo-frontend": ["todo-frontend:1.10"],
        "todo-backend": ["todo-backend:0123abc"],
        "todo-mcp": ["todo-backend:1.10"],
    }


@pytest.mark.parametrize(
    ("args", "named"),
    [
        (["--set", "image.tagg=1"], "tagg"),
        (["--set", "replicas=3"], "replicas"),
        (["--set", "services.nope.image.tag=1"], "nope"),
        (["--set", "services.backend.replicas=3"], "replicas"),
        (["--set", "image.tag=a b"], "image.tag"),
        (["--set", "services.backend.image.digest=sha256:1"], "digest"),
    ],
)
def test_a_value_the_chart_does_not_take_is_refused(args: list[str], named: str, local_chart: Path) -> None:
    out = local_chart
    result = helm_template(out, *args)
    assert result.returncode != 0
    assert named in result.stderr
    assert result.stdout == ""


def test_a_values_file_is_held_to_the_same(tmp_path: Path, local_chart: Path) -> None:
    out = local_chart
    (tmp_path / "number.yaml").write_text("image:\n  tag: 10\n")  # a YAML number: 1.10 would read as 1.1
    assert "quote it" in refusal(helm_template(out, "-f", str(tmp_path / "number.yaml")))
    (tmp_path / "unknown.yaml").write_text("ingress:\n  host: x\n")
    assert "ingress" in helm_template(out, "-f", str(tmp_path / "unknown.yaml")).stderr
    (tmp_path / "quoted.yaml").write_text("image:\n  tag: '1.10'\n")
    assert set(map(tuple, images(printed(helm_template(out, "-f", str(tmp_path / "quoted.yaml")))).values())) == {
        ("todo-frontend:1.10",),
        ("todo-backend:1.10",),
    }


def test_an_image_pinned_by_digest_takes_a_new_tag_only_with_its_digest(production_chart: Path) -> None:
    out = production_chart
    line = refusal(helm_template(out, "--set", "services.backend.image.tag=2.0.0"))
    assert "services.backend.image: pinned by digest sha256:2222" in line
    docs = printed(
        helm_template(out, "--set", "services.backend.image.tag=2.0.0", "--set", f"services.backend.image.digest={DIGEST}")
    )
    assert images(docs)["todo-backend"] == [f"ghcr.io/example/todo-backend:2.0.0@{DIGEST}"]
    assert images(docs)["todo-mcp"] == ["ghcr.io/example/todo-backend:phase4@sha256:" + "2" * 64]


@pytest.mark.usefixtures("with_migration")
def test_a_migration_job_is_renamed_with_its_image(tmp_path: Path) -> None:
    out = tmp_path / "chart"
    chart(DEFAULT, out)
    rendered = render(load_values(DEFAULT), environ={})
    (job,) = [doc for docs in rendered.files.values() for doc in docs if doc["kind"] == "Job"]

    def jobs(*args: str) -> list[dict[str, Any]]:
        return [doc for doc in printed(helm_template(out, *args)) if doc["kind"] == "Job"]

    assert [j["metadata"]["name"] for j in jobs()] == [job["metadata"]["name"]]
    (moved,) = jobs("--set", "image.tag=v2")
    assert moved["metadata"]["name"] != job["metadata"]["name"]
    assert moved["metadata"]["name"].startswith("todo-chatbot-migrate-")
    assert images([moved]) == {moved["metadata"]["name"]: ["todo-backend:v2"]}
    assert [j["metadata"]["name"] for j in jobs("--set", "image.tag=v2")] == [moved["metadata"]["name"]]  # stable


def test_every_preset_honours_namespace_and_image_tag_or_refuses_in_one_line(tmp_path: Path) -> None:
    """The Done-when of issue 29: ``helm template --namespace x --set image.tag=y`` of each
    preset's chart puts every object in x and runs every service's image at tag y, or fails with
    one line (a preset pinned by digest: a tag alone would run the old image)."""
    outcomes = {}
    for values in sorted((ROOT / "values").glob("*.yaml")):
        out = tmp_path / values.stem
        chart(values, out)
        result = helm_template(out, "--namespace", "x", "--set", "image.tag=y")
        if result.returncode == 0:
            docs = printed(result)
            assert {doc["metadata"]["namespace"] for doc in docs} == {"x"}, values.name
            assert {image.rpartition(":")[2] for found in images(docs).values() for image in found} == {"y"}, values.name
            outcomes[values.stem] = "honoured"
        else:
            assert result.stdout == ""
            assert "pinned by digest" in refusal(result), values.name
            outcomes[values.stem] = "refused"
    assert outcomes == {
        "001-k8s-minikube-deploy": "honoured",
        "003-local-k8s-deployment": "honoured",
        "004-k8s-deployment": "honoured",
        "004-k8s-local-deploy": "honoured",
        "009-k8s-local-deployment": "honoured",
        "production": "refused",
        "staging": "refused",
    }


@pytest.mark.parametrize(
    ("extra", "where"),
    [
        ({"metadata": {"name": "x", "namespace": "todo-local"}}, None),  # its own place: templated
        ({"metadata": {"name": "x", "namespace": "todo-local"}, "data": {"URL": "http://api.todo-local:80"}}, "data.URL"),
        ({"metadata": {"name": "x", "namespace": "todo-local"}, "data": {"ns": "todo-local"}}, None),  # free text
        ({"metadata": {"name": "todo-local", "namespace": "todo-local", "labels": {"a": "todo-local"}}}, None),
        ({"metadata": {"name": "x"}, "spec": {"namespaces": ["todo-local"]}}, "spec.namespaces.0"),
        ({"metadata": {"name": "x"}, "spec": {"sel": {"key": NAME_LABEL, "values": ["todo-local"]}}}, "spec.sel.values.0"),
        ({"metadata": {"name": "x"}, "spec": {"target": {"namespace": "todo-local"}}}, "spec.target.namespace"),
    ],
)
def test_what_names_the_namespace_pins_the_chart(extra: dict[str, Any], where: str | None) -> None:
    rendered = render(load_values(DEFAULT), environ={})
    docs = [{"apiVersion": "v1", "kind": "ConfigMap", **extra}]
    templates = chart_templates(rendered, "todo-chatbot", {"20-app.k8s.yaml": docs})
    assert templates.pinned == (f"ConfigMap {extra['metadata']['name']} {where} names it" if where else None)
    text = templates.files["templates/20-app.k8s.yaml"]
    templated = 'namespace: {{ include "todo-chatbot.namespace" $ }}' in text
    assert templated == (where is None and "namespace" in extra["metadata"])
