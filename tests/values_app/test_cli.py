"""The options around synth: --quiet, --list-presets, --diagram, --help; the README's diagram."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest

import main
from values_app import cli

ROOT = Path(__file__).resolve().parents[2]
DEFAULT = ROOT / "values" / "003-local-k8s-deployment.yaml"


def test_summary_unless_quiet(tmp_path: Path) -> None:
    loud, quiet = io.StringIO(), io.StringIO()
    assert cli.run(values=DEFAULT, outdir=tmp_path / "a", environ={}, stderr=loud) == 0
    assert cli.run(values=DEFAULT, outdir=tmp_path / "b", environ={}, stderr=quiet, quiet=True) == 0
    assert loud.getvalue().startswith(f"Synthesized 15 objects into {tmp_path / 'a'}/: ")
    assert "kubectl create secret generic todo-chatbot-secrets --namespace todo-local" in loud.getvalue()
    assert quiet.getvalue() == ""


def test_list_presets_gives_each_a_line() -> None:
    out = io.StringIO()
    assert cli.list_presets(ROOT / "values", stdout=out) == 0
    lines = out.getvalue().splitlines()
    assert len(lines) == len(list((ROOT / "values").glob("*.yaml")))
    assert re.match(r"^values/003-local-k8s-deployment\.yaml +Seed 000 \(default\): ", lines[1])


def test_diagram_shows_services_ports_access_and_keys() -> None:
    out = io.StringIO()
    assert cli.diagram(values=DEFAULT, stdout=out) == 0
    text = out.getvalue()
    assert text.startswith("flowchart LR\n")
    assert 'svc_mcp["<b>todo-mcp</b><br/>mcp · container :8001<br/>ClusterIP :8001<br/>replicas 1"]' in text
    assert 'browser -->|":30080"| svc_frontend' in text
    assert 'svc_backend -->|":8001"| svc_mcp' in text
    assert "browser -->" not in text.split("svc_mcp")[-1]
    assert 'secret_todo_chatbot_secrets -.->|"DATABASE_URL"| svc_mcp' in text


def test_readme_embeds_the_current_diagram_of_the_default_preset() -> None:
    out = io.StringIO()
    cli.diagram(values=DEFAULT, stdout=out)
    readme = (ROOT / "README.md").read_text()
    embedded = readme.split("<!-- diagram:start -->\n```mermaid\n", 1)[1].split("```\n<!-- diagram:end -->", 1)[0]
    assert embedded == out.getvalue(), "regenerate the README's diagram: .venv/bin/python main.py --diagram"


def test_help_documents_every_option_with_examples(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main.parse_args(["--help"])
    assert exit_.value.code == 0
    text = capsys.readouterr().out
    for option in ("--values", "--outdir", "--env-file", "--require-secrets", "--quiet", "--list-presets", "--diagram"):
        assert option in text
        assert option in text.split("examples:")[1] or option in ("--values", "--outdir", "--env-file", "--quiet")
    assert "examples:" in text


def test_readme_opens_with_the_two_commands() -> None:
    lines = (ROOT / "README.md").read_text().splitlines()
    block = lines[lines.index("```sh") + 1 : lines.index("```sh") + 3]
    assert [line.split()[0:2] for line in block] == [["make", "synth"], ["make", "test"]]


def test_diagram_of_an_invalid_file_is_a_clean_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("release: Not_A_Name\n")
    out, err = io.StringIO(), io.StringIO()
    assert cli.diagram(values=bad, stdout=out, stderr=err) == 1
    assert out.getvalue() == ""
    assert err.getvalue().startswith(f"error: {bad}:1: release: ")


def test_main_dispatches_list_presets_and_diagram(capsys: pytest.CaptureFixture[str]) -> None:
    assert main.main(["--list-presets"]) == 0
    assert "values/production.yaml" in capsys.readouterr().out
    assert main.main(["--values", str(DEFAULT), "--diagram"]) == 0
    assert capsys.readouterr().out.startswith("flowchart LR\n")
    with pytest.raises(SystemExit) as exit_:
        main.main(["--list-presets", "--diagram"])
    assert exit_.value.code == 2


def test_diagram_names_an_assigned_node_port_and_external_secrets() -> None:
    out = io.StringIO()
    assert cli.diagram(values=ROOT / "values" / "009-k8s-local-deployment.yaml", stdout=out) == 0
    assert 'browser -->|"nodePort (assigned)"| svc_frontend' in out.getvalue()
    assert 'secret_todo_secrets[("Secret todo-secrets (external)")]' in out.getvalue()
    assert "browser -->" not in "".join(line for line in out.getvalue().splitlines() if "svc_backend" in line)
