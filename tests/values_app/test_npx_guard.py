"""`npx cdk8s` (node_modules/.bin/cdk8s, scripts/cdk8s-guard.js): whatever spelling the cdk8s CLI
accepts for its output directory, the directory it is about to delete is the one the project checks,
and where the guard cannot be sure it refuses (issue 20).

Each run starts node and the CLI (and the check starts Python): the cases of a test run side by side.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

ROOT = Path(__file__).resolve().parents[2]
CDK8S = ROOT / "node_modules" / ".bin" / "cdk8s"
GUARD = ROOT / "scripts" / "cdk8s-guard.js"
PYTHON = ROOT / ".venv" / "bin" / "python"
APP = f"{PYTHON} {ROOT / 'main.py'}"
NOTES = {"keep.txt": b"x\n", "sub/deep.md": b"buy milk\n"}

T = TypeVar("T")
R = TypeVar("R")


def parallel(function: Callable[[T], R], items: Iterable[T]) -> list[R]:
    with ThreadPoolExecutor(max_workers=4) as pool:
        return list(pool.map(function, items))


def tree(path: Path) -> dict[str, bytes | None]:
    """Every file and directory under ``path``, with the bytes of each file."""
    return {str(p.relative_to(path)): p.read_bytes() if p.is_file() else None for p in sorted(path.rglob("*"))}


def project(directory: Path, **config: str) -> Path:
    """A directory with a cdk8s.yaml of its own whose app is this project's main.py."""
    directory.mkdir(parents=True)
    lines = [f"{key}: {json.dumps(value)}\n" for key, value in {"app": APP, **config}.items()]
    (directory / "cdk8s.yaml").write_text("".join(lines))
    return directory


def foreign(directory: Path) -> Path:
    for name, data in NOTES.items():
        (directory / name).parent.mkdir(parents=True, exist_ok=True)
        (directory / name).write_bytes(data)
    return directory


def cdk8s(
    *args: str, cwd: Path, env: Mapping[str, str] | None = None, command: Sequence[str] = (str(CDK8S),)
) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "JSII_NODE")}
    base["PATH"] = f"{CDK8S.parent}{os.pathsep}{base.get('PATH', '')}"  # as npx runs it: on the project's Node.js 22
    return subprocess.run(
        [*command, *args], cwd=cwd, env={**base, **(env or {})}, capture_output=True, text=True, check=False, timeout=120
    )


def test_the_guard_is_installed_as_the_cli() -> None:
    assert CDK8S.resolve() == GUARD, "run `npm ci` (make setup) to install the guard"


@dataclass
class Case:
    """``npx cdk8s <args>`` in a directory of its own whose cdk8s.yaml runs this project, beside
    ``V``, which holds files no synth wrote (``{V}`` in ``args``: its absolute path)."""

    args: tuple[str, ...]
    env: dict[str, str] = field(default_factory=dict)
    config: dict[str, str] = field(default_factory=dict)
    in_root: bool = False  # run in the project's root instead
    says: str | None = None  # what stderr's one line says; by default, the check's refusal of V
    status: int = 2


CASES = [
    Case(("synth", "-o", "V")),
    Case(("synth", "--output", "V")),
    Case(("synth", "--output=V")),
    Case(("synthesize", "-o", "V")),
    Case(("-o", "V", "synth")),
    Case(("synth", "--o", "V")),
    Case(("synth", "-o=V")),
    Case(("synth", "-o", "X/../V/")),
    Case(("synth", "--app", f"{APP} --outdir X", "-o", "V")),
    Case(("synth",), env={"CDK8S_OUTPUT": "V"}),
    Case(("synth",), env={"CDK8S_O": "V"}),
    Case(("synth",), config={"output": "V"}),
    Case(("synth", "--output", "{V}"), in_root=True),
    # yargs reads -oV as the flags -o and -V: the CLI would call rmSync(true)
    Case(("synth", "-oV"), says="asked to delete true, which is not one path but a flag "),
    Case(("synth", "-o", "A", "-o", "V"), says='asked to delete ["A","V"], which is not one path but a list '),
    # not a command of the CLI (yargs suggests one, and runs nothing)
    Case(("s", "-o", "V"), says="Did you mean", status=1),
]


def test_every_spelling_of_the_output_directory_is_checked_before_the_cli_deletes_it(tmp_path: Path) -> None:
    places = []
    for number, case in enumerate(CASES):
        cwd = project(tmp_path / str(number), **case.config)
        (cwd / "X").mkdir()  # a real directory on the way of X/../V
        places.append((ROOT if case.in_root else cwd, foreign(cwd / "V")))

    def run(number: int) -> subprocess.CompletedProcess[str]:
        cwd, notes = places[number]
        return cdk8s(*(arg.replace("{V}", str(notes)) for arg in CASES[number].args), cwd=cwd, env=CASES[number].env)

    for case, result, (_, notes) in zip(CASES, parallel(run, range(len(CASES))), places, strict=True):
        assert result.returncode == case.status, (case, result.stderr)
        assert len(result.stderr.splitlines()) == 1, (case, result.stderr)
        says = case.says or f"error: {notes} holds files a synth did not write (keep.txt, sub); choose "
        assert says in result.stderr, (case, result.stderr)
        assert tree(notes) == {"keep.txt": b"x\n", "sub": None, "sub/deep.md": b"buy milk\n"}, case
        assert sorted(p.name for p in notes.parent.iterdir()) == ["V", "X", "cdk8s.yaml"], case


def test_synth_writes_a_new_directory_and_replaces_a_previous_output(tmp_path: Path) -> None:
    cwd = project(tmp_path / "project")
    dist = cwd / "dist"
    first = cdk8s("synth", "--app", f"{APP} --values {ROOT / 'values' / '001-k8s-minikube-deploy.yaml'}", cwd=cwd)
    assert first.returncode == 0, first.stderr
    assert sorted(p.name for p in dist.iterdir()) == [".cdk8s-synth", "20-app.k8s.yaml"]
    second = cdk8s("synth", cwd=cwd)  # the default preset, into the first one's dist/
    assert second.returncode == 0, second.stderr
    assert sorted(p.name for p in dist.iterdir()) == [".cdk8s-synth", "00-namespace.k8s.yaml", "20-app.k8s.yaml"]
    assert "namespace: todo-local" in (dist / "20-app.k8s.yaml").read_text()
    assert "  - dist/00-namespace.k8s.yaml" in second.stdout


def test_where_the_check_cannot_run_the_guard_refuses_and_the_clis_own_temporary_directory_goes(tmp_path: Path) -> None:
    """A copy of the guard in a project without .venv: nothing to check with. The CLI's temporary
    directory of --stdout is still removed without a check (none could run), and nothing else is."""
    root = tmp_path / "root"
    (root / "scripts").mkdir(parents=True)
    shutil.copy(GUARD, root / "scripts" / GUARD.name)
    (root / "node_modules").symlink_to(ROOT / "node_modules")
    cwd = project(tmp_path / "project")
    notes = foreign(cwd / "V")
    guard = (str(root / "scripts" / GUARD.name),)
    refused, stdout = parallel(lambda args: cdk8s(*args, cwd=cwd, command=guard), [("synth", "-o", "V"), ("synth", "--stdout")])
    assert refused.returncode == 2
    assert refused.stderr == (
        f"error: cannot check {notes} before the cdk8s CLI deletes it: {root}/.venv/bin/python is missing "
        "(run `make setup`); nothing was deleted\n"
    )
    assert tree(notes) == {"keep.txt": b"x\n", "sub": None, "sub/deep.md": b"buy milk\n"}
    assert stdout.returncode == 0, stdout.stderr
    # the CLI prints the files of its temporary directory in the order the file system lists them
    assert "apiVersion: v1\nkind: Namespace\n" in stdout.stdout
    assert "namespace: todo-local" in stdout.stdout
    assert sorted(p.name for p in cwd.iterdir()) == ["V", "cdk8s.yaml"]
