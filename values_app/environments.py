"""Environments: the values each deployment target renders, rendered together in one run.

``environments.yaml`` names each environment and its layers::

    environments:
      staging:
        values: [values/staging.yaml]          # files, merged in order (each may `extends`)
        set: [networkPolicies.enabled=true]     # optional --set assignments of its own
      production:
        values: [values/production.yaml]

Paths are relative to the environments file. ``main.py envs`` renders every environment (or those
named with ``--env``) into ``<outdir>/<name>/``, each replaced atomically, in one process: they share
one jsii start-up. ``--set`` flags given on the command line apply to every environment, after its
own.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any, NamedTuple

from constructs import rules
from constructs.props import dotted

from .inputs import InputError, read_text_bounded
from .layers import ValuesError, line_of, parse_document
from .settings import Setting

__all__ = ["ENVIRONMENTS_FILE", "Environment", "load_environments"]

ENVIRONMENTS_FILE = "environments.yaml"


class Environment(NamedTuple):
    """One environment: its name (its output directory's) and its layers."""

    name: str
    values: tuple[Path, ...]
    settings: tuple[Setting, ...] = ()


def load_environments(path: Path) -> dict[str, Environment]:
    """The environments of ``path``, in order; raise :class:`~.layers.ValuesError` listing every
    problem with its line."""
    try:
        text = read_text_bounded(path, what="environments file")
    except InputError as error:
        raise ValuesError([str(error)]) from None
    data, node = parse_document(text, str(path))

    def where(*parts: str | int) -> str:
        for depth in range(len(parts), 0, -1):
            line = line_of(node, tuple(parts[:depth]))
            if line is not None:
                return f"{path}:{line}: {dotted(parts)}"
        return f"{path}:1: {dotted(parts)}"

    problems: list[str] = []
    unknown = [key for key in data if key != "environments"]
    problems += [f"{where(key)}: unknown key {key!r}; an environments file has only environments:" for key in unknown]
    table = data.get("environments")
    if not isinstance(table, Mapping) or not table:
        problems.append(f"{where('environments')}: a mapping of environment names to their values files is required")
        raise ValuesError(problems)
    found: dict[str, Environment] = {}
    for name, entry in table.items():
        name = str(name)
        problems += [f"{where('environments', name)}: {p} (it names the output directory)" for p in rules.dns1123_label(name)]
        if not isinstance(entry, Mapping):
            problems.append(f"{where('environments', name)}: expected a mapping with values: (and set:)")
            continue
        problems += [
            f"{where('environments', name, str(key))}: unknown key {key!r} (values or set)"
            for key in entry
            if key not in ("values", "set")
        ]
        files = _strings(entry.get("values"))
        if not files:
            problems.append(f"{where('environments', name, 'values')}: at least one values file is required")
            continue
        paths = []
        for index, file in enumerate(files):
            resolved = path.parent / file
            if not resolved.is_file():
                problems.append(f"{where('environments', name, 'values', index)}: {resolved}: no such values file")
            paths.append(resolved)
        settings = _strings(entry.get("set")) if entry.get("set") is not None else []
        if settings is None:
            problems.append(f"{where('environments', name, 'set')}: expected a list of path=value assignments")
            settings = []
        found[name] = Environment(name, tuple(paths), tuple(Setting(text) for text in settings))
    if problems:
        raise ValuesError(problems)
    return found


def _strings(value: Any) -> list[str] | None:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return list(value)
    return None
