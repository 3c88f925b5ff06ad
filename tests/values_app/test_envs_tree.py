"""``envs`` writes the whole tree or nothing (issue 29, item 8): every environment and the
controller objects are staged, then swapped in together; a full disk, Ctrl-C or ``kill -9`` at any
point leaves the previous tree exactly, and runs into one tree take turns."""

from __future__ import annotations

import contextlib
import errno
import io
import json
import os
import re
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers import at_once
from values_app import cli
from values_app import outdir as module
from values_app.outdir import JOURNAL, recover_tree, replace_tree
from values_app.settings import Setting

ROOT = Path(__file__).resolve().parents[2]


def tree(path: Path) -> dict[str, bytes | None]:
    """Every file and directory under ``path`` (hidden ones included), with each file's bytes and mode."""
    found: dict[str, bytes | None] = {}
    for item in sorted(path.rglob("*")):
        relative = str(item.relative_to(path))
        found[relative] = (item.read_bytes() + oct(item.stat().st_mode).encode()) if item.is_file() else None
    return found


def environments_file(directory: Path, *, big_second: bool = False) -> Path:
    """Two environments: ``local``, then ``big`` (staging; with ``big_second`` a 400 KB ConfigMap value)."""
    overlay = directory / "big.yaml"
    overlay.write_text(f"configMaps:\n  todo-chatbot-config:\n    NOTES: {'x' * 400_000}\n")
    path = directory / "environments.yaml"
    extra = f", {overlay}" if big_second else ""
    path.write_text(
        "environments:\n"
        f"  local: {{values: [{ROOT / 'values/003-local-k8s-deployment.yaml'}]}}\n"
        f"  big: {{values: [{ROOT / 'values/staging.yaml'}{extra}]}}\n"
    )
    return path


def envs(file: Path, outdir: Path, tag: str) -> tuple[int, str]:
    stderr = io.StringIO()
    settings = [Setting(f"services.backend.image.tag={tag}", string=True)]
    status = cli.environments(file=file, outdir=outdir, settings=settings, environ={}, stderr=stderr, quiet=True)
    return status, stderr.getvalue()


def tags(outdir: Path) -> set[str]:
    """The tag of the backend's Deployment in each environment's output."""
    return {re.findall(r"todo-backend:([^@\s]+)", path.read_text())[0] for path in outdir.glob("*/20-app.k8s.yaml")}


# --- a full disk ----------------------------------------------------------------------------------


@contextlib.contextmanager
def small_disk(path: Path, size: str) -> Iterator[Path]:
    path.mkdir()
    try:
        mounted = (
            os.geteuid() == 0
            and subprocess.run(
                ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)], capture_output=True, check=False
            ).returncode
            == 0
        )
    except OSError:
        mounted = False
    if not mounted:
        pytest.skip("a tmpfs cannot be mounted here (not root); test_enospc_at_the_second_environment stands in")
    try:
        yield path
    finally:
        subprocess.run(["umount", str(path)], check=False)


def disk_full_at_the_second_stage(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """Make the second directory staged fail as a full disk does (ENOSPC); the directories staged,
    in order."""
    staged: list[Path] = []
    real = module._stage

    def stage(target: Path, files: object, journal: Path | None = None) -> Path:
        staged.append(target)
        if len(staged) == 2:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(target))
        return real(target, files, journal)  # type: ignore[arg-type]

    monkeypatch.setattr(module, "_stage", stage)
    return staged


def test_a_full_disk_on_the_second_environment_leaves_the_previous_tree(tmp_path: Path) -> None:
    file = environments_file(tmp_path, big_second=True)
    with small_disk(tmp_path / "disk", "1200k") as disk:
        outdir = disk / "dist"
        assert envs(file, outdir, "one") == (0, "")
        before = tree(disk)
        assert tags(outdir) == {"one"}
        # Room for the first environment's new output, not for the second's (400 KB).
        free = os.statvfs(disk).f_bavail * os.statvfs(disk).f_frsize
        (disk / "filler").write_bytes(b"\0" * (free - 160 * 1024))
        status, stderr = envs(file, outdir, "two")
        (disk / "filler").unlink()
        assert status == 1
        assert (
            stderr
            == f"error: cannot write {outdir}: No space left on device; nothing was changed (every directory is as it was)\n"
        )
        assert tree(disk) == before
        assert envs(file, outdir, "two") == (0, "")  # once there is room
        assert tags(outdir) == {"two"}


def test_enospc_at_the_second_environment_leaves_the_previous_tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    file, outdir = environments_file(tmp_path), tmp_path / "dist"
    assert envs(file, outdir, "one") == (0, "")
    before = tree(tmp_path)
    staged = disk_full_at_the_second_stage(monkeypatch)
    status, stderr = envs(file, outdir, "two")
    assert [path.name for path in staged] == ["local", "big"]
    assert (status, stderr) == (
        1,
        f"error: cannot write {outdir}: No space left on device; nothing was changed (every directory is as it was)\n",
    )
    assert tree(tmp_path) == before


# --- Ctrl-C -------------------------------------------------------------------------------------------


@pytest.fixture
def python_ctrl_c() -> Iterator[None]:
    """Python's own SIGINT handler (KeyboardInterrupt), not main.py's."""
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


@pytest.mark.parametrize("where", ["_stage", "_swap"])
@pytest.mark.usefixtures("python_ctrl_c")
def test_ctrl_c_on_the_second_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, where: str) -> None:
    """While the second environment is written: nothing changes. While it is swapped in: the swap
    finishes, and the whole new tree is there. Either way no staging directory is left."""
    file, outdir = environments_file(tmp_path), tmp_path / "dist"
    assert envs(file, outdir, "one") == (0, "")
    before = tree(tmp_path)
    calls: list[object] = []
    real = getattr(module, where)

    def pressed(*args: object) -> object:
        calls.append(args[0])
        if len(calls) == 2:
            os.kill(os.getpid(), signal.SIGINT)
        return real(*args)

    monkeypatch.setattr(module, where, pressed)
    with pytest.raises(KeyboardInterrupt):
        envs(file, outdir, "two")
    if where == "_stage":
        assert tree(tmp_path) == before
    else:
        assert tags(outdir) == {"two"}
        assert sorted(p.name for p in outdir.iterdir()) == ["big", "local"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["big.yaml", "dist", "environments.yaml"]


# --- kill -9 at every step -------------------------------------------------------------------------


OLD = {
    "clusters/b": {"20-app.k8s.yaml": ("b old\n", 0o644), "gone.k8s.yaml": ("gone\n", 0o644)},
    "argocd": {"applications.k8s.yaml": ("apps old\n", 0o644)},
}
NEW = {
    "clusters/b": {"20-app.k8s.yaml": ("b new\n", 0o644), "secrets.yaml": ("s new\n", 0o600)},
    "clusters/c": {"20-app.k8s.yaml": ("c new\n", 0o644)},  # new
    "argocd": {"applications.k8s.yaml": ("apps new\n", 0o644)},
}

_KILLER = """
import json, os, shutil, signal, sys, types
from pathlib import Path
from values_app import outdir as module

base, old, new = Path(sys.argv[1]), json.loads(sys.argv[2]), json.loads(sys.argv[3])
OLD_FILES = {".deploy-tree": ("old record\\n", 0o644)}
NEW_FILES = {".deploy-tree": ("new record\\n", 0o644), "added": ("new file\\n", 0o600)}

def prepare(root):
    (root / ".git").mkdir(parents=True)
    (root / "README.md").write_text("the deploy repository\\n")
    module.replace_tree(root, {t: {n: tuple(f) for n, f in files.items()} for t, files in old.items()}, OLD_FILES)

def killed_at(stop, root):
    pid = os.fork()
    if pid == 0:
        try:
            steps = [0]
            def counted(real):
                def step(*args, **kwargs):
                    steps[0] += 1
                    if steps[0] == stop:
                        os.kill(os.getpid(), signal.SIGKILL)
                    return real(*args, **kwargs)
                return step
            for name in ("_write_journal", "_stage", "_swap", "_exchange", "_identity"):
                setattr(module, name, counted(getattr(module, name)))
            counted_os = types.ModuleType("os")
            counted_os.__dict__.update(os.__dict__)
            for name in ("rename", "replace", "unlink", "rmdir", "link"):
                setattr(counted_os, name, counted(getattr(os, name)))
            module.os = counted_os
            module.shutil = types.SimpleNamespace(rmtree=counted(shutil.rmtree))
            module.replace_tree(root, {t: {n: tuple(f) for n, f in files.items()} for t, files in new.items()}, NEW_FILES)
        finally:
            os._exit(0)
    return os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])

statuses = []
for stop in range(1, 100):
    prepare(base / f"repo{stop}")
    statuses.append(killed_at(stop, base / f"repo{stop}"))
    if statuses[-1] == 0:
        break
print(json.dumps(statuses))
"""


def test_kill_9_at_any_step_leaves_the_previous_tree_once_recovered(tmp_path: Path) -> None:
    """A run killed (SIGKILL, as ``kill -9``) just before each of its steps in turn (a journal
    write, a staging, a swap, a rename, a link, an unlink, a removal), with directories and files
    at the root (the deploy tree's record) to replace: the tree is the previous one once
    the next run recovers it (or the new one, when the kill came after the commit); nothing of the
    run is left. The runs are forked from a process without jsii, where a fork is cheap."""
    reference = tmp_path / "reference"
    (reference / ".git").mkdir(parents=True)
    (reference / "README.md").write_text("the deploy repository\n")
    replace_tree(reference, OLD, {".deploy-tree": ("old record\n", 0o644)})
    before = tree(reference)
    child = subprocess.run(
        [sys.executable, "-c", _KILLER, str(tmp_path), json.dumps(OLD), json.dumps(NEW)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert child.returncode == 0, child.stderr
    statuses = json.loads(child.stdout)
    assert statuses[-1] == 0  # the last run finished
    assert set(statuses[:-1]) == {-signal.SIGKILL}
    killed_before_commit = killed_after_commit = 0
    for stop in range(1, len(statuses)):
        root = tmp_path / f"repo{stop}"
        journal = root / JOURNAL
        if journal.exists():
            committed = json.loads(journal.read_text())["state"] == "committed"
            assert recover_tree(root) == ("completed" if committed else "rolled back")
        else:  # not begun, or done
            committed = (root / "clusters" / "c").exists()
            assert recover_tree(root) is None
        if committed:
            killed_after_commit += 1
            assert tree(root) == tree(tmp_path / f"repo{len(statuses)}"), f"killed at step {stop}"
        else:
            killed_before_commit += 1
            assert tree(root) == before, f"killed at step {stop}"
    assert killed_before_commit >= 8
    assert killed_after_commit >= 1
    finished = tmp_path / f"repo{len(statuses)}"
    assert (finished / "clusters" / "c" / "20-app.k8s.yaml").read_text() == "c new\n"
    assert (finished / "clusters" / "b" / "secrets.yaml").stat().st_mode & 0o777 == 0o600
    assert not (finished / "clusters" / "b" / "gone.k8s.yaml").exists()
    assert (finished / ".deploy-tree").read_text() == "new record\n"
    assert (finished / "added").stat().st_mode & 0o777 == 0o600
    assert json.loads((finished / "clusters" / "c" / ".cdk8s-synth").read_text())["files"] == ["20-app.k8s.yaml"]


# --- runs at once ----------------------------------------------------------------------------------


def test_runs_into_one_tree_take_turns(tmp_path: Path) -> None:
    root = tmp_path / "repo"

    def write(number: int, round_: int) -> None:
        text = f"writer {number} round {round_}\n"
        replace_tree(root, {target: {"20-app.k8s.yaml": (text, 0o644)} for target in ("clusters/a", "clusters/b", "argocd")})

    errors = at_once(3, 5, write)
    assert errors == []
    assert len({path.read_text() for path in root.rglob("20-app.k8s.yaml")}) == 1  # one run's whole tree
    assert sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_dir()) == [
        "argocd",
        "clusters",
        "clusters/a",
        "clusters/b",
    ]


def test_a_journal_that_names_paths_outside_the_tree_moves_nothing(tmp_path: Path) -> None:
    """A journal committed into a deploy repository by someone else cannot make a run move
    anything: its paths must be under the root, each staging directory beside its target and
    marked as that journal's."""
    file, outdir = environments_file(tmp_path), tmp_path / "dist"
    outside = tmp_path / "precious"
    outside.mkdir()
    (outside / "data").write_text("mine\n")
    (tmp_path / "dist").mkdir()
    identity = [outside.stat().st_dev, outside.stat().st_ino]
    hostile = {
        "generator": "todo-chatbot-cdk8s",
        "state": "swapping",
        "targets": ["../precious"],
        "created": [],
        "swaps": [{"target": "../precious", "staging": "../.precious.x", "new": identity}],
    }
    (outdir / JOURNAL).write_text(json.dumps(hostile))
    before = tree(tmp_path)
    status, stderr = envs(file, outdir, "one")
    assert status == 2
    refused = f"{outdir / JOURNAL} is not this tool's (or names paths outside {outdir}); remove it and render again"
    assert stderr == f"error: cannot use {outdir}: {refused}\n"
    assert tree(tmp_path) == before


def test_a_failed_first_render_into_a_deploy_repository_leaves_no_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The directories a run creates on the way (``clusters/``) go again when it fails."""
    from tests.values_app.test_gitops import gitops_file

    root, file = tmp_path / "deploy", gitops_file(tmp_path)
    (root / ".git").mkdir(parents=True)
    before = tree(tmp_path)
    staged = disk_full_at_the_second_stage(monkeypatch)
    stderr = io.StringIO()
    assert cli.environments(file=file, outdir=root, environ={}, stderr=stderr, quiet=True) == 1
    assert [str(path.relative_to(root)) for path in staged] == ["clusters/staging", "clusters/production"]
    assert tree(tmp_path) == before


def test_a_journal_in_the_home_directory_is_never_rolled_back(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    (home / JOURNAL).write_text(json.dumps({"generator": "todo-chatbot-cdk8s", "targets": [], "created": ["notes"]}))
    (home / "notes").mkdir()  # empty: a rollback would remove it
    file = environments_file(tmp_path)
    before = tree(tmp_path)
    status, stderr = envs(file, home, "one")
    assert status == 2
    assert stderr.startswith(f"error: {home} is the home directory; ")
    assert tree(tmp_path) == before
