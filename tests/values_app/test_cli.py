"""The options around synth: --quiet, --list-presets, --diagram, --help; the diagram in docs/values-files.md."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest

import main
from tests.values_app.test_yaml_io import BILLION_LAUGHS
from values_app import cli
from values_app.settings import Setting

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


def test_list_presets_escapes_what_a_terminal_would_obey(tmp_path: Path) -> None:
    presets = tmp_path / "values"
    presets.mkdir()
    (presets / "a.yaml").write_text('description: "\\e]0;pwned\\a\\e[2J\\rtitle\\x9b2J\\u2028\\tend"\n')
    (presets / "b\x1b[31m.yaml").write_text("description: plain, é and \\ kept\n")
    (presets / "c.yaml").write_text(BILLION_LAUGHS)
    (presets / "d.yaml").write_text("description: x\ndescription: y\n")
    out = io.StringIO()
    assert cli.list_presets(presets, stdout=out) == 0
    assert out.getvalue().splitlines() == [
        "values/a.yaml          \\x1b]0;pwned\\x07\\x1b[2J\\rtitle\\x9b2J\\u2028\\tend",
        "values/b\\x1b[31m.yaml  plain, é and \\ kept",
        "values/c.yaml          (not a valid values file)",
        "values/d.yaml          (not a valid values file)",
    ]
    assert all(char.isprintable() for char in out.getvalue().replace("\n", ""))


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


def test_docs_embed_the_current_diagram_of_the_default_preset() -> None:
    out = io.StringIO()
    cli.diagram(values=DEFAULT, stdout=out)
    readme = (ROOT / "docs" / "values-files.md").read_text()  # Topology
    embedded = readme.split("<!-- diagram:start -->\n```mermaid\n", 1)[1].split("```\n<!-- diagram:end -->", 1)[0]
    assert embedded == out.getvalue(), "regenerate the diagram in docs/values-files.md: .venv/bin/python main.py --diagram"


def test_help_documents_every_option_with_examples(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main.parse_args(["--help"])
    assert exit_.value.code == 0
    text = capsys.readouterr().out
    options = ["--values", "--set", "--set-string", "--outdir", "--against", "--environments", "--env", "--env-file"]
    options += ["--require-secrets", "--quiet", "--list-presets", "--diagram", "--check-outdir"]
    for option in options:
        assert option in text.split("commands:")[0], option
    examples = text.split("examples:")[1]
    for shown in (
        "--values",
        "--set ",
        "--set-string",
        "envs",
        "diff --values",
        "--against",
        "--env ",
        "--require-secrets",
        "--diagram",
    ):
        assert shown in examples, shown
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


# --- environments, in one process ----------------------------------------------------------------


def environments_file(tmp_path: Path, extra: str = "") -> Path:
    path = tmp_path / "environments.yaml"
    path.write_text(
        "environments:\n"
        f"  local: {{values: [{ROOT / 'values/003-local-k8s-deployment.yaml'}]}}\n"
        f"  staging: {{values: [{ROOT / 'values/staging.yaml'}]}}\n"
        f"  production: {{values: [{ROOT / 'values/production.yaml'}], set: ['networkPolicies.egress.externalPorts={{443}}']}}\n"
        + extra
    )
    return path


def test_every_environment_renders_into_its_own_directory(tmp_path: Path) -> None:
    stderr = io.StringIO()
    status = cli.environments(
        file=environments_file(tmp_path),
        outdir=tmp_path / "dist",
        settings=[Setting("services.backend.image.tag=abc123")],
        environ={},
        stderr=stderr,
    )
    assert status == 0, stderr.getvalue()
    assert sorted(p.name for p in (tmp_path / "dist").iterdir()) == ["local", "production", "staging"]
    assert "== staging\nSynthesized 19 objects into" in stderr.getvalue()
    production = (tmp_path / "dist" / "production" / "20-app.k8s.yaml").read_text()
    assert "image: ghcr.io/example/todo-backend:abc123@sha256:" in production
    assert "port: 5432" not in production  # the environment's own --set
    assert "image: todo-backend:abc123" in (tmp_path / "dist" / "local" / "20-app.k8s.yaml").read_text()


def test_a_problem_in_one_environment_writes_none(tmp_path: Path) -> None:
    stderr = io.StringIO()
    status = cli.environments(
        file=environments_file(tmp_path), outdir=tmp_path / "dist", names=["local", "staging"],
        settings=[Setting("services.mcp.port=70000")], environ={}, stderr=stderr,
    )  # fmt: skip
    assert status == 1
    assert stderr.getvalue().splitlines() == [
        "error: local: --set services.mcp.port=70000: services.mcp.port: 70000 is not a valid port (1-65535)",
        "error: staging: --set services.mcp.port=70000: services.mcp.port: 70000 is not a valid port (1-65535)",
    ]
    assert not (tmp_path / "dist").exists()


def test_environment_names_and_files_are_checked(tmp_path: Path) -> None:
    stderr = io.StringIO()
    bad = tmp_path / "environments.yaml"
    bad.write_text("environments:\n  Prod_1: {values: [nowhere.yaml]}\n  ok: {valuez: []}\n")
    assert cli.environments(file=bad, outdir=tmp_path / "dist", environ={}, stderr=stderr) == 1
    lines = stderr.getvalue().splitlines()
    assert lines[0].startswith(f"error: {bad}:2: environments.Prod_1: 'Prod_1' is not a DNS-1123 label")
    assert lines[1] == f"error: {bad}:2: environments.Prod_1.values[0]: {tmp_path / 'nowhere.yaml'}: no such values file"
    assert lines[2] == f"error: {bad}:3: environments.ok.valuez: unknown key 'valuez' (values or set)"
    stderr = io.StringIO()
    assert cli.environments(file=environments_file(tmp_path), names=["qa"], outdir=tmp_path / "d", environ={}, stderr=stderr) == 2
    assert (
        stderr.getvalue()
        == f"error: --env qa: not an environment of {tmp_path / 'environments.yaml'} (one of local, staging, production)\n"
    )


def test_the_environments_file_is_read_as_a_values_file_is(tmp_path: Path) -> None:
    bomb = tmp_path / "environments.yaml"
    bomb.write_text(BILLION_LAUGHS)
    stderr = io.StringIO()
    assert cli.environments(file=bomb, outdir=tmp_path / "dist", environ={}, stderr=stderr) == 1
    assert stderr.getvalue() == (
        f"error: {bomb}:6: alias *e: the aliases up to here bring in 141148 nodes; "
        "at most 100000 may be brought in through aliases\n"
    )
    stderr = io.StringIO()
    assert cli.environments(file=Path("/dev/zero"), outdir=tmp_path / "dist", environ={}, stderr=stderr) == 1
    assert stderr.getvalue() == (
        "error: /dev/zero: is a character device, not an environments file (only regular files and pipes are read)\n"
    )


def test_an_unsafe_environment_directory_is_refused_before_any_work(tmp_path: Path) -> None:
    (tmp_path / "dist" / "staging").mkdir(parents=True)
    (tmp_path / "dist" / "staging" / "notes.md").write_text("mine")
    stderr = io.StringIO()
    assert cli.environments(file=environments_file(tmp_path), outdir=tmp_path / "dist", environ={}, stderr=stderr) == 2
    assert "staging holds files a synth did not write (notes.md)" in stderr.getvalue()
    assert sorted(p.name for p in (tmp_path / "dist").iterdir()) == ["staging"]


# --- diff before apply -------------------------------------------------------------------------


def test_diff_exit_status_and_summary_line(tmp_path: Path) -> None:
    out = tmp_path / "dist"
    assert cli.run(values=ROOT / "values/production.yaml", outdir=out, environ={}, quiet=True) == 0
    stdout, stderr = io.StringIO(), io.StringIO()
    assert cli.diff(values=ROOT / "values/production.yaml", against=out, environ={}, stdout=stdout, stderr=stderr) == 0
    assert (stdout.getvalue(), stderr.getvalue()) == ("", "no changes\n")
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    stdout, stderr = io.StringIO(), io.StringIO()
    changed = [
        Setting("configMaps.todo-chatbot-config.CORS_ORIGINS=https://x.example.com"),
        Setting("services.mcp.autoscaling=null"),
    ]
    status = cli.diff(
        values=ROOT / "values/production.yaml", against=out, settings=changed, environ={}, stdout=stdout, stderr=stderr
    )
    assert status == 1
    assert stderr.getvalue() == "3 changed, 0 added, 2 removed; will roll: todo-backend\n"
    assert "removed: HorizontalPodAutoscaler todo-mcp" in stdout.getvalue()
    assert "-  CORS_ORIGINS: https://todo.example.com\n+  CORS_ORIGINS: https://x.example.com" in stdout.getvalue()
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before  # it never writes


def test_diff_cannot_compare_exits_2(tmp_path: Path) -> None:
    stderr = io.StringIO()
    assert cli.diff(values=DEFAULT, against=tmp_path / "absent", environ={}, stderr=stderr) == 2
    assert stderr.getvalue().startswith(f"error: {tmp_path / 'absent'}: no such directory")
    (tmp_path / "dist").mkdir()
    stderr = io.StringIO()
    assert cli.diff(values=DEFAULT, against=tmp_path / "dist", settings=[Setting("release=Bad")], environ={}, stderr=stderr) == 2
    assert stderr.getvalue().startswith("error: --set release=Bad: release: 'Bad' is not a DNS-1123 label")
