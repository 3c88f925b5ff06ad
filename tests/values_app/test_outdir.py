"""The output directory: a synth never destroys what it did not write (issue 16), and an
interrupted synth leaves nothing behind that the next one cannot clean up (issue 17)."""

from __future__ import annotations

import io
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers import at_once
from values_app import cli
from values_app.outdir import (
    MARKER,
    STAGING_MARKER,
    UnsafeOutdirError,
    check_outdir,
    check_outputs_parent,
    remove_leftovers,
    replace_outdir,
)

ROOT = Path(__file__).resolve().parents[2]
DEFAULT = ROOT / "values" / "003-local-k8s-deployment.yaml"


def snapshot_tree(path: Path) -> dict[str, bytes | None]:
    """Every file and directory under ``path`` (itself included), with the bytes of each file."""
    tree: dict[str, bytes | None] = {}
    for item in [path, *sorted(path.rglob("*"))] if path.is_dir() else [path]:
        tree[str(item.relative_to(path.parent))] = item.read_bytes() if item.is_file() else None
    return tree


def synth(outdir: Path) -> tuple[int, str]:
    stderr = io.StringIO()
    status = cli.run(values=DEFAULT, outdir=outdir, environ={}, stderr=stderr, quiet=True)
    return status, stderr.getvalue()


def main_py(*args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "JSII_NODE")}
    command = [sys.executable, str(ROOT / "main.py"), *args]
    return subprocess.run(command, env={**base, **(env or {})}, cwd=cwd, capture_output=True, text=True, check=False)


# --- the four commands, as a user runs them ------------------------------------------


def test_outdir_dot_in_the_repository_is_refused() -> None:
    before = sorted(p.name for p in ROOT.iterdir())
    result = main_py("--outdir", ".", cwd=ROOT)
    assert result.returncode == 2
    assert result.stderr == (
        "error: . is the project's root; a synth replaces its output directory as a whole: "
        "choose an empty or new directory, or remove it yourself\n"
    )
    assert sorted(p.name for p in ROOT.iterdir()) == before


def test_outdir_naming_a_values_file_is_refused(tmp_path: Path) -> None:
    values = tmp_path / "production.yaml"
    values.write_bytes(DEFAULT.read_bytes())
    result = main_py("--outdir", str(values), cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr == (
        f"error: {values} is an existing file, not an output directory; choose an empty or new directory, or remove it yourself\n"
    )
    assert values.read_bytes() == DEFAULT.read_bytes()


def test_a_folder_with_notes_is_refused(tmp_path: Path) -> None:
    notes = tmp_path / "notes"
    (notes / "2026").mkdir(parents=True)
    (notes / "todo.md").write_text("buy milk\n")
    (notes / "2026" / "plan.txt").write_text("ship it\n")
    before = snapshot_tree(notes)
    status, stderr = synth(notes)
    assert status == 2
    assert stderr == (
        f"error: {notes} holds files a synth did not write (2026, todo.md); "
        "choose an empty or new directory, or remove it yourself\n"
    )
    assert snapshot_tree(notes) == before


def test_cdk8s_outdir_set_to_home_is_refused(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    (home / ".bashrc").write_text("export A=1\n")
    result = main_py(env={"HOME": str(home), "CDK8S_OUTDIR": str(home)}, cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.startswith(f"error: {home} is the home directory; ")
    assert (home / ".bashrc").read_text() == "export A=1\n"


# --- envs: the directory that holds one output per environment ----------------------------


def test_envs_into_the_repository_root_is_refused() -> None:
    before = sorted(p.name for p in ROOT.iterdir())
    result = main_py("envs", "--outdir", ".", cwd=ROOT)
    assert result.returncode == 2
    assert result.stderr == (
        "error: . is the project's root; a synth writes one output directory per environment into it: "
        "choose an empty or new directory, or remove it yourself\n"
    )
    assert sorted(p.name for p in ROOT.iterdir()) == before


def test_envs_into_the_home_directory_is_refused(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    (home / ".bashrc").write_text("export A=1\n")
    before = snapshot_tree(home)
    result = main_py("envs", "--environments", str(ROOT / "environments.yaml"), "--outdir", str(home),
                     env={"HOME": str(home)}, cwd=tmp_path)  # fmt: skip
    assert result.returncode == 2
    assert result.stderr.startswith(f"error: {home} is the home directory; ")
    assert {k: v for k, v in snapshot_tree(home).items() if not k.startswith("home/.cache")} == before  # jsii's cache


def test_envs_into_a_folder_with_notes_or_a_file_is_refused(tmp_path: Path) -> None:
    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "todo.md").write_text("buy milk\n")
    with pytest.raises(UnsafeOutdirError, match=r"notes holds files a synth did not write \(todo.md\); choose"):
        check_outputs_parent(notes)
    with pytest.raises(UnsafeOutdirError, match=r"todo\.md is an existing file, not an output directory"):
        check_outputs_parent(notes / "todo.md")
    assert [p.name for p in notes.iterdir()] == ["todo.md"]


def test_envs_writes_beside_outputs_of_earlier_synths(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    check_outputs_parent(dist)  # new
    assert synth(dist)[0] == 0  # a single synth's output files
    assert synth(dist / "retired")[0] == 0  # an environment no longer listed
    (dist / ".staging.x1").mkdir()
    (dist / ".staging.x1" / STAGING_MARKER).write_text("{}")  # a killed synth's leftover
    (dist / "staging").mkdir()  # empty
    check_outputs_parent(dist)
    (dist / "photos").mkdir()
    (dist / "photos" / "cat.jpg").write_bytes(b"\xff")
    with pytest.raises(UnsafeOutdirError, match=r"holds files a synth did not write \(photos\)"):
        check_outputs_parent(dist)


# --- the other refused places ----------------------------------------------------------------


@pytest.mark.parametrize("place", ["/", "..", "../..", "."])
def test_root_and_ancestors_of_the_working_directory_are_refused(
    place: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    work = tmp_path / "a" / "b"
    work.mkdir(parents=True)
    monkeypatch.chdir(work)
    with pytest.raises(UnsafeOutdirError, match=r"choose an empty or new directory, or remove it yourself$"):
        check_outdir(Path(place))


def test_ancestors_of_the_project_root_are_refused_even_when_empty(tmp_path: Path) -> None:
    project = tmp_path / "project"
    project.mkdir()
    with pytest.raises(UnsafeOutdirError, match="is the project's root"):
        check_outdir(project, project_root=project)
    with pytest.raises(UnsafeOutdirError, match="holds your work"):
        check_outdir(tmp_path, project_root=project)


def test_a_symbolic_link_is_refused(tmp_path: Path) -> None:
    target = tmp_path / "elsewhere"
    target.mkdir()
    (tmp_path / "dist").symlink_to(target)
    status, stderr = synth(tmp_path / "dist")
    assert status == 2
    assert "is a symbolic link" in stderr
    assert (tmp_path / "dist").is_symlink()


def test_an_edited_previous_output_is_refused(tmp_path: Path) -> None:
    out = tmp_path / "dist"
    assert synth(out)[0] == 0
    (out / "my-extra.yaml").write_text("kind: ConfigMap\n")
    before = snapshot_tree(out)
    status, stderr = synth(out)
    assert status == 2
    assert "holds files a synth did not write (my-extra.yaml)" in stderr
    assert snapshot_tree(out) == before


# --- what a synth may replace ----------------------------------------------------------------


def test_rerendering_over_a_previous_output_removes_stale_files(tmp_path: Path) -> None:
    out = tmp_path / "dist"
    replace_outdir(out, {"99-old.k8s.yaml": ("stale\n", 0o644), "20-app.k8s.yaml": ("old\n", 0o644)})
    assert synth(out)[0] == 0
    names = sorted(p.name for p in out.iterdir())
    assert names == sorted([MARKER, "00-namespace.k8s.yaml", "20-app.k8s.yaml"])
    assert json.loads((out / MARKER).read_text())["files"] == ["00-namespace.k8s.yaml", "20-app.k8s.yaml"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dist"]


def test_an_empty_directory_is_accepted(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    assert synth(tmp_path / "empty")[0] == 0
    assert (tmp_path / "empty" / MARKER).exists()


@pytest.mark.parametrize("names", [["20-app.k8s.yaml"], ["00-namespace.k8s.yaml", "20-app.k8s.yaml", "10-secrets.secret.yaml"]])
def test_output_file_names_without_the_marker_are_no_proof_of_ownership(tmp_path: Path, names: list[str]) -> None:
    # A hand-written 20-app.k8s.yaml (issue 20, item 3): only the marker, and what it lists, is ours.
    mine = tmp_path / "mine"
    mine.mkdir()
    for name in names:
        (mine / name).write_text("# my own manifests\n")
    before = snapshot_tree(mine)
    code, err = synth(mine)
    assert code == 2
    assert f"{mine} holds files a synth did not write (" in err
    assert len(err.strip().splitlines()) == 1
    assert snapshot_tree(mine) == before


# --- leftovers of a killed synth (issue 17) --------------------------------------------------


def test_leftovers_that_carry_the_staging_marker_are_removed_and_nothing_else(tmp_path: Path) -> None:
    out = tmp_path / "dist"
    ours = tmp_path / ".dist.abc123"
    ours.mkdir()
    (ours / STAGING_MARKER).write_text(json.dumps({"generator": "todo-chatbot-cdk8s", "target": "dist"}))
    (ours / "content").mkdir()
    other_target = tmp_path / ".dist.old.x"
    other_target.mkdir()
    (other_target / STAGING_MARKER).write_text(json.dumps({"generator": "todo-chatbot-cdk8s", "target": "elsewhere"}))
    unmarked = tmp_path / ".dist.keep"
    unmarked.mkdir()
    (unmarked / "mine.txt").write_text("mine")
    assert synth(out)[0] == 0
    assert not ours.exists()
    assert other_target.exists()
    assert (unmarked / "mine.txt").read_text() == "mine"


def test_an_output_left_inside_a_staging_directory_is_put_back(tmp_path: Path) -> None:
    # A synth killed between the two renames of a swap (where the atomic exchange is not there).
    out = tmp_path / "dist"
    assert synth(out)[0] == 0
    before = snapshot_tree(out)
    staging = tmp_path / ".dist.k1ll3d"
    staging.mkdir()
    (staging / STAGING_MARKER).write_text(json.dumps({"generator": "todo-chatbot-cdk8s", "target": "dist"}))
    out.rename(staging / "previous")
    assert remove_leftovers(out) == [staging]
    assert snapshot_tree(out) == before


# --- Ctrl-C while the output is written or swapped ------------------------------------------


def _press_ctrl_c(*_: object) -> None:
    os.kill(os.getpid(), signal.SIGINT)


@pytest.fixture
def python_ctrl_c() -> Iterator[None]:
    """Python's own SIGINT handler (KeyboardInterrupt) for the test: not main.py's, which the
    tests' import of main.py installs and which remembers a Ctrl-C for the rest of the process."""
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


@pytest.mark.parametrize("where", ["_mark_staging", "_exchange", "rmtree"])
@pytest.mark.usefixtures("python_ctrl_c")
def test_ctrl_c_while_replacing_takes_effect_once_the_swap_is_done(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, where: str
) -> None:
    """The staging directory is written, swapped in and removed whole: Ctrl-C at any of those
    points raises KeyboardInterrupt after them, with the new output in place and nothing left."""
    from values_app import outdir as module

    out = tmp_path / "dist"
    replace_outdir(out, {"20-app.k8s.yaml": ("old\n", 0o644)})
    if where == "rmtree":
        real_rmtree = shutil.rmtree

        def rmtree(path: str, ignore_errors: bool = False) -> None:
            _press_ctrl_c()
            real_rmtree(path, ignore_errors=ignore_errors)

        monkeypatch.setattr(shutil, "rmtree", rmtree)
    else:
        real = getattr(module, where)

        def interrupted(*args: object) -> object:
            _press_ctrl_c()
            return real(*args)

        monkeypatch.setattr(module, where, interrupted)
    handler = signal.getsignal(signal.SIGINT)
    with pytest.raises(KeyboardInterrupt):
        replace_outdir(out, {"20-app.k8s.yaml": ("new\n", 0o644)})
    assert (out / "20-app.k8s.yaml").read_text() == "new\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dist"]
    assert signal.getsignal(signal.SIGINT) is handler


def test_a_held_ctrl_c_goes_to_the_handler_in_place_once(tmp_path: Path) -> None:
    from values_app.outdir import _uninterrupted

    seen: list[int] = []
    previous = signal.signal(signal.SIGINT, lambda signum, frame: seen.append(signum))
    try:
        with _uninterrupted():
            _press_ctrl_c()
            _press_ctrl_c()
            assert seen == []  # held
        assert seen == [signal.SIGINT]
        with _uninterrupted():
            pass
        assert seen == [signal.SIGINT]  # nothing pressed: nothing handed on
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        with _uninterrupted():
            _press_ctrl_c()
        assert signal.getsignal(signal.SIGINT) == signal.SIG_IGN  # ignored stays ignored
    finally:
        signal.signal(signal.SIGINT, previous)


def test_outside_the_main_thread_nothing_is_held() -> None:
    from values_app.outdir import _uninterrupted

    handlers: list[object] = []

    def run() -> None:
        with _uninterrupted():
            handlers.append(signal.getsignal(signal.SIGINT))

    thread = threading.Thread(target=run)
    thread.start()
    thread.join()
    assert handlers == [signal.getsignal(signal.SIGINT)]


def test_check_outdir_answers_without_starting_jsii(tmp_path: Path) -> None:
    """`npx cdk8s` asks `main.py --check-outdir` before each deletion: it imports nothing of jsii."""
    (tmp_path / "notes").mkdir()
    (tmp_path / "notes" / "todo.md").write_text("buy milk\n")
    base = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "JSII_NODE")}
    command = [sys.executable, "-X", "importtime", str(ROOT / "main.py"), "--check-outdir", "--outdir", "notes"]
    result = subprocess.run(command, env=base, cwd=tmp_path, capture_output=True, text=True, check=False)
    assert result.returncode == 2
    imported = {line.rsplit("|", 1)[-1].strip() for line in result.stderr.splitlines() if line.startswith("import time:")}
    assert "values_app.outdir" in imported
    assert not {name.split(".")[0] for name in imported} & {"jsii", "constructs", "cdk8s", "cdk8s_plus_27"}
    assert result.stderr.splitlines()[-1] == (
        "error: notes holds files a synth did not write (todo.md); choose an empty or new directory, or remove it yourself"
    )


# --- synths at once (issue 20, item 16) ------------------------------------------------------------


def test_writes_into_one_directory_at_once_all_succeed_and_leave_one_whole_output(tmp_path: Path) -> None:
    out = tmp_path / "dist"

    def write(number: int, round_: int) -> None:
        replace_outdir(out, {f"{name}.k8s.yaml": (f"writer {number} round {round_}\n", 0o644) for name in ("00", "10", "20")})

    errors = at_once(5, 12, write)
    assert errors == []
    assert len({path.read_text() for path in out.glob("*.yaml")}) == 1  # one writer's whole output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dist"]  # no staging directory left


def test_synths_and_envs_at_once_all_succeed(tmp_path: Path) -> None:
    # Real processes: two synths into one directory, two `envs` into another, all at once.
    base = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "JSII_NODE")}
    synth_out, envs_out = tmp_path / "dist", tmp_path / "envs"
    commands = [[sys.executable, str(ROOT / "main.py"), "--quiet", "--outdir", str(synth_out)] for _ in range(2)]
    commands += [[sys.executable, str(ROOT / "main.py"), "envs", "--quiet", "--env", "local", "--outdir", str(envs_out)]] * 2
    runs = [subprocess.Popen(c, cwd=ROOT, env=base, stderr=subprocess.PIPE, text=True) for c in commands]
    results = [(run.wait(timeout=120), run.stderr.read() if run.stderr else "") for run in runs]
    for run in runs:
        if run.stderr:
            run.stderr.close()
    assert results == [(0, "")] * len(commands)
    assert sorted(p.name for p in synth_out.iterdir()) == [MARKER, "00-namespace.k8s.yaml", "20-app.k8s.yaml"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dist", "envs"]
    assert sorted(p.name for p in envs_out.iterdir()) == ["local"]
