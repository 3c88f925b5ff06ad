"""No secret oracle (issue 20, item 2): nothing outside a Secret follows its values, and a changed
Secret names the workloads to restart."""

from __future__ import annotations

import base64
import io
from pathlib import Path

import pytest

from values_app import cli
from values_app.outdir import MARKER
from values_app.release import SECRETS_FILE

ROOT = Path(__file__).resolve().parents[2]
DEFAULT = ROOT / "values" / "003-local-k8s-deployment.yaml"
SECRETS = {
    "DATABASE_URL": "postgresql://todo:first-password@db.example.com/todo",
    "BETTER_AUTH_SECRET": "fake-better-auth-secret",
    "OPENAI_API_KEY": "fake-openai-key",
    "CHATKIT_WORKFLOW_ID": "fake-workflow",
}
ROTATED = {**SECRETS, "DATABASE_URL": "postgresql://todo:second-password@db.example.com/todo"}
RESTART = "kubectl rollout restart -n todo-local deployment/todo-backend deployment/todo-mcp"


def synth(outdir: Path, environ: dict[str, str], values: Path = DEFAULT) -> str:
    stderr = io.StringIO()
    assert cli.run(values=values, outdir=outdir, environ=environ, stderr=stderr) == 0, stderr.getvalue()
    return stderr.getvalue()


def files(outdir: Path) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in sorted(outdir.iterdir())}


def test_two_renders_that_differ_only_in_a_secret_value_are_byte_identical_outside_the_secret(tmp_path: Path) -> None:
    synth(tmp_path / "one", SECRETS)
    synth(tmp_path / "two", ROTATED)
    synth(tmp_path / "none", {})
    one, two, none = files(tmp_path / "one"), files(tmp_path / "two"), files(tmp_path / "none")
    assert one.keys() == two.keys() == {*none, SECRETS_FILE}
    assert one[SECRETS_FILE] != two[SECRETS_FILE]
    for name in none:
        if name != MARKER:  # the marker lists the Secrets file when there is one
            assert one[name] == two[name] == none[name], name
    assert one[MARKER] == two[MARKER]
    for value in (SECRETS["DATABASE_URL"], ROTATED["DATABASE_URL"]):
        for text in (value.encode(), base64.b64encode(value.encode())):
            assert all(text not in content for name, content in one.items() | two.items() if name != SECRETS_FILE)


def test_a_changed_secret_names_the_deployments_that_read_it_and_the_restart(tmp_path: Path) -> None:
    out = tmp_path / "dist"
    first = synth(out, SECRETS)
    assert "rollout restart" not in first  # nothing to compare with
    same = synth(out, SECRETS)
    assert "rollout restart" not in same
    rotated = synth(out, ROTATED)
    lines = rotated.splitlines()
    at = lines.index(
        "Secret todo-chatbot-secrets changed since the previous output; pods read Secrets when they start, "
        "so after applying it restart the workloads that read it:"
    )
    assert lines[at + 1] == f"  {RESTART}"  # the frontend reads no Secret
    assert all(value not in rotated for value in (*SECRETS.values(), *ROTATED.values()))
    assert "rollout restart" not in synth(out, {})  # not rendered: the cluster's Secret is left as it is


def test_diff_names_the_restart_without_any_value(tmp_path: Path) -> None:
    out = tmp_path / "dist"
    synth(out, SECRETS)
    stdout, stderr = io.StringIO(), io.StringIO()
    assert cli.diff(values=DEFAULT, against=out, environ=ROTATED, stdout=stdout, stderr=stderr) == 1
    report = stdout.getvalue()
    assert f"  {RESTART}\n" in report
    assert "changed: Deployment" not in report  # no pod template follows a Secret value
    assert stderr.getvalue() == "1 changed, 0 added, 0 removed; restart: todo-backend, todo-mcp\n"
    for value in (*SECRETS.values(), *ROTATED.values()):
        assert value not in report + stderr.getvalue()
        assert base64.b64encode(value.encode()).decode() not in report + stderr.getvalue()


@pytest.mark.parametrize("command", ["synth", "diff"])
def test_with_reloader_the_workloads_are_annotated_and_reloader_restarts_them(tmp_path: Path, command: str) -> None:
    values = tmp_path / "reloader.yaml"
    values.write_text(f"extends: {DEFAULT}\nreloader: true\n")
    out = tmp_path / "dist"
    synth(out, SECRETS, values)
    app = (out / "20-app.k8s.yaml").read_text()
    assert app.count("secret.reloader.stakater.com/reload: todo-chatbot-secrets\n") == 2
    if command == "synth":
        output = synth(out, ROTATED, values)
    else:
        stdout = io.StringIO()
        assert cli.diff(values=values, against=out, environ=ROTATED, stdout=stdout, stderr=io.StringIO()) == 1
        output = stdout.getvalue()
    assert (
        "Secret todo-chatbot-secrets changed since the previous output; Reloader restarts todo-backend, todo-mcp "
        "once it is applied." in output
    )
    assert "rollout restart" not in output


# --- a release moved to another namespace (issue 20, item 18) ----------------------------------------

DELETE = (
    "  kubectl delete -n todo-local -l app.kubernetes.io/instance=todo-chatbot configmaps,secrets,"
    "networkpolicies.networking.k8s.io,services,serviceaccounts,deployments.apps,horizontalpodautoscalers.autoscaling,"
    "poddisruptionbudgets.policy,cronjobs.batch,jobs.batch,ingresses.networking.k8s.io"
)


def test_a_release_moved_to_another_namespace_says_how_to_remove_the_old_one(tmp_path: Path) -> None:
    from values_app.settings import Setting

    out = tmp_path / "dist"
    synth(out, {})
    stderr = io.StringIO()
    moved = [Setting("namespace.name=todo-stg")]
    assert cli.run(values=DEFAULT, outdir=out, settings=moved, environ={}, stderr=stderr) == 0
    lines = stderr.getvalue().splitlines()
    at = lines.index(
        "The previous output put this release in namespace todo-local, this one in todo-stg: kubectl apply --prune only "
        "prunes in the namespaces it applies to, so the old objects keep running there. Remove them with:"
    )
    assert lines[at + 1 : at + 3] == [
        DELETE,
        "  kubectl delete namespace todo-local   # the Namespace it rendered, once nothing else runs there",
    ]
    back = synth(out, {})
    assert "The previous output put this release in namespace todo-stg, this one in todo-local" in back
    assert "  kubectl delete -n todo-stg -l app.kubernetes.io/instance=todo-chatbot configmaps," in back
    assert "previous output put" not in synth(out, {})  # the same namespace again: nothing left behind


def test_diff_says_the_namespace_moved(tmp_path: Path) -> None:
    from values_app.settings import Setting

    out = tmp_path / "dist"
    synth(out, {})
    stdout = io.StringIO()
    moved = [Setting("namespace.name=todo-stg")]
    assert cli.diff(values=DEFAULT, against=out, settings=moved, environ={}, stdout=stdout, stderr=io.StringIO()) == 1
    assert f"\n{DELETE}\n" in stdout.getvalue()
