"""The Helm-format chart (issue 20, item 21): named and versioned from the values, every ``{{``
printed literally by ``helm template``, no Secret in it, ``helm lint --strict`` clean, and the
same through ``npx cdk8s synth --format helm``."""

from __future__ import annotations

import io
import os
import subprocess
import tarfile
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.tools import tool
from values_app import cli
from values_app.helm import cli_scaffold, escape_templates
from values_app.loader import load_values
from values_app.outdir import MARKER
from values_app.synth import render

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
    template = helm("template", "r1", str(out))
    assert template.returncode == 0, template.stderr
    printed = [doc for doc in yaml.safe_load_all(template.stdout) if doc]
    expected = render(load_values(values), environ={}).files["20-app.k8s.yaml"]

    def identity(doc: dict[str, Any]) -> tuple[str, str]:
        return doc["kind"], doc["metadata"]["name"]

    assert sorted(printed, key=identity) == sorted(expected, key=identity)  # helm prints in its install order
    config = next(doc for doc in printed if doc["kind"] == "ConfigMap")
    assert {key: config["data"][key] for key in TEMPLATED} == TEMPLATED


def test_chart_yaml_comes_from_the_values(tmp_path: Path) -> None:
    out = tmp_path / "chart"
    chart(templated_values(tmp_path), out, version="2.0.0-rc.1")
    meta = yaml.safe_load((out / "Chart.yaml").read_text())
    assert meta["apiVersion"] == "v2"
    assert (meta["name"], meta["version"], meta["appVersion"]) == ("shop", "2.0.0-rc.1", "2.3.4")
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()) == [
        ".cdk8s-synth",
        ".helmignore",
        "Chart.yaml",
        "README.md",
        "templates/20-app.k8s.yaml",
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
    meta: dict[str, Any] = yaml.safe_load((out / "Chart.yaml").read_text())
    assert (meta["name"], meta["version"]) == ("todo-chatbot", "3.1.4")
    assert helm("lint", "--strict", str(out)).returncode == 0
