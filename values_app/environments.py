"""Environments: the values each deployment target renders, rendered together in one run.

``environments.yaml`` names each environment and its layers::

    environments:
      staging:
        values: [values/staging.yaml]          # files, merged in order (each may `extends`)
        set: [networkPolicies.enabled=true]     # optional --set assignments of its own
      production:
        values: [values/production.yaml]

Paths are relative to the environments file. ``main.py envs`` renders every environment (or those
named with ``--env``) into ``<outdir>/<name>/``, in one process (they share one jsii start-up), the
whole tree replaced in one step (:func:`.outdir.replace_tree`). ``--set`` flags given on the
command line apply to every environment, after its own.

A ``gitops:`` block (:mod:`.gitops`) makes the output the root of a deploy repository: each
environment goes to ``<outdir>/<gitops.path>``, with the controller's objects beside them, and an
environment may name its cluster (``cluster:``, Argo CD's destination server).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

from constructs import rules
from constructs.props import dotted

from .gitops import CLUSTER, GitOpsValues, parse_gitops, path_problems
from .inputs import InputError, read_text_bounded
from .layers import Lines, ValuesError, line_of, parse_document
from .settings import Setting

__all__ = ["ENVIRONMENTS_FILE", "Environment", "EnvironmentsFile", "load_environments", "load_environments_file"]

ENVIRONMENTS_FILE = "environments.yaml"

_KEYS = ("values", "set", "cluster")


class Environment(NamedTuple):
    """One environment: its name (its output directory's) and its layers."""

    name: str
    values: tuple[Path, ...]
    settings: tuple[Setting, ...] = ()
    cluster: str | None = None
    """Argo CD's destination server (``gitops:`` only). Default: the cluster Argo CD runs in."""


@dataclass(frozen=True)
class EnvironmentsFile:
    """An environments file: its environments, in order, and its ``gitops:`` block (or None)."""

    path: Path
    environments: dict[str, Environment]
    gitops: GitOpsValues | None
    node: Lines

    def where(self, *parts: str | int) -> str:
        """``<file>:<line>: <field path>``, the line of the deepest of ``parts`` the file has."""
        return _where(self.path, self.node, parts)


def _where(path: Path, node: Lines, parts: tuple[str | int, ...]) -> str:
    for depth in range(len(parts), 0, -1):
        line = line_of(node, tuple(parts[:depth]))
        if line is not None:
            return f"{path}:{line}: {dotted(parts)}"
    return f"{path}:1: {dotted(parts)}"


def load_environments(path: Path) -> dict[str, Environment]:
    """The environments of ``path``, in order; raise :class:`~.layers.ValuesError` listing every
    problem with its line."""
    return load_environments_file(path).environments


def load_environments_file(path: Path) -> EnvironmentsFile:
    """The environments and the ``gitops:`` block of ``path``; raise :class:`~.layers.ValuesError`
    listing every problem with its line."""
    try:
        text = read_text_bounded(path, what="environments file")
    except InputError as error:
        raise ValuesError([str(error)]) from None
    data, node = parse_document(text, str(path))

    def where(*parts: str | int) -> str:
        return _where(path, node, parts)

    problems: list[str] = []
    unknown = [key for key in data if key not in ("environments", "gitops")]
    problems += [f"{where(key)}: unknown key {key!r}; an environments file has only environments: and gitops:" for key in unknown]
    gitops = None
    if "gitops" in data:
        gitops, found_problems = parse_gitops(data["gitops"])
        problems += [f"{where(*p.path)}: {p.message}" for p in found_problems]
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
        keys = _KEYS if gitops is not None or "gitops" in data else _KEYS[:2]
        problems += [
            f"{where('environments', name, str(key))}: unknown key {key!r} ({', '.join(keys[:-1])} or {keys[-1]})"
            + ("; cluster: belongs to a gitops: file" if key == "cluster" else "")
            for key in entry
            if key not in keys
        ]
        cluster = entry.get("cluster") if "cluster" in keys else None
        if cluster is not None:
            if not isinstance(cluster, str):
                problems.append(f"{where('environments', name, 'cluster')}: {cluster!r} is not a string (an API server URL)")
                cluster = None
            else:
                problems += [f"{where('environments', name, 'cluster')}: {p}" for p in CLUSTER(cluster)]
                if isinstance(data.get("gitops"), Mapping) and data["gitops"].get("tool") == "flux":
                    problems.append(
                        f"{where('environments', name, 'cluster')}: Flux applies to the cluster it runs in; cluster: is "
                        "Argo CD's destination server (tool is flux)"
                    )
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
        found[name] = Environment(name, tuple(paths), tuple(Setting(text) for text in settings), cluster)
    if gitops is not None:
        problems += [f"{where(*p.path)}: {p.message}" for p in path_problems(gitops, list(found))]
    if problems:
        raise ValuesError(problems)
    return EnvironmentsFile(path, found, gitops, node)


def _strings(value: Any) -> list[str] | None:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return list(value)
    return None
