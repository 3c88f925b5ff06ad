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

Several output directories under one root (``envs``: every environment, and a deploy repository's
controller objects) are replaced together or not at all (:func:`replace_tree`): each is staged
first, then all are swapped in, under a journal at the root that the next run (or the failing one)
rolls back from (:func:`recover_tree`) until the last swap is done. A full disk, Ctrl-C or
``kill -9`` at any point leaves the previous tree exactly; runs into one root take turns.
"""

from __future__ import annotations

import contextlib
import errno
import functools
import json
import os
import shutil
import signal
import sys
import threading
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path
from types import FrameType
from typing import Any, TextIO

__all__ = [
    "JOURNAL",
    "MARKER",
    "UnsafeOutdirError",
    "check_outdir",
    "check_output",
    "check_outputs_parent",
    "check_repository_root",
    "listed_files",
    "output_lock",
    "recover_tree",
    "remove_leftovers",
    "replace_outdir",
    "replace_tree",
    "tree_lock",
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


def _mark_staging(directory: Path, target: Path, journal: Path | None = None) -> None:
    data = {"generator": GENERATOR, "target": target.name}
    if journal is not None:
        data["journal"] = str(journal)
    (directory / STAGING_MARKER).write_text(json.dumps(data) + "\n", encoding="utf-8")


_HELD = threading.local()
"""The output parents this thread holds the lock of (:func:`output_lock` is re-entrant per thread)."""


@contextlib.contextmanager
def output_lock(outdir: Path) -> Iterator[None]:
    """Hold the lock of the directory that holds ``outdir`` (an exclusive ``flock`` on it), so that
    synths into it (or into its siblings) write, swap and clean up one at a time: a run never
    removes another's live staging directory, and the output is always one run's whole output.
    Re-entrant within a thread; the kernel releases it when a process dies (``kill -9``)."""
    with _directory_lock(Path(os.path.abspath(outdir)).parent):
        yield


@contextlib.contextmanager
def tree_lock(root: Path, targets: Iterable[str] = ()) -> Iterator[None]:
    """Hold the lock of ``root`` itself (``envs`` into it take turns), then those of the directories
    that hold each of ``targets`` (paths relative to ``root``), which single synths into them take:
    always in this order, so that no two runs wait for each other."""
    root = Path(os.path.abspath(root))
    parents = sorted({(root / target).parent for target in targets} - {root})
    created: dict[Path, list[str]] = _HELD.__dict__.setdefault("created", {})
    made: list[Path] = []  # what the locks create (to lock it), removed again if left empty
    for directory in [root, *parents]:
        missing = []
        while not os.path.lexists(directory) and directory != directory.parent:
            missing.append(directory)
            directory = directory.parent
        made += [step for step in reversed(missing) if step not in made]
    outermost = root not in created
    if outermost:
        created[root] = []
    created[root] += [os.path.relpath(step, root) for step in made if step != root]
    try:
        with contextlib.ExitStack() as stack:
            stack.enter_context(_directory_lock(root))
            for parent in parents:
                stack.enter_context(_directory_lock(parent))
            yield
    finally:
        if outermost:
            del created[root]
        for step in reversed(made):
            with contextlib.suppress(OSError):
                os.rmdir(step)  # only if nothing was written into it


@contextlib.contextmanager
def _directory_lock(directory: Path) -> Iterator[None]:
    import fcntl  # only where a synth writes

    held: dict[Path, int] = _HELD.__dict__.setdefault("held", {})
    if directory in held:
        held[directory] += 1
        try:
            yield
        finally:
            held[directory] -= 1
        return
    directory.mkdir(parents=True, exist_ok=True)
    fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
        except OSError as error:  # a file system without locks: one synth at a time is then the user's care
            if error.errno not in (errno.ENOLCK, errno.EOPNOTSUPP, errno.ENOTSUP):
                raise
        held[directory] = 1
        try:
            yield
        finally:
            del held[directory]
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
            journal = data.get("journal")
            if isinstance(journal, str) and os.path.lexists(journal):
                continue  # a tree replaced in one step: only its rollback (recover_tree) may touch it
            previous = Path(entry.path) / "previous"
            if previous.is_dir() and not os.path.lexists(outdir):
                os.replace(previous, outdir)  # killed between the two steps of a swap: restore it
            shutil.rmtree(entry.path, ignore_errors=True)
            removed.append(Path(entry.path))
    return removed


@functools.cache
def _renameat2() -> Any:
    """libc's ``renameat2``, or None where there is none."""
    import ctypes
    import ctypes.util

    try:
        return ctypes.CDLL(ctypes.util.find_library("c") or None, use_errno=True).renameat2
    except (OSError, AttributeError):
        return None


def _exchange(first: Path, second: Path) -> bool:
    """Swap two directories in one atomic step (Linux ``renameat2(RENAME_EXCHANGE)``); False when
    the system or the file system cannot."""
    import ctypes  # only where the swap happens

    renameat2 = _renameat2()
    if renameat2 is None:
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
    staging = _stage(outdir, files)
    try:
        _swap(outdir, staging)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _stage(outdir: Path, files: Mapping[str, tuple[str, int]], journal: Path | None = None) -> Path:
    """A staging directory beside ``outdir`` whose ``content`` holds ``files`` and their marker."""
    import tempfile

    staging = Path(tempfile.mkdtemp(prefix=f".{outdir.name}.", dir=outdir.parent))
    try:
        _mark_staging(staging, outdir, journal)
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
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return staging


def _swap(outdir: Path, staging: Path) -> None:
    """Put ``staging/content`` in place of ``outdir``; the previous output ends up in the staging
    directory (``content`` after an atomic exchange, ``previous`` otherwise)."""
    content = staging / "content"
    if not os.path.lexists(outdir):
        os.rename(content, outdir)
    elif not _exchange(content, outdir):
        # Two steps: a synth killed between them leaves the previous output in the staging
        # directory, and the next synth puts it back (remove_leftovers, recover_tree).
        os.replace(outdir, staging / "previous")
        os.replace(content, outdir)


# --- a tree of outputs, replaced in one step --------------------------------------------------------

JOURNAL = ".cdk8s-synth-transaction"
"""The file at the root of a tree that a :func:`replace_tree` in progress writes, and removes once
every output is swapped in: while it is there, the tree is rolled back (:func:`recover_tree`)."""


def _write_journal(root: Path, data: Mapping[str, object]) -> None:
    temporary = root / f"{JOURNAL}.new"
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump({"generator": GENERATOR, **data}, handle)  # a process killed, not a power cut: no fsync
    os.replace(temporary, root / JOURNAL)


def _identity(path: Path) -> list[int]:
    stat = os.stat(path, follow_symlinks=False)
    return [stat.st_dev, stat.st_ino]


def replace_tree(
    root: Path, outputs: Mapping[str, Mapping[str, tuple[str, int]]], files: Mapping[str, tuple[str, int]] | None = None
) -> None:
    """Replace each output directory ``root/<target>`` (``outputs``: target -> files, as for
    :func:`replace_outdir`) with its files, and each file of ``files`` (name -> (text, mode),
    directly in ``root``, such as the deploy tree's record), all in one step: every output is
    staged first, then all are swapped in. A failure (a full disk), Ctrl-C or ``kill -9`` before the last swap leaves the
    previous tree exactly: the failing run rolls it back at once, a killed one is rolled back by
    the next run into ``root`` (:func:`recover_tree`). Ctrl-C while swapping takes effect once the
    swap is done. Directories on the way to a target are created, and removed again on a rollback.
    Runs under :func:`tree_lock`; call :func:`check_outdir` on each target first."""
    root = Path(os.path.abspath(root))
    with tree_lock(root, outputs):
        with _uninterrupted():
            _recover(root)
            for target in outputs:
                _remove_leftovers(root / target)
        targets = list(outputs)
        created: list[str] = list(_HELD.created.get(root, []))  # made by tree_lock for this run
        for target in targets:
            for depth in range(1, len(target.split("/"))):
                step = "/".join(target.split("/")[:depth])
                if not os.path.lexists(root / step) and step not in created:
                    created.append(step)
        journal = root / JOURNAL
        stagings: dict[str, str] = {}
        names = list(files or {})
        committed = False
        try:
            with _uninterrupted():
                _write_journal(root, {"state": "staging", "targets": targets, "created": created, "files": names})
            for step in created:
                (root / step).mkdir(exist_ok=True)
            for target in targets:
                with _uninterrupted():  # a staging directory is never made without being recorded
                    staging = _stage(root / target, outputs[target], journal)
                    stagings[target] = os.path.relpath(staging, root)
            for name, (text, mode) in (files or {}).items():
                fd = os.open(root / _file_staging(name), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
                with os.fdopen(fd, "w", encoding="utf-8") as handle:
                    handle.write(text)
                os.chmod(root / _file_staging(name), mode)
            swaps = [
                {"target": target, "staging": stagings[target], "new": _identity(root / stagings[target] / "content")}
                for target in targets
            ]
            new_files = {name: _identity(root / _file_staging(name)) for name in names}
            state = {"state": "swapping", "targets": targets, "created": created, "swaps": swaps, "files": names}
            with _uninterrupted():
                _write_journal(root, {**state, "new_files": new_files})
                for target in targets:
                    _swap(root / target, root / stagings[target])
                for name in names:
                    if os.path.lexists(root / name):
                        os.link(root / name, root / _file_backup(name))
                    os.replace(root / _file_staging(name), root / name)
                # The commit: from here on the new tree stays; what is left of the previous one
                # (in the staging directories, the backups) is removed, by the next run if need be.
                _write_journal(root, {**state, "new_files": new_files, "state": "committed"})
                committed = True
                _recover(root)
        finally:
            if not committed:
                with _uninterrupted():
                    _recover(root)


def recover_tree(root: Path) -> str | None:
    """Roll back what a :func:`replace_tree` into ``root`` that was killed left: each output it
    swapped in is swapped back out, its staging directories and the directories it created are
    removed; or, killed after its commit, only the previous tree's remains are removed. What was
    done (``"rolled back"``, ``"completed"``), or None. Takes :func:`tree_lock`."""
    root = Path(os.path.abspath(root))
    if not os.path.lexists(root / JOURNAL) and not os.path.lexists(root / f"{JOURNAL}.new"):
        return None
    with tree_lock(root), _uninterrupted():
        return _recover(root)


def _recover(root: Path) -> str | None:
    with contextlib.suppress(FileNotFoundError):
        os.unlink(root / f"{JOURNAL}.new")  # a journal never put in place: nothing was done under it
    journal = root / JOURNAL
    try:
        data = json.loads(journal.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as error:
        raise OSError(errno.EIO, f"{journal} cannot be read ({error}); remove it and render again") from None
    if not _journal_ok(data, journal):
        raise OSError(errno.EIO, f"{journal} is not this tool's (or names paths outside {root}); remove it and render again")
    committed = data.get("state") == "committed"  # then only the previous tree's remains are removed
    for swap in [] if committed else reversed(data.get("swaps") or []):
        if os.path.lexists(root / swap["staging"]):  # else removed after the commit: nothing to put back
            _unswap(root / swap["target"], root / swap["staging"], swap["new"])
    new_files = {} if committed else data.get("new_files") or {}
    for name in reversed(data.get("files") or []):
        target, backup = root / name, root / _file_backup(name)
        if name in new_files and os.path.lexists(target) and _identity(target) == new_files[name]:
            if os.path.lexists(backup):
                os.replace(backup, target)
            else:
                os.unlink(target)  # it was not there before
        for leftover in (root / _file_staging(name), backup):
            with contextlib.suppress(FileNotFoundError):
                os.unlink(leftover)
    for target in data.get("targets") or []:  # every staging directory of the run (and older leftovers)
        _remove_staging(root / target, root / JOURNAL)
    for step in [] if committed else reversed(data.get("created") or []):
        with contextlib.suppress(OSError):
            os.rmdir(root / step)  # only if it is empty, as it was made
    os.unlink(journal)
    return "completed" if committed else "rolled back"


def _file_staging(name: str) -> str:
    return f".{name}.cdk8s-new"


def _file_backup(name: str) -> str:
    return f".{name}.cdk8s-old"


def _relative(path: object) -> bool:
    return isinstance(path, str) and all(part not in ("", ".", "..") for part in path.split("/"))


def _journal_ok(data: object, journal: Path) -> bool:
    """Whether ``data`` is a journal :func:`replace_tree` wrote: only paths under the root, each
    staging directory beside its target and marked as this journal's (nothing else is ever moved)."""
    if os.path.islink(journal) or not isinstance(data, dict) or data.get("generator") != GENERATOR:
        return False
    targets, created, swaps = data.get("targets"), data.get("created"), data.get("swaps") or []
    if not isinstance(targets, list) or not isinstance(created, list) or not isinstance(swaps, list):
        return False
    names, new_files = data.get("files") or [], data.get("new_files") or {}
    if not isinstance(names, list) or not all(_relative(name) and "/" not in name for name in names):
        return False
    if not isinstance(new_files, dict) or not all(
        name in names and isinstance(new, list) and len(new) == 2 and all(isinstance(n, int) for n in new)
        for name, new in new_files.items()
    ):
        return False
    if not all(_relative(path) for path in [*targets, *created]):
        return False
    for swap in swaps:
        if not isinstance(swap, dict) or swap.get("target") not in targets or not _relative(swap.get("staging")):
            return False
        target, staging = Path(journal.parent, swap["target"]), Path(journal.parent, swap["staging"])
        new = swap.get("new")
        if staging.parent != target.parent or not staging.name.startswith(f".{target.name}."):
            return False
        if not (isinstance(new, list) and len(new) == 2 and all(isinstance(n, int) for n in new)):
            return False
        try:
            marker = json.loads((staging / STAGING_MARKER).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            marker = None
        if os.path.lexists(staging) and (not isinstance(marker, dict) or marker.get("journal") != str(journal)):
            return False
    return True


def _unswap(target: Path, staging: Path, new: list[int]) -> None:
    """Put back the previous output of ``target`` from ``staging`` if the new one is in place."""
    discard = staging / "discard"
    if os.path.lexists(target) and _identity(target) == new:
        if (staging / "content").is_dir():  # exchanged: content holds the previous output
            if not _exchange(staging / "content", target):
                os.replace(target, discard)
                os.replace(staging / "content", target)
        elif (staging / "previous").is_dir():
            os.replace(target, discard)
            os.replace(staging / "previous", target)
        else:  # it was not there before
            os.replace(target, discard)
    elif not os.path.lexists(target) and (staging / "previous").is_dir():
        os.replace(staging / "previous", target)  # killed between the two steps of a swap


def _remove_staging(target: Path, journal: Path) -> None:
    """Remove the staging directories of ``target`` that name ``journal`` (after a rollback)."""
    try:
        entries = list(os.scandir(target.parent))
    except OSError:
        return
    for entry in entries:
        if not entry.name.startswith(f".{target.name}.") or not entry.is_dir(follow_symlinks=False):
            continue
        try:
            data = json.loads((Path(entry.path) / STAGING_MARKER).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        ours = isinstance(data, dict) and data.get("generator") == GENERATOR and data.get("target") == target.name
        if ours and data.get("journal") == str(journal):
            shutil.rmtree(entry.path, ignore_errors=True)
