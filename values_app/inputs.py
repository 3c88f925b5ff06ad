"""Reading an input file (a values file, the environments file, an env file, a file ``diff`` reads)
with a bound on its size, so that no input can make a run read without end.

Regular files are read, and pipes too (``--env-file <(sops -d .env.enc)``), at most ``limit`` bytes
of either (one more byte is read to tell that there is more). Anything else that can be opened but
never ends or is not a file (``/dev/zero``, a terminal, a socket) is refused before it is opened.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

__all__ = ["MAX_INPUT_BYTES", "InputError", "read_text_bounded", "size_text"]

MAX_INPUT_BYTES = 4 * 1024 * 1024
"""The most a values file, the environments file or an env file may hold: 4 MiB, four times a
values file with a ConfigMap of the 1 MiB Kubernetes allows."""

_MIB = 1024 * 1024


class InputError(Exception):
    """An input file that cannot be read; ``str()`` is one line naming the file, never its content."""


def size_text(size: int) -> str:
    """``4 MiB (4194304 bytes)`` for a whole number of MiB, else ``N bytes``."""
    return f"{size // _MIB} MiB ({size} bytes)" if size and size % _MIB == 0 else f"{size} bytes"


def _kind(mode: int) -> str | None:
    """What a file of ``mode`` is, when it is neither a regular file nor a pipe (which are read)."""
    if stat.S_ISREG(mode) or stat.S_ISFIFO(mode):
        return None
    if stat.S_ISDIR(mode):
        return "a directory"
    if stat.S_ISCHR(mode):
        return "a character device"
    if stat.S_ISBLK(mode):
        return "a block device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "a special file"


def read_text_bounded(path: Path, *, what: str, limit: int = MAX_INPUT_BYTES) -> str:
    """The UTF-8 text of the file at ``path`` (newlines as ``Path.read_text`` gives them), at most
    ``limit`` bytes of it. ``what`` names the file in messages (``values file``).

    Raises :class:`InputError`: no such file, a directory, a device or socket, more than ``limit``
    bytes, not UTF-8, or any other error of the system.
    """
    article = "an" if what[:1] in tuple("aeiou") else "a"
    try:
        kind = _kind(os.stat(path).st_mode)  # before opening: a device may never end, a FIFO blocks in open
        if kind is None:
            with open(path, "rb") as handle:
                kind = _kind(os.fstat(handle.fileno()).st_mode)  # what was opened, if it changed since
                data = handle.read(limit + 1) if kind is None else b""
    except FileNotFoundError:
        raise InputError(f"{path}: no such {what}") from None
    except OSError as error:
        raise InputError(f"{path}: cannot read ({error.strerror or type(error).__name__})") from None
    if kind is not None:
        why = "" if kind == "a directory" else " (only regular files and pipes are read)"
        raise InputError(f"{path}: is {kind}, not {article} {what}{why}")
    if len(data) > limit:
        raise InputError(f"{path}: larger than {size_text(limit)}, the most {article} {what} may be")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        raise InputError(f"{path}:{line}: not UTF-8 text (byte {error.start}); {article} {what} is UTF-8") from None
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text
