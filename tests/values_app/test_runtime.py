"""No traceback, ever (issue 20, items 12, 13 and 20): a name too long, standard output that cannot
be written, a terminal without the characters, Ctrl-C at any point, a secret that is not text, a
diff against the outputs of several environments. Each is one line and an exit status."""

from __future__ import annotations

import io
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from values_app import cli
from values_app.outdir import MARKER

ROOT = Path(__file__).resolve().parents[2]
DEFAULT = ROOT / "values" / "003-local-k8s-deployment.yaml"
BASE = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "JSII_NODE")}


def main_py(*args: str, env: dict[str, str] | None = None, stdout: object = subprocess.PIPE) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, str(ROOT / "main.py"), *args]
    environ = {**BASE, **(env or {})}
    return subprocess.run(command, cwd=ROOT, env=environ, stdout=stdout, stderr=subprocess.PIPE, text=True, check=False)  # type: ignore[call-overload, no-any-return]


def one_line(text: str) -> str:
    lines = text.splitlines()
    assert len(lines) == 1, text
    assert "Traceback" not in text
    return lines[0]


@pytest.mark.parametrize(("length", "accepted"), [(245, True), (246, False)])
def test_an_output_name_the_file_system_cannot_hold_is_refused_up_front(tmp_path: Path, length: int, accepted: bool) -> None:
    out = tmp_path / ("d" * length)
    stderr = io.StringIO()
    status = cli.run(values=DEFAULT, outdir=out, environ={}, stderr=stderr, quiet=True)
    if accepted:
        assert status == 0
        assert (out / MARKER).is_file()
        return
    assert status == 2
    assert one_line(stderr.getvalue()).endswith(
        "its name is 246 bytes long; a synth writes beside it as .<name>.<8 characters>, so the file system allows at most 245"
    )
    assert sorted(tmp_path.iterdir()) == []


def test_a_300_character_outdir_and_against_are_one_line(tmp_path: Path) -> None:
    long = str(tmp_path / ("x" * 300))
    synth = main_py("--outdir", long)
    assert synth.returncode == 2
    assert "a name in it is 300 bytes long; the file system allows at most 255" in one_line(synth.stderr)
    diff = main_py("diff", "--against", long)
    assert diff.returncode == 2
    assert "File name too long" in one_line(diff.stderr)


def test_standard_output_that_cannot_be_written_is_one_line() -> None:
    with open("/dev/full", "w") as full:
        result = main_py("--diagram", stdout=full)
    assert result.returncode == 1
    assert one_line(result.stderr) == "error: cannot write standard output: No space left on device"


def test_a_closed_pipe_ends_quietly() -> None:
    reader = subprocess.Popen(["head", "-c", "10"], stdin=subprocess.PIPE, stdout=subprocess.DEVNULL)
    assert reader.stdin is not None
    result = main_py("--diagram", stdout=reader.stdin)
    reader.stdin.close()
    reader.wait()
    assert result.stderr == ""
    assert result.returncode in (0, 1)


def test_a_terminal_without_the_characters_gets_escapes() -> None:
    result = main_py("--diagram", env={"PYTHONIOENCODING": "ascii"})
    assert result.returncode == 0, result.stderr
    assert "web \\xb7 container :3000" in result.stdout


def test_a_secret_that_is_not_utf8_names_the_variable_never_the_value(tmp_path: Path) -> None:
    env = {**{k.encode(): v.encode() for k, v in BASE.items()}, b"DATABASE_URL": b"postgres://\xff\xfesecret"}
    command = [sys.executable, str(ROOT / "main.py"), "--outdir", str(tmp_path / "out")]
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, check=False)
    assert result.returncode == 1
    line = one_line(result.stderr.decode())
    assert line == (
        "error: environment variable DATABASE_URL: its value is not UTF-8 text (a Secret holds text here; the value is not shown)"
    )
    assert b"secret" not in result.stderr
    assert not (tmp_path / "out").exists()


def test_diff_against_the_outputs_of_several_environments_is_bad_usage(tmp_path: Path) -> None:
    environments = tmp_path / "envs"
    stderr = io.StringIO()
    assert (
        cli.environments(
            file=ROOT / "environments.yaml", outdir=environments, names=["local", "staging"], environ={}, stderr=stderr
        )
        == 0
    )
    stderr = io.StringIO()
    assert cli.diff(values=DEFAULT, against=environments, environ={}, stdout=io.StringIO(), stderr=stderr) == 2
    assert one_line(stderr.getvalue()) == (
        f"error: {environments} holds the outputs of several environments (local, staging), not one output; "
        f"compare with one of them: --against {environments / 'local'}, or with each environment: "
        f"diff --environments [FILE] --against {environments}"
    )


def _wait_for_node(pid: int) -> None:
    """Until the process ``pid`` has a child (jsii's Node.js), or 20 s."""
    children = Path(f"/proc/{pid}/task/{pid}/children")
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            if children.read_text().strip():
                return
        except OSError:
            return
        time.sleep(0.01)


def _tree(path: Path) -> dict[str, bytes]:
    return {str(p.relative_to(path)): p.read_bytes() for p in sorted(path.rglob("*")) if p.is_file()}


def test_ctrl_c_at_any_point_is_one_line_exit_130_and_nothing_half_written(
    tmp_path: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    out = tmp_path / "dist"
    assert main_py("--outdir", str(out), "--quiet").returncode == 0
    before = _tree(out)
    environ = {**BASE, "DATABASE_URL": "a", "BETTER_AUTH_SECRET": "b", "OPENAI_API_KEY": "c", "CHATKIT_WORKFLOW_ID": "d"}
    temp = tmp_path_factory.mktemp("node-tmp")
    environ["TMPDIR"] = str(temp)
    statuses = []
    for delay in (0.0, 0.1, 0.2, 0.35):
        run = subprocess.Popen(
            [sys.executable, str(ROOT / "main.py"), "--outdir", str(out), "--quiet"],
            cwd=ROOT,
            env=environ,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,  # its own process group, as a terminal's Ctrl-C reaches Node.js too
        )
        _wait_for_node(run.pid)  # main.py is past its first lines (jsii started): the signal is ours
        time.sleep(delay)
        os.killpg(run.pid, signal.SIGINT)
        _, err = run.communicate(timeout=60)
        statuses.append(run.returncode)
        after = _tree(out)
        if run.returncode == 130:
            assert one_line(err) == "error: interrupted; nothing was left half-written"
            assert after == before or set(after) == {*before, "10-secrets.secret.yaml"}, sorted(after)
        else:
            assert (run.returncode, err) == (0, "")  # it finished first
        assert sorted(p.name for p in tmp_path.iterdir()) == ["dist"]  # no staging directory left
        assert sorted(temp.iterdir()) == []  # nor jsii's unpacked runtime, nor its kernel's directory
        before = after
    assert 130 in statuses


def test_a_run_leaves_nothing_in_the_temporary_directory(tmp_path: Path) -> None:
    """jsii unpacks its Node.js runtime (2 MB) into a temporary directory that only its exit hook
    removes, which the program's immediate exit skips: the run's own directory goes instead, on
    success, on invalid input and on bad usage."""
    temp = tmp_path / "tmp"
    temp.mkdir()
    env = {"TMPDIR": str(temp)}
    assert main_py("--outdir", str(tmp_path / "dist"), "--quiet", env=env).returncode == 0
    assert main_py("--values", str(tmp_path / "missing.yaml"), "--outdir", str(tmp_path / "x"), env=env).returncode == 1
    assert main_py("--no-such-flag", env=env).returncode == 2
    assert sorted(temp.iterdir()) == []


def test_the_process_level_choices_were_written_for_the_pinned_versions() -> None:
    """Fails when the pin of jsii or CPython moves: read jsii's exit hook (and
    values_app/jsii_type_checks.py's hooks) or the new collector again, then raise JSII_WRITTEN_FOR
    or GC_WRITTEN_FOR. (On another jsii, such as the lowest pyproject allows, the program leaves
    jsii's hooks as they are: test_on_another_jsii_leave_lets_the_exit_hooks_run.)"""
    from tests.helpers import pinned
    from values_app import runtime

    assert pinned("jsii") == runtime.JSII_WRITTEN_FOR
    assert sys.version_info[:2] in runtime.GC_WRITTEN_FOR


def test_on_another_python_the_collector_is_left_as_it_is(monkeypatch: pytest.MonkeyPatch) -> None:
    import gc

    from values_app import runtime

    monkeypatch.setattr(runtime, "GC_WRITTEN_FOR", ())
    runtime.pause_collection()
    assert gc.isenabled()
    assert not runtime._PAUSED


def test_on_another_jsii_leave_lets_the_exit_hooks_run() -> None:
    program = (
        "import atexit, sys, types\n"
        "sys.modules['jsii'] = types.SimpleNamespace(__version__='0.0.0')\n"
        "from values_app import runtime\n"
        "atexit.register(lambda: print(' exit hook ran', end=''))\n"
        "print('written', end='')\n"
        "runtime.leave(3)\n"
    )
    result = subprocess.run([sys.executable, "-c", program], cwd=ROOT, env=BASE, capture_output=True, text=True, check=False)
    assert (result.returncode, result.stdout) == (3, "written exit hook ran")


def test_the_collector_is_paused_while_modules_load_then_walks_only_new_objects() -> None:
    import gc

    from values_app import runtime

    threshold = gc.get_threshold()
    frozen = gc.get_freeze_count()  # what this test process froze already (tests/conftest.py)
    runtime.collect_new_objects_only()  # not paused (main.py imported, as here): nothing changes
    assert gc.isenabled()
    assert gc.get_freeze_count() == frozen
    assert gc.get_threshold() == threshold
    try:
        runtime.pause_collection()
        assert not gc.isenabled()
        runtime.collect_new_objects_only()
        assert gc.isenabled()
        assert gc.get_freeze_count() > frozen
        assert gc.get_threshold() == (runtime.YOUNG_COLLECTION_THRESHOLD, *threshold[1:])
        gc.unfreeze()
        runtime.collect_new_objects_only()  # once: nothing is frozen again
        assert gc.get_freeze_count() == 0
    finally:
        gc.unfreeze()
        gc.set_threshold(*threshold)
        gc.enable()
        if frozen:
            gc.freeze()


def test_leave_ends_at_once_with_the_status_and_what_was_printed() -> None:
    """No exit hook runs (jsii's would wait for Node.js to stop), what was printed is flushed."""
    program = (
        "import atexit, sys, types\n"
        "from values_app import runtime\n"
        "sys.modules['jsii'] = types.SimpleNamespace(__version__=runtime.JSII_WRITTEN_FOR)\n"
        "atexit.register(lambda: print('exit hook ran'))\n"
        "print('written', end='')\n"
        "sys.stderr.write('said')\n"
        "runtime.leave(3)\n"
        "print('after')\n"
    )
    result = subprocess.run([sys.executable, "-c", program], cwd=ROOT, env=BASE, capture_output=True, text=True, check=False)
    assert (result.returncode, result.stdout, result.stderr) == (3, "written", "said")


def test_leave_with_standard_output_gone_is_a_failure_only_if_the_work_succeeded() -> None:
    program = (
        "import os, sys\n"
        "from values_app import runtime\n"
        "print('x' * 100)\n"
        "os.close(1)\n"  # the reader went away after the work was done
        "runtime.leave(int(sys.argv[1]))\n"
    )
    for status, expected in ((0, 1), (2, 2)):
        command = [sys.executable, "-c", program, str(status)]
        result = subprocess.run(command, cwd=ROOT, env=BASE, capture_output=True, text=True, check=False)
        assert (result.returncode, result.stderr) == (expected, "")


def test_ctrl_c_once_the_command_is_done_is_no_traceback(monkeypatch: pytest.MonkeyPatch) -> None:
    from values_app import runtime

    monkeypatch.setattr(runtime._Interrupt, "seen", False)
    monkeypatch.setattr(runtime._Interrupt, "finished", False)
    previous = signal.signal(signal.SIGINT, runtime._Interrupt.handler)  # as main.py's catch_interrupts()
    try:
        assert runtime.guarded(lambda: 0) == 0
        assert runtime._Interrupt.finished
        runtime._Interrupt.handler(signal.SIGINT, None)  # a Ctrl-C between guarded() and leave(): nothing raised
        assert runtime._Interrupt.seen
        runtime._Interrupt.seen = False  # (else guarded() would report it and leave the process)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        assert runtime.guarded(lambda: 0) == 0
        assert signal.getsignal(signal.SIGINT) is signal.default_int_handler  # called as a function: Ctrl-C acts again
        with pytest.raises(KeyboardInterrupt):
            signal.raise_signal(signal.SIGINT)
    finally:
        signal.signal(signal.SIGINT, previous)


def test_main_py_run_as_a_program_pauses_the_collector_until_its_modules_are_loaded() -> None:
    program = (
        "import gc, runpy, sys\n"
        "from values_app import runtime\n"
        "seen = []\n"
        "original = runtime.collect_new_objects_only\n"
        "def spy():\n"
        "    seen.append(gc.isenabled())\n"
        "    original()\n"
        "    young = gc.get_threshold()[0] == runtime.YOUNG_COLLECTION_THRESHOLD\n"
        "    seen.append(gc.isenabled() and gc.get_freeze_count() > 0 and young)\n"
        "    print(seen)\n"  # main.py leaves at once (runtime.leave): no code after it runs
        "runtime.collect_new_objects_only = spy\n"
        "sys.argv = ['main.py', '--list-presets']\n"
        "runpy.run_path('main.py', run_name='__main__')\n"
    )
    result = subprocess.run([sys.executable, "-c", program], cwd=ROOT, env=BASE, capture_output=True, text=True, check=False)
    assert result.stdout.strip().splitlines()[0] == "[False, True]", result.stderr
