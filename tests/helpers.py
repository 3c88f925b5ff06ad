"""Helpers for picking manifests out of synthesized output, for reading and writing YAML in tests
(PyYAML's safe loader and dumper, the C ones: the same documents, read and written faster), and for
asking which modules a program loads."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import IO, Any

import yaml

SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
SafeDumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
ROOT = Path(__file__).resolve().parent.parent


def loaded_by(program: str, modules: Iterable[str], cwd: Path) -> list[str]:
    """Which of ``modules`` the Python ``program`` has loaded when it ends (a name ending in ``.``
    stands for every module under it), run in a process of its own in ``cwd``, this repository
    importable."""
    report = (
        "\nimport json, sys\n"
        f"wanted = {sorted(modules)!r}\n"
        "print(json.dumps([w for w in wanted if any(m == w or (w.endswith('.') and m.startswith(w)) for m in sys.modules)]))\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    result = subprocess.run(
        [sys.executable, "-c", program + report], env=env, cwd=cwd, capture_output=True, text=True, check=True
    )
    found: list[str] = json.loads(result.stdout.strip().splitlines()[-1])
    return found


def load_all(text: str) -> list[Any]:
    """The documents of ``text`` (empty ones left out), as ``yaml.safe_load_all`` reads them."""
    return [doc for doc in yaml.load_all(text, Loader=SafeLoader) if doc]


def yaml_load(stream: str | bytes | IO[str]) -> Any:
    """``yaml.safe_load(stream)``, read by the C loader."""
    return yaml.load(stream, Loader=SafeLoader)


def yaml_load_all(stream: str | bytes | IO[str]) -> list[Any]:
    """``list(yaml.safe_load_all(stream))``, read by the C loader (empty documents kept)."""
    return list(yaml.load_all(stream, Loader=SafeLoader))


def dump(data: Any, **options: Any) -> str:
    """``yaml.safe_dump(data, **options)``."""
    text: str = yaml.dump(data, Dumper=SafeDumper, **options)
    return text


def by_kind(manifests: list[dict[str, Any]], kind: str) -> list[dict[str, Any]]:
    return [m for m in manifests if m["kind"] == kind]


def one(manifests: list[dict[str, Any]], kind: str, name: str | None = None) -> dict[str, Any]:
    """The single manifest of ``kind`` (and ``name``); fails the test otherwise."""
    found = [m for m in by_kind(manifests, kind) if name is None or m["metadata"]["name"] == name]
    assert len(found) == 1, f"expected one {kind} {name or ''}, found {len(found)}"
    return found[0]


def container(deployment: dict[str, Any]) -> dict[str, Any]:
    containers = deployment["spec"]["template"]["spec"]["containers"]
    assert len(containers) == 1
    result: dict[str, Any] = containers[0]
    return result


def load_library() -> None:
    """Import every module of webapp_constructs (its ``__init__`` loads each on first use)."""
    import importlib
    import pkgutil

    import webapp_constructs

    for module in pkgutil.iter_modules(webapp_constructs.__path__, "webapp_constructs."):
        importlib.import_module(module.name)


def failing_rows(rows: Iterable[tuple[Any, ...]], check: Callable[..., None]) -> list[str]:
    """``check(*row)`` for each of ``rows`` (a table of cases, such as Kubernetes' own test
    tables): ``<row>: <why>`` for each that fails, so that one test reports every failing case."""
    import pytest

    found = []
    for row in rows:
        try:
            check(*row)
        except (AssertionError, pytest.fail.Exception) as error:
            found.append(f"{row!r}: {error}")
    return found


def pinned(package: str) -> str:
    """The version constraints.txt pins ``package`` to (the lock every default run installs)."""
    for line in (ROOT / "constraints.txt").read_text(encoding="utf-8").splitlines():
        name, _, version = line.partition("==")
        if name.strip().lower() == package.lower():
            return version.split(";")[0].strip()
    raise LookupError(f"{package} is not pinned in constraints.txt")


def at_once(writers: int, rounds: int, write: Callable[[int, int], None]) -> list[BaseException]:
    """``write(number, round)`` for ``rounds`` rounds in each of ``writers`` threads run at once;
    every exception raised (each failure is a finding)."""
    import threading

    errors: list[BaseException] = []

    def writer(number: int) -> None:
        for round_ in range(rounds):
            try:
                write(number, round_)
            except BaseException as error:
                errors.append(error)

    threads = [threading.Thread(target=writer, args=(number,)) for number in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return errors
