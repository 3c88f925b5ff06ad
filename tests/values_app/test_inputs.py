"""Reading an input file: at most its limit of bytes, regular files and pipes only, one line per
problem naming the file."""

from __future__ import annotations

import os
import socket
import threading
from pathlib import Path

import pytest

from values_app.inputs import MAX_INPUT_BYTES, InputError, read_text_bounded, size_text


def message(path: Path, **options: int) -> str:
    with pytest.raises(InputError) as error:
        read_text_bounded(path, what="values file", **options)
    return str(error.value)


def test_the_limit_is_4_mib() -> None:
    assert MAX_INPUT_BYTES == 4194304
    assert size_text(MAX_INPUT_BYTES) == "4 MiB (4194304 bytes)"
    assert size_text(1000) == "1000 bytes"


@pytest.mark.parametrize(("size", "refused"), [(MAX_INPUT_BYTES, False), (MAX_INPUT_BYTES + 1, True)])
def test_a_file_of_at_most_4_mib_is_read(tmp_path: Path, size: int, refused: bool) -> None:
    path = tmp_path / "v.yaml"
    path.write_bytes(b"#" * (size - 1) + b"\n")
    if refused:
        assert message(path) == f"{path}: larger than 4 MiB (4194304 bytes), the most a values file may be"
    else:
        assert len(read_text_bounded(path, what="values file")) == size


@pytest.mark.parametrize(("size", "refused"), [(10, False), (11, True)])
def test_the_limit_is_a_parameter(tmp_path: Path, size: int, refused: bool) -> None:
    path = tmp_path / ".env"
    path.write_bytes(b"x" * size)
    if refused:
        with pytest.raises(InputError) as error:
            read_text_bounded(path, what="env file", limit=10)
        assert str(error.value) == f"{path}: larger than 10 bytes, the most an env file may be"
    else:
        assert read_text_bounded(path, what="env file", limit=10) == "x" * 10


def test_a_device_is_refused_before_it_is_read() -> None:
    assert message(Path("/dev/zero")) == (
        "/dev/zero: is a character device, not a values file (only regular files and pipes are read)"
    )


def test_a_socket_and_a_directory_are_refused(tmp_path: Path) -> None:
    with socket.socket(socket.AF_UNIX) as listening:
        listening.bind(str(tmp_path / "s.yaml"))
        assert message(tmp_path / "s.yaml") == (
            f"{tmp_path / 's.yaml'}: is a socket, not a values file (only regular files and pipes are read)"
        )
    assert message(tmp_path) == f"{tmp_path}: is a directory, not a values file"
    assert message(tmp_path / "absent.yaml") == f"{tmp_path / 'absent.yaml'}: no such values file"


@pytest.mark.parametrize(("size", "refused"), [(64, False), (65, True)])
def test_a_pipe_is_read_up_to_the_limit(tmp_path: Path, size: int, refused: bool) -> None:
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)

    def feed() -> None:
        with open(fifo, "wb") as handle:
            handle.write(b"A=1\n" * (size // 4) + b"#" * (size % 4))

    writer = threading.Thread(target=feed, daemon=True)
    writer.start()
    try:
        if refused:
            assert message(fifo, limit=64) == f"{fifo}: larger than 64 bytes, the most a values file may be"
        else:
            assert read_text_bounded(fifo, what="values file", limit=64) == "A=1\n" * 16
    finally:
        writer.join(timeout=10)


def test_text_that_is_not_utf_8_is_one_line_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "v.yaml"
    path.write_bytes(b"a: 1\nb: \xff\n")
    assert message(path) == f"{path}:2: not UTF-8 text (byte 8); a values file is UTF-8"


def test_newlines_are_read_as_read_text_reads_them(tmp_path: Path) -> None:
    path = tmp_path / "v.yaml"
    path.write_bytes(b"a: 1\r\nb: 2\rc: 3\n")
    assert read_text_bounded(path, what="values file") == path.read_text(encoding="utf-8") == "a: 1\nb: 2\nc: 3\n"
