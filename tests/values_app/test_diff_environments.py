"""main.py diff --environments [FILE] [--env NAME ...] --against DIR: each environment compared with
its directory under DIR (the gitops layout or the plain envs one), a section each; exit 0 when none
changed, 1 otherwise, 2 when it cannot compare; secrets masked; it never writes."""

from __future__ import annotations

import io
import re
import shutil
from pathlib import Path

import pytest

import main
from tests.migration import with_migration
from tests.values_app.test_gitops import LOCAL, PRODUCTION, STAGING, STAGING_ONLY, gitops_file, repository, tree
from values_app import cli
from values_app.settings import Setting

__all__ = ["with_migration"]  # the fixture, used by name

TAG = [Setting("services.backend.image.tag=0123456", string=True)]


def diff(file: Path, against: Path, **options: object) -> tuple[int, str, str]:
    stdout, stderr = io.StringIO(), io.StringIO()
    status = cli.diff_environments(file=file, against=against, environ={}, stdout=stdout, stderr=stderr, **options)  # type: ignore[arg-type]
    return status, stdout.getvalue(), stderr.getvalue()


def sections(stdout: str) -> dict[str, str]:
    """``== <name> (<dir>)`` -> the section's text."""
    found: dict[str, str] = {}
    name = ""
    for line in stdout.splitlines(keepends=True):
        if line.startswith("== "):
            name = line.split()[1]
            found[name] = ""
        else:
            found[name] += line
    return found


@pytest.fixture(scope="module")
def written(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A deploy repository as envs wrote it (Argo CD), with its environments file beside it."""
    root = tmp_path_factory.mktemp("written")
    assert cli.environments(file=gitops_file(root), outdir=repository(root), environ={}, stderr=io.StringIO()) == 0
    return root


@pytest.fixture
def deployed(written: Path, tmp_path: Path) -> tuple[Path, Path]:
    """A copy of :func:`written` of the test's own: its environments file and the repository."""
    shutil.copytree(written, tmp_path, dirs_exist_ok=True, symlinks=True)
    file = tmp_path / "environments.yaml"
    return file, tmp_path / "deploy"


def test_nothing_changed_is_exit_0_with_a_section_each(deployed: tuple[Path, Path]) -> None:
    file, out = deployed
    status, stdout, stderr = diff(file, out)
    assert status == 0
    assert stdout == (
        f"== staging ({out / 'clusters' / 'staging'})\nno changes\n"
        f"== production ({out / 'clusters' / 'production'})\nno changes\n"
        f"== argocd ({out / 'argocd'})\nno changes\n"
    )
    assert stderr == "staging: no changes\nproduction: no changes\nargocd: no changes\n"


def test_a_new_image_tag_for_every_environment_is_exit_1_and_will_roll(deployed: tuple[Path, Path]) -> None:
    file, out = deployed
    before = tree(out)
    status, stdout, stderr = diff(file, out, settings=TAG)
    assert status == 1
    found = sections(stdout)
    for name, namespace in (("staging", "todo-staging"), ("production", "todo-chatbot")):
        header = f"changed: Deployment todo-backend (namespace {namespace}), 20-app.k8s.yaml, will roll\n"
        assert found[name].startswith(header)
        assert "+        image: ghcr.io/example/todo-backend:0123456@sha256:" in found[name]
        assert found[name].endswith("1 changed, 0 added, 0 removed; will roll: todo-backend\n")
    assert found["argocd"] == "no changes\n"
    assert stderr.splitlines() == [
        "staging: 1 changed, 0 added, 0 removed; will roll: todo-backend",
        "production: 1 changed, 0 added, 0 removed; will roll: todo-backend",
        "argocd: no changes",
    ]
    assert tree(out) == before  # it never writes


def test_only_the_environments_named(deployed: tuple[Path, Path]) -> None:
    file, out = deployed
    status, stdout, stderr = diff(file, out, names=["production"], settings=TAG)
    assert status == 1
    assert list(sections(stdout)) == ["production", "argocd"]
    assert stderr.splitlines()[0].startswith("production: 1 changed")


def test_a_new_environment_is_all_added_and_a_changed_controller_shows(deployed: tuple[Path, Path], tmp_path: Path) -> None:
    file, out = deployed
    file.write_text(file.read_text() + f"  qa:\n    values: [{STAGING}]\n    set: [namespace.name=todo-qa]\n")
    status, stdout, stderr = diff(file, out)
    assert status == 1
    found = sections(stdout)
    assert found["qa"].startswith("added: Namespace todo-qa, 00-namespace.k8s.yaml\n")
    assert f"{out / 'clusters' / 'qa'}: not there yet; everything is added\n" in found["qa"]
    assert found["argocd"].startswith("added: Application todo-chatbot-qa (namespace argocd), applications.k8s.yaml\n")
    assert stderr.splitlines()[2].startswith("qa: 0 changed, 19 added, 0 removed; will roll: ")


def test_the_plain_layout_with_secret_values_masked(tmp_path: Path) -> None:
    """Without gitops: each environment against DIR/<name>; a changed Secret value shows as a
    changed key and the restart, never as a value."""
    file = tmp_path / "environments.yaml"
    file.write_text(f"environments:\n  local:\n    values: [{LOCAL}]\n  production:\n    values: [{PRODUCTION}]\n")
    out = tmp_path / "dist"
    values = {"DATABASE_URL": "postgres://old-4f1a", "BETTER_AUTH_SECRET": "b", "OPENAI_API_KEY": "o", "CHATKIT_WORKFLOW_ID": "c"}
    assert cli.environments(file=file, outdir=out, environ=values, stderr=io.StringIO()) == 0
    stdout, stderr = io.StringIO(), io.StringIO()
    changed = {**values, "DATABASE_URL": "postgres://new-9c3b"}
    status = cli.diff_environments(file=file, against=out, environ=changed, stdout=stdout, stderr=stderr)
    assert status == 1
    found = sections(stdout.getvalue())
    assert found["local"].startswith("changed: Secret todo-chatbot-secrets (namespace todo-local), 10-secrets.secret.yaml\n")
    assert "-  DATABASE_URL: (old value)\n+  DATABASE_URL: (new value)\n" in found["local"]
    assert "kubectl rollout restart -n todo-local deployment/todo-backend deployment/todo-mcp" in found["local"]
    assert found["production"] == "no changes\n"
    for value in ("old-4f1a", "new-9c3b"):
        assert value not in stdout.getvalue() + stderr.getvalue()
    assert stderr.getvalue() == "local: 1 changed, 0 added, 0 removed\nproduction: no changes\n"
    # Each environment is compared and let go before the next is rendered; its text is printed
    # only once every one is compared: the last one unreadable, nothing at all is printed.
    (out / "production" / "20-app.k8s.yaml").write_text("kind: [\n")
    stdout, stderr = io.StringIO(), io.StringIO()
    assert cli.diff_environments(file=file, against=out, environ=changed, stdout=stdout, stderr=stderr) == 2
    assert stdout.getvalue() == ""
    assert stderr.getvalue().startswith(f"error: {out / 'production' / '20-app.k8s.yaml'}:2: not valid YAML")


def test_cannot_compare_is_exit_2(deployed: tuple[Path, Path], tmp_path: Path) -> None:
    file, out = deployed
    status, stdout, stderr = diff(file, tmp_path / "absent")
    assert (status, stdout) == (2, "")
    assert stderr == (
        f"error: {tmp_path / 'absent'}: no such directory; pass --against the directory envs writes (a checkout of the "
        "deploy repository)\n"
    )
    status, _, stderr = diff(file, out, names=["qa"])
    assert status == 2
    assert stderr.startswith(f"error: --env qa: not an environment of {file} (one of staging, production)")
    status, _, stderr = diff(file, out, settings=[Setting("services.backend.port=70000")])
    assert status == 2
    assert (
        stderr.splitlines()[0]
        == "error: staging: --set services.backend.port=70000: services.backend.port: 70000 is not a valid port (1-65535)"
    )
    status, _, stderr = diff(file, out, env_file=[tmp_path / ".env"])
    assert status == 2
    assert stderr == f"error: --env-file: {file}:1: gitops: a gitops: environments file never writes a Secret's values\n"
    (out / "clusters" / "staging" / "20-app.k8s.yaml").write_text("kind: [\n")
    status, _, stderr = diff(file, out)
    assert status == 2
    assert stderr.startswith(f"error: {out / 'clusters' / 'staging' / '20-app.k8s.yaml'}:")


def test_the_command_line(
    deployed: tuple[Path, Path], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    file, out = deployed
    monkeypatch.chdir(file.parent)  # --environments without FILE: ./environments.yaml
    assert main.main(["diff", "--environments", "--against", str(out), "--env", "staging"]) == 0
    assert capsys.readouterr().err == "staging: no changes\nargocd: no changes\n"
    assert (
        main.main(["diff", "--environments", str(file), "--against", str(out), "--set-string", "services.backend.image.tag=1"])
        == 1
    )
    for argv, message in (
        (
            ["diff", "--env", "staging", "--against", str(out)],
            "diff --env NAME compares environments: give --environments [FILE] too",
        ),
        (
            ["diff", "--environments", "--values", "x.yaml"],
            "diff --environments takes the values files from the environments file",
        ),
        (["--environments", str(file)], "--env and --environments belong to the envs and diff commands"),
    ):
        with pytest.raises(SystemExit) as exit_status:
            main.main(argv)
        assert exit_status.value.code == 2
        assert message in capsys.readouterr().err


@pytest.mark.usefixtures("with_migration")
def test_flux_with_a_migration_in_its_own_directory(tmp_path: Path) -> None:
    """The files of an output's directories (a Flux environment's 15-migrations/) are compared too."""
    file = gitops_file(tmp_path, "flux", environments=STAGING_ONLY)
    out = tmp_path / "deploy"
    assert cli.environments(file=file, outdir=out, environ={}, stderr=io.StringIO()) == 0
    assert (out / "clusters" / "staging" / "15-migrations" / "15-migrations.k8s.yaml").is_file()
    assert diff(file, out)[0] == 0
    job = out / "clusters" / "staging" / "15-migrations" / "15-migrations.k8s.yaml"
    job.write_text(job.read_text().replace("alembic", "flyway"))
    status, stdout, _ = diff(file, out)
    assert status == 1
    assert re.match(
        r"changed: Job todo-chatbot-migrate-[0-9a-f]{8} \(namespace todo-staging\), 15-migrations/15-migrations.k8s.yaml\n",
        sections(stdout)["staging"],
    )


@pytest.mark.usefixtures("with_migration")
def test_a_new_migration_image_reads_as_one_line_replacing_the_job(tmp_path: Path) -> None:
    """The migration Job is named by a hash of its pod template: a new image renames it. The diff
    pairs it with the Job it replaces, and shows the image line, not a whole Job removed and added."""
    file = gitops_file(tmp_path, "flux", environments=STAGING_ONLY)
    out = tmp_path / "deploy"
    assert cli.environments(file=file, outdir=out, environ={}, stderr=io.StringIO()) == 0
    status, stdout, _ = diff(file, out, settings=[Setting("services.backend.image.tag=9999999", string=True)])
    assert status == 1
    section = sections(stdout)["staging"]
    header = re.compile(
        r"changed: Job todo-chatbot-migrate-([0-9a-f]{8}) \(namespace todo-staging\), 15-migrations/15-migrations.k8s.yaml, "
        r"replaces Job todo-chatbot-migrate-([0-9a-f]{8})$"
    )
    blocks = section.split("\n\n")  # a change each: its header, its diff
    (job,) = [block for block in blocks if "Job todo-chatbot-migrate-" in block.splitlines()[0]]
    found = header.match(job.splitlines()[0])
    assert found is not None, job
    assert found[1] != found[2]
    changed = [line for line in job.splitlines()[3:] if line[:1] in "-+"]
    assert [line.split(":")[0] for line in changed] == ["-        image", "+        image"], job
    assert "todo-backend:9999999" in changed[1]
    assert not re.search(r"^(removed|added): Job", section, re.MULTILINE)
