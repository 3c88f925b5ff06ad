"""Where a synth may write, and how it replaces what is there without ever destroying anything else.

A synth writes to a path that does not exist yet, to an empty directory, or to a directory that
holds only a previous synth's output: the files listed in its ``.cdk8s-synth`` marker, and the
marker. Anything else (a file, a directory with other content, the current directory, the project
root or an ancestor of either, the home directory, ``/``) is refused before any work is done, with
one line that says what is there and what to do. There is no ``--force``: the tool never deletes
what it did not write.

Writing goes to a staging directory beside the target, which replaces the target only when
everything was written: a failed synth leaves the previous output exactly as it was. Staging
directories carry a marker of their own, so a synth killed half-way (``kill -9``) leaves only
directories that the next synth can prove are its own and remove; Ctrl-C while the staging
directory is written, swapped in or removed takes effect once that is done (:func:`_uninterrupted`),
so an interrupted synth leaves no staging directory behind. Synths into the same directory at once
take turns (:func:`output_lock`): each succeeds, and the output is one run's whole output.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import shutil
import signal
import sys
import threading
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from types import FrameType
from typing import TextIO

__all__ = [
    "MARKER",
    "UnsafeOutdirError",
    "check_outdir",
    "check_output",
    "check_outputs_parent",
    "check_repository_root",
    "listed_files",
    "output_lock",
    "remove_leftovers",
    "replace_outdir",
]

MARKER = ".cdk8s-synth"
"""The file in an output directory that lists what the synth wrote there."""
STAGING_MARKER = ".cdk8s-synth-staging"
"""The file in a staging directory that says a synth made it and may remove it."""
GENERATOR = "todo-chatbot-cdk8s"

_ADVICE = "choose an empty or new directory, or remove it yourself"


class UnsafeOutdirError(Exception):
    """The output path holds something a synth did not write; ``str()`` is one line."""


def _protected(project_root: Path | None) -> set[Path]:
    places = [Path.cwd()]
    if project_root is not None:
        places.append(project_root)
    protected = {Path("/"), Path.home().resolve()}
    for place in places:
        place = place.resolve()
        protected.add(place)
        protected.update(place.parents)
    return protected


def _marker_files(directory: Path) -> set[str] | None:
    """The files the marker of ``directory`` lists, or None when it has no valid marker."""
    try:
        data = json.loads((directory / MARKER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("generator") != GENERATOR or not isinstance(data.get("files"), list):
        return None
    files = data["files"]
    if not all(isinstance(name, str) and _relative_name(name) for name in files):
        return None
    return set(files)


def listed_files(directory: Path) -> set[str] | None:
    """The files the ``.cdk8s-synth`` marker of ``directory`` lists (``templates/x`` for a file in a
    directory of the output), or None when it has no valid marker."""
    return _marker_files(directory)


def _relative_name(name: str) -> bool:
    """A file of an output: a plain name, or one in a directory of the output (``templates/x``)."""
    parts = name.split("/")
    return len(parts) <= 2 and all(part and part not in (".", "..") for part in parts)


def _listed_directory(path: Path, listed: set[str]) -> bool:
    """Whether the directory ``path`` of an output holds exactly files its marker lists."""
    try:
        entries = list(os.scandir(path))
    except OSError:
        return False
    return bool(entries) and all(
        not entry.is_symlink() and entry.is_file() and f"{path.name}/{entry.name}" in listed for entry in entries
    )


def _describe(names: Iterable[str]) -> str:
    names = sorted(names)
    shown = ", ".join(names[:3])
    return shown + (f" and {len(names) - 3} more" if len(names) > 3 else "")


def _refuse_protected(path: Path, outdir: Path, project_root: Path | None, doing: str) -> None:
    resolved = path.resolve()
    if resolved not in _protected(project_root):
        return
    what = "the current directory" if resolved == Path.cwd().resolve() else "a directory that holds your work"
    if resolved == Path.home().resolve():
        what = "the home directory"
    elif project_root is not None and resolved == project_root.resolve():
        what = "the project's root"
    raise UnsafeOutdirError(f"{outdir} is {what}; {doing}: {_ADVICE}")


def _foreign_entries(path: Path, outdir: Path, *, outputs_inside: bool) -> list[str]:
    """What ``path`` holds that no synth wrote: anything but a synth's output files (and their
    marker), and with ``outputs_inside``, also anything but synth output directories and staging
    directories."""
    try:
        entries = list(os.scandir(path))
    except OSError as error:
        raise UnsafeOutdirError(f"{outdir} cannot be read ({error.strerror or error}); {_ADVICE}") from None
    listed = _marker_files(path)
    ours = ({MARKER} | listed) if listed is not None else set()  # a file name is no proof: only the marker is
    foreign = []
    for entry in entries:
        if entry.is_symlink():
            foreign.append(entry.name)
        elif entry.is_file():
            if entry.name not in ours:
                foreign.append(entry.name)
        elif listed is not None and _listed_directory(Path(entry.path), listed):
            continue
        elif not (outputs_inside and _synth_directory(Path(entry.path))):
            foreign.append(entry.name)
    return sorted(foreign)


def _synth_directory(directory: Path) -> bool:
    """Whether ``directory`` is empty, a synth's output or a synth's staging directory."""
    return (directory / STAGING_MARKER).is_file() or _marker_files(directory) is not None or not any(directory.iterdir())


def check_outdir(outdir: Path, *, project_root: Path | None = None) -> None:
    """Raise :class:`UnsafeOutdirError` unless a synth may replace ``outdir`` as a whole.

    ``project_root``, its ancestors, the current directory, its ancestors, the home directory and
    ``/`` are always refused, whatever they hold.
    """
    _check_names(Path(os.path.abspath(outdir)), outdir)
    if Path(os.path.abspath(outdir)).is_symlink():
        raise UnsafeOutdirError(f"{outdir} is a symbolic link; {_ADVICE}")
    _check(outdir, project_root, "a synth replaces its output directory as a whole", outputs_inside=False)


def check_output(outdir: Path, *, project_root: Path | None = None, stderr: TextIO | None = None) -> int:
    """0 when a synth may replace ``outdir``; else 2, with the reason on ``stderr`` (``error: ...``).

    Leftovers of an interrupted synth of ``outdir`` are cleaned up first (only those it can prove
    are its own). What ``main.py --check-outdir`` answers, without starting jsii: `npx cdk8s` asks
    it before the cdk8s CLI deletes anything.
    """
    try:
        check_outdir(outdir, project_root=project_root)
        remove_leftovers(outdir)
    except UnsafeOutdirError as error:
        print(f"error: {error}", file=stderr if stderr is not None else sys.stderr)
        return 2
    except OSError as error:
        print(f"error: cannot use {outdir}: {error.strerror or error}", file=stderr if stderr is not None else sys.stderr)
        return 2
    return 0


def check_outputs_parent(outdir: Path, *, project_root: Path | None = None) -> None:
    """Raise :class:`UnsafeOutdirError` unless synths may write output directories into ``outdir``
    (``envs``: one per environment; each is then checked with :func:`check_outdir`).

    The same places as for :func:`check_outdir` are refused; otherwise ``outdir`` may be new, empty,
    or hold only synth output directories, empty ones, and a single synth's output files.
    """
    _check(outdir, project_root, "a synth writes one output directory per environment into it", outputs_inside=True)


def check_repository_root(outdir: Path, targets: Iterable[str], *, project_root: Path | None = None) -> None:
    """Raise :class:`UnsafeOutdirError` unless synths may write the output directories ``targets``
    (paths relative to ``outdir``, such as ``clusters/staging`` and ``argocd``) under ``outdir``,
    the root of a deploy repository (``envs`` with a ``gitops:`` block; each target is then checked
    with :func:`check_outdir`).

    A repository holds what is not ours (``.git/``, a README, CI files), so ``outdir`` may hold
    anything else: nothing but the targets is ever replaced, and the directories on the way to them
    are only ever created. The same places as for :func:`check_outdir` are refused as ``outdir``;
    ``outdir``, and each directory on the way to a target, must be a directory (or not exist yet),
    never a symbolic link (which would write elsewhere) nor a file.
    """
    path = Path(os.path.abspath(outdir))
    _check_names(path, outdir)
    if path.is_symlink():
        raise UnsafeOutdirError(f"{outdir} is a symbolic link; {_ADVICE}")
    if not path.exists():
        return
    _refuse_protected(path, outdir, project_root, "a synth writes a deploy repository's directories into it")
    if not path.is_dir():
        raise UnsafeOutdirError(f"{outdir} is an existing file, not a directory; {_ADVICE}")
    for target in targets:
        parts = target.split("/")
        for depth in range(1, len(parts)):
            step = path.joinpath(*parts[:depth])
            shown = Path(outdir).joinpath(*parts[:depth])
            if step.is_symlink():
                raise UnsafeOutdirError(f"{shown} is a symbolic link; a synth writes {target} only through directories")
            if step.exists() and not step.is_dir():
                raise UnsafeOutdirError(f"{shown} is a file, where the directory of {target} goes; {_ADVICE}")


_STAGING_EXTRA = 10
"""What a staging directory's name adds to its target's: ``.<name>.`` and 8 random characters."""


def _name_max(path: Path) -> int:
    """The longest file name the file system of ``path`` (or its nearest existing ancestor) allows."""
    for place in (path, *path.parents):
        try:
            return os.pathconf(place, "PC_NAME_MAX")
        except (OSError, ValueError):
            continue
    return 255


def _check_names(path: Path, outdir: Path) -> None:
    """Refuse a path the file system cannot hold, or whose staging directory it could not."""
    limit = _name_max(path)
    for part in path.parts[1:]:
        size = len(os.fsencode(part))
        if size > limit:
            raise UnsafeOutdirError(f"{outdir}: a name in it is {size} bytes long; the file system allows at most {limit}")
    size = len(os.fsencode(path.name))
    if size + _STAGING_EXTRA > limit:
        raise UnsafeOutdirError(
            f"{outdir}: its name is {size} bytes long; a synth writes beside it as .<name>.<8 characters>, "
            f"so the file system allows at most {limit - _STAGING_EXTRA}"
        )


def _check(outdir: Path, project_root: Path | None, doing: str, *, outputs_inside: bool) -> None:
    path = Path(os.path.abspath(outdir))
    _check_names(path, outdir)
    if not path.exists():
        return
    _refuse_protected(path, outdir, project_root, doing)
    if not path.is_dir():
        raise UnsafeOutdirError(f"{outdir} is an existing file, not an output directory; {_ADVICE}")
    foreign = _foreign_entries(path, outdir, outputs_inside=outputs_inside)
    if foreign:
        raise UnsafeOutdirError(f"{outdir} holds files a synth did not write ({_describe(foreign)}); {_ADVICE}")


def _mark_staging(directory: Path, target: Path) -> None:
    (directory / STAGING_MARKER).write_text(json.dumps({"generator": GENERATOR, "target": target.name}) + "\n", encoding="utf-8")


_HELD = threading.local()
"""The output parents this thread holds the lock of (:func:`output_lock` is re-entrant per thread)."""


@contextlib.contextmanager
def output_lock(outdir: Path) -> Iterator[None]:
    """Hold the lock of the directory that holds ``outdir`` (an exclusive ``flock`` on it), so that
    synths into it (or into its siblings) write, swap and clean up one at a time: a run never
    removes another's live staging directory, and the output is always one run's whole output.
    Re-entrant within a thread; the kernel releases it when a process dies (``kill -9``)."""
    import fcntl  # only where a synth writes

    parent = Path(os.path.abspath(outdir)).parent
    held: dict[Path, int] = _HELD.__dict__.setdefault("held", {})
    if parent in held:
        held[parent] += 1
        try:
            yield
        finally:
            held[parent] -= 1
        return
    parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(parent, os.O_RDONLY | os.O_DIRECTORY)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
        except OSError as error:  # a file system without locks: one synth at a time is then the user's care
            if error.errno not in (errno.ENOLCK, errno.EOPNOTSUPP, errno.ENOTSUP):
                raise
        held[parent] = 1
        try:
            yield
        finally:
            del held[parent]
    finally:
        os.close(fd)  # releases the lock


def remove_leftovers(outdir: Path) -> list[Path]:
    """Remove the staging directories an interrupted synth of ``outdir`` left beside it.

    Only directories named ``.<outdir name>.*`` that hold this tool's staging marker for that very
    target are removed; anything else is left alone. A previous output that a synth killed in the
    middle of its swap left there is put back first. Returns what was removed. Runs under
    :func:`output_lock`: a staging directory of a synth still running is never seen here.
    """
    outdir = Path(os.path.abspath(outdir))
    if not outdir.parent.is_dir():
        return []
    with output_lock(outdir), _uninterrupted():
        return _remove_leftovers(outdir)


def _remove_leftovers(outdir: Path) -> list[Path]:
    removed: list[Path] = []
    try:
        entries = list(os.scandir(outdir.parent))
    except OSError:
        return removed
    prefix = f".{outdir.name}."
    for entry in entries:
        if not entry.name.startswith(prefix) or not entry.is_dir(follow_symlinks=False):
            continue
        try:
            data = json.loads((Path(entry.path) / STAGING_MARKER).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if isinstance(data, dict) and data.get("generator") == GENERATOR and data.get("target") == outdir.name:
            previous = Path(entry.path) / "previous"
            if previous.is_dir() and not os.path.lexists(outdir):
                os.replace(previous, outdir)  # killed between the two steps of a swap: restore it
            shutil.rmtree(entry.path, ignore_errors=True)
            removed.append(Path(entry.path))
    return removed


def _exchange(first: Path, second: Path) -> bool:
    """Swap two directories in one atomic step (Linux ``renameat2(RENAME_EXCHANGE)``); False when
    the system or the file system cannot."""
    import ctypes  # only where the swap happens
    import ctypes.util

    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    if renameat2(at_fdcwd, os.fsencode(first), at_fdcwd, os.fsencode(second), rename_exchange) == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP, errno.EOPNOTSUPP):
        return False
    raise OSError(code, os.strerror(code), str(second))


def replace_outdir(outdir: Path, files: Mapping[str, tuple[str, int]]) -> None:
    """Write ``files`` (name -> (text, mode)) to a new directory and swap it in place of ``outdir``.

    Call :func:`check_outdir` first. The new directory gets a marker listing the files. Runs under
    :func:`output_lock`.
    """
    outdir = Path(os.path.abspath(outdir))
    with output_lock(outdir), _uninterrupted():
        _remove_leftovers(outdir)
        _replace(outdir, files)


@contextlib.contextmanager
def _uninterrupted() -> Iterator[None]:
    """Hold Ctrl-C (SIGINT) back until the block is done, then hand it to the handler that was in
    place (``KeyboardInterrupt`` by default; main.py's, which says "interrupted"). Writing a staging
    directory and swapping it in take milliseconds, but a ``KeyboardInterrupt`` between creating
    the directory and entering its ``try``, or in the middle of removing it, would leave it behind.
    Outside the main thread (only the main one may set a handler) nothing is held."""
    previous = signal.getsignal(signal.SIGINT)
    if previous is None or threading.current_thread() is not threading.main_thread():
        yield  # a handler not set from Python could not be put back
        return
    caught: list[FrameType | None] = []
    signal.signal(signal.SIGINT, lambda signum, frame: caught.append(frame))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
        if caught:
            if callable(previous):
                previous(signal.SIGINT, caught[0])
            elif previous == signal.SIG_DFL:
                signal.raise_signal(signal.SIGINT)


def _replace(outdir: Path, files: Mapping[str, tuple[str, int]]) -> None:
    import tempfile

    staging = Path(tempfile.mkdtemp(prefix=f".{outdir.name}.", dir=outdir.parent))
    try:
        _mark_staging(staging, outdir)
        content = staging / "content"
        content.mkdir()
        for name, (text, mode) in files.items():
            if "/" in name:
                (content / name).parent.mkdir(mode=0o755, exist_ok=True)
            fd = os.open(content / name, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                handle.write(text)
        marker = {"generator": GENERATOR, "files": sorted(files)}
        (content / MARKER).write_text(json.dumps(marker, indent=1) + "\n", encoding="utf-8")
        content.chmod(0o755)
        if not outdir.exists():
            os.replace(content, outdir)
        elif not _exchange(content, outdir):
            # Two steps: a synth killed between them leaves the previous output in the staging
            # directory, and the next synth puts it back (remove_leftovers).
            os.replace(outdir, staging / "previous")
            os.replace(content, outdir)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
