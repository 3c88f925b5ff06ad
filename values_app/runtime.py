"""What must happen before jsii starts (the first import of cdk8s or constructs starts its Node.js
process), and how a run ends when something outside the values goes wrong: jsii failing, Ctrl-C,
standard output that cannot be written. Imports nothing of jsii.
"""

from __future__ import annotations

import errno
import gc
import os
import signal
import stat
import sys
from collections.abc import Callable
from pathlib import Path
from types import FrameType
from typing import Any, NoReturn

from .jsii_type_checks import WRITTEN_FOR

__all__ = [
    "INTERRUPTED",
    "YOUNG_COLLECTION_THRESHOLD",
    "catch_interrupts",
    "collect_new_objects_only",
    "from_jsii",
    "guarded",
    "leave",
    "pause_collection",
    "use_local_node",
    "use_own_scratch",
    "use_usable_jsii_cache",
]

INTERRUPTED = 130
"""The exit status after Ctrl-C (128 + SIGINT), as a shell reports it."""


JSII_WRITTEN_FOR = WRITTEN_FOR
"""The jsii version the program's process-level choices were written for: :func:`leave` skips its
exit hook, :mod:`.jsii_type_checks` answers its plain type checks. On another jsii, neither is done
(a test fails when the installed jsii moves, so that they are read again before this is raised)."""

GC_WRITTEN_FOR = ((3, 11), (3, 12), (3, 13))
"""The CPython versions whose generational collector :func:`pause_collection` and
:func:`collect_new_objects_only` were written for (3.14's collector is incremental: its thresholds
mean something else); on another, the collector is left as it is (a test fails there)."""

_PAUSED = False

_SCRATCH: str | None = None
"""This run's own temporary directory (:func:`use_own_scratch`), removed as the run ends."""

_SYSTEM_TEMP: str | None = None
"""The temporary directory before :func:`use_own_scratch` replaced it."""


def pause_collection() -> None:
    """Stop the cyclic garbage collector while the modules load (``main.py``, run as a program,
    calls it first, then :func:`collect_new_objects_only`): importing jsii, cdk8s and the library
    makes ~100,000 objects, which every full collection would walk again. Only on the CPython
    versions of :data:`GC_WRITTEN_FOR`."""
    global _PAUSED
    if sys.version_info[:2] not in GC_WRITTEN_FOR:
        return
    _PAUSED = True
    gc.disable()


YOUNG_COLLECTION_THRESHOLD = 100_000
"""Allocations between two collections of the youngest objects during a run (Python's default:
700). A synth makes millions of objects that live briefly; collecting them less often walks each
survivor fewer times (``make bench`` measures it, like for like), and the cyclic
garbage that can wait for a collection stays bounded."""


def collect_new_objects_only() -> None:
    """After :func:`pause_collection` (else nothing), start the collector again for the objects
    made from here on: what the imports made stays (``gc.freeze``), as it would anyway for the
    whole run, and the youngest objects are collected every :data:`YOUNG_COLLECTION_THRESHOLD`
    allocations. A synth's collections then walk only its own objects, and each fewer times."""
    global _PAUSED
    if _PAUSED:
        _PAUSED = False
        gc.freeze()
        _, middle, oldest = gc.get_threshold()
        gc.set_threshold(YOUNG_COLLECTION_THRESHOLD, middle, oldest)
        gc.enable()


def leave(status: int) -> NoReturn:
    """End the program with ``status`` at once, standard output and error flushed (``main.py``
    calls it last). No interpreter teardown: jsii's exit hook would ask Node.js to stop and wait
    for it at the end of every run, Ctrl-C pressed in that wait would have Node.js report a broken
    channel after a run that finished, and the last collection would walk every object left. Node.js
    ends on its own when its input closes with this process; the files jsii unpacked for it are in
    this run's own temporary directory, removed here (:func:`use_own_scratch`).
    On a jsii other than :data:`JSII_WRITTEN_FOR`, the program ends as any does (its exit hooks
    run), unless standard output went away."""
    try:
        sys.stdout.flush()
    except OSError:  # standard output went away after the work was done (| head): nothing lost
        status = status or 1
    else:
        jsii = sys.modules.get("jsii")
        if jsii is not None and getattr(jsii, "__version__", None) != JSII_WRITTEN_FOR:
            sys.stderr.flush()
            raise SystemExit(status)
    _quiet_exit(status)
    raise AssertionError("unreachable")  # pragma: no cover - os._exit does not return


def use_own_scratch() -> None:
    """Give this run a temporary directory of its own, removed however the run ends (``main.py``,
    run as a program, calls it before jsii starts). jsii unpacks its Node.js runtime (about 2 MB)
    into a temporary directory that only its exit hook removes, which :func:`leave` skips; left in
    the system's temporary directory, every run would leave one behind. Python's ``tempfile`` and
    Node.js's ``os.tmpdir()`` (``TMPDIR``) both use it; the program starts no other process."""
    global _SCRATCH, _SYSTEM_TEMP
    import atexit
    import tempfile

    if _SCRATCH is not None:
        return
    _SYSTEM_TEMP = tempfile.gettempdir()
    try:
        _SCRATCH = tempfile.mkdtemp(prefix="webapp-synth-")
    except OSError:  # no writable temporary directory: jsii says so when it needs one
        return
    tempfile.tempdir = _SCRATCH
    os.environ["TMPDIR"] = _SCRATCH
    atexit.register(_remove_scratch)  # before jsii starts: its own hook runs first


def _remove_scratch() -> None:
    if _SCRATCH is not None:
        import shutil

        shutil.rmtree(_SCRATCH, ignore_errors=True)


def use_local_node(root: Path) -> None:
    """Run jsii on the project's Node.js 22 (``root``/node_modules, from package.json) unless
    JSII_NODE says otherwise.

    Must run before the first import of cdk8s or constructs: that import starts the node process.
    """
    local = root / "node_modules" / ".bin" / "node"
    if not os.environ.get("JSII_NODE") and local.exists():
        os.environ["JSII_NODE"] = str(local)


def _private_directory(path: Path) -> bool:
    """Whether ``path`` is a directory only this user can write, creating it if need be."""
    try:
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
        info = path.lstat()
    except OSError:
        return False
    return (
        stat.S_ISDIR(info.st_mode)
        and info.st_uid == os.getuid()
        and not info.st_mode & 0o022
        and os.access(path, os.W_OK | os.X_OK)
    )


def use_usable_jsii_cache() -> None:
    """Give jsii a package cache it can use.

    jsii keeps its packages in ``~/.cache/aws/jsii/package-cache`` and fails (``Cannot use the jsii
    package cache ...: EACCES``) when the home directory is not writable, as in a CI container that
    runs as another user. Then point it (JSII_RUNTIME_PACKAGE_CACHE_ROOT) at a private directory
    of this user's in the temporary directory instead. Must run before jsii starts.
    """
    if os.environ.get("JSII_RUNTIME_PACKAGE_CACHE", "enabled").lower() != "enabled":
        return
    if os.environ.get("JSII_RUNTIME_PACKAGE_CACHE_ROOT"):
        return
    default = Path.home() / ".cache" / "aws" / "jsii" / "package-cache"
    if _private_directory(default):
        return
    import tempfile  # here: usually the default cache is fine

    fallback = Path(_SYSTEM_TEMP or tempfile.gettempdir()) / f"todo-chatbot-cdk8s-jsii-cache-{os.getuid()}"
    if _private_directory(fallback):
        os.environ["JSII_RUNTIME_PACKAGE_CACHE_ROOT"] = str(fallback)
    else:
        os.environ["JSII_RUNTIME_PACKAGE_CACHE"] = "disabled"


def from_jsii(error: BaseException) -> bool:
    """Whether ``error`` was raised by jsii (its own error, or one raised inside its code)."""
    if type(error).__module__.split(".")[0] == "jsii":
        return True
    trace = error.__traceback__
    while trace is not None:
        if f"{os.sep}jsii{os.sep}" in trace.tb_frame.f_code.co_filename:
            return True
        trace = trace.tb_next
    return False


class _Interrupt:
    """Remembers a SIGINT: once Ctrl-C was pressed, whatever fails next (jsii, whose Node.js
    process got the same signal, fails in its own way) is the interruption, and a run that
    finishes anyway (the KeyboardInterrupt landed where Python ignores exceptions) says so too.
    Once the command is done (``finished``), there is nothing left to interrupt: a Ctrl-C between
    it and :func:`leave` is no traceback."""

    seen = False
    finished = False

    @classmethod
    def handler(cls, signum: int, frame: FrameType | None) -> None:
        cls.seen = True
        if not cls.finished:
            raise KeyboardInterrupt

    @classmethod
    def unraisable(cls, unraisable: Any) -> None:
        if not isinstance(unraisable.exc_value, KeyboardInterrupt):
            sys.__unraisablehook__(unraisable)


def catch_interrupts() -> None:
    """Take over Ctrl-C as early as possible (``main.py`` calls it first): see :func:`guarded`."""
    signal.signal(signal.SIGINT, _Interrupt.handler)
    sys.unraisablehook = _Interrupt.unraisable


def _interrupted() -> int:
    print("error: interrupted; nothing was left half-written", file=sys.stderr)
    return _quiet_exit(INTERRUPTED)


def _quiet_exit(status: int) -> int:
    """Flush stderr and leave at once: jsii's exit hooks would talk to a Node.js process that a
    signal or a broken pipe already ended, and complain."""
    try:
        sys.stderr.flush()
    finally:
        try:
            _remove_scratch()
        finally:
            os._exit(status)


def _standard_stream_error(error: OSError) -> bool:
    """Whether ``error`` is a write to standard output failing (a full disk, a closed pipe): such
    an error names no file, unlike one about a path."""
    return error.filename is None and error.errno in (errno.ENOSPC, errno.EPIPE, errno.EIO, errno.EDQUOT, errno.EFBIG)


def guarded(work: Callable[[], int]) -> int:
    """Run ``work`` (the command) so that it ends with one line and an exit status, never a
    traceback, for what is not the values' fault: Ctrl-C (exit 130; whatever was being written is
    left as it was, see :mod:`.outdir`), standard output that cannot be written (exit 1; a closed
    pipe, as with ``| head``, ends quietly), characters the terminal's encoding lacks (written as
    escapes), jsii failing to start or to answer (exit 1)."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(errors="backslashreplace")
    _Interrupt.finished = False
    previous = signal.signal(signal.SIGINT, _Interrupt.handler)
    try:
        status = work()
        sys.stdout.flush()
        _Interrupt.finished = True
        return _interrupted() if _Interrupt.seen else status
    except KeyboardInterrupt:
        return _interrupted()
    except OSError as error:
        if _Interrupt.seen:
            return _interrupted()
        if not _standard_stream_error(error) and not from_jsii(error):
            raise
        if _standard_stream_error(error):
            if error.errno != errno.EPIPE:
                print(f"error: cannot write standard output: {error.strerror}", file=sys.stderr)
            return _quiet_exit(1)
        print(
            f"error: jsii (Node.js, which cdk8s runs on) failed: cannot start Node.js ({os.environ.get('JSII_NODE', 'node')}): "
            f"{error.strerror or error}",
            file=sys.stderr,
        )
        return _quiet_exit(1)
    except Exception as error:
        if _Interrupt.seen:
            return _interrupted()
        if not from_jsii(error):
            raise
        first = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        print(f"error: jsii (Node.js, which cdk8s runs on) failed: {first}", file=sys.stderr)
        return _quiet_exit(1)
    finally:
        signal.signal(signal.SIGINT, previous)
