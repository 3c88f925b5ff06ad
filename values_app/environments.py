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

import dataclasses
import re
import types
import typing
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple, Union

from webapp_constructs import Path as FieldPath
from webapp_constructs import dotted, rules

from .fields import fields_of, hints
from .gitops import CLUSTER, GitOpsValues, parse_gitops, path_problems
from .inputs import InputError, read_text_bounded
from .layers import Lines, ValuesError, line_of, parse_document
from .settings import IMAGE_TAG, Setting, assignments, parse_setting

__all__ = [
    "ENVIRONMENTS_FILE",
    "Environment",
    "EnvironmentsFile",
    "ScopedSetting",
    "load_environments",
    "load_environments_file",
    "scope_settings",
    "settings_by_environment",
]

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


def load_environments_file(path: Path, names: Sequence[str] = ()) -> EnvironmentsFile:
    """The environments and the ``gitops:`` block of ``path``; raise :class:`~.layers.ValuesError`
    listing every problem with its line. With ``names`` (``--env``), only their values files must
    exist: the others are never read."""
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
            if (not names or name in names) and not resolved.is_file():
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


# --- --set across environments ---------------------------------------------------------------------

_SCOPE = re.compile(r"([a-z0-9](?:[-a-z0-9]{0,61}[a-z0-9])?):(.*)", re.DOTALL)
"""``<environment>:<path>=<value>``: no path of a values file starts with a lowercase name and a colon."""


class ScopedSetting(NamedTuple):
    """One assignment of a ``--set`` flag, and the environment its ``<env>:`` prefix names (None:
    every environment whose values have its path)."""

    setting: Setting
    environment: str | None
    given: str
    """The flag as given: ``--set staging:services.backend.replicas=3``."""


def scope_settings(settings: Sequence[Setting], loaded: EnvironmentsFile) -> tuple[list[ScopedSetting], list[str]]:
    """The assignments of ``settings`` with the environment each names, and one line per flag that
    names an environment the file does not have."""
    scoped: list[ScopedSetting] = []
    problems: list[str] = []
    for setting in settings:
        given = f"{setting.flag} {setting.text}"
        match = _SCOPE.fullmatch(setting.text)
        environment, text = (match[1], match[2]) if match else (None, setting.text)
        if environment is not None and environment not in loaded.environments:
            known = ", ".join(loaded.environments)
            problems.append(f"{given}: {environment!r} is not an environment of {loaded.path} (one of {known})")
            continue
        scoped += [ScopedSetting(one, environment, given) for one in assignments(Setting(text, setting.string))]
    return scoped, problems


def settings_by_environment(environments: Sequence[Environment], scoped: Sequence[ScopedSetting]) -> dict[str, list[Setting]]:
    """The settings of each of ``environments``: its own ``set:``, then each assignment of
    ``scoped`` that names it, or names none and whose path it has (:func:`_applies`). Raise
    :class:`~.layers.ValuesError` naming each flag that applies to none of them."""
    from .loader import load_layers

    found: dict[str, list[Setting]] = {}
    used: set[int] = set()
    for env in environments:
        found[env.name] = list(env.settings)
        data: dict[str, Any] | None = None
        for index, one in enumerate(scoped):
            if one.environment is not None:
                if one.environment == env.name:
                    found[env.name].append(one.setting)
                    used.add(index)
                continue
            if data is None:
                try:
                    data = load_layers(list(env.values), env.settings).data
                except ValuesError:
                    data = {}  # the render says what is wrong with its files
            if _applies(one.setting, data):
                found[env.name].append(one.setting)
                used.add(index)
    names = ", ".join(env.name for env in environments)
    problems = [
        f"{one.given}: {one.setting.text}: no environment has its path ({_missing(one.setting)}; of {names}); "
        f"name the environment (<env>:{one.setting.text}) or fix the path"
        for index, one in enumerate(scoped)
        if index not in used and one.environment is None
    ]
    if problems:
        raise ValuesError(problems)
    return found


def _assignment(setting: Setting) -> tuple[FieldPath, Any] | None:
    try:
        [(_, path, value)] = parse_setting(setting)
    except ValueError:  # malformed (ValuesError is one): loading says so, naming the flag
        return None
    return path, value


def _missing(setting: Setting) -> str:
    parsed = _assignment(setting)
    if parsed is None:
        return "it is not path=value"
    path, value = parsed
    steps = _named_steps(path, include_last=value is None)
    return " or ".join(dotted(path[: step + 1]) for step in steps[:1]) or dotted(path)


def _applies(setting: Setting, data: Mapping[str, Any]) -> bool:
    """Whether the assignment ``setting`` applies to an environment whose merged values are
    ``data``: each entry of a mapping of names (a service, a Secret, a ConfigMap...) its path goes
    through is there (a null must find the entry it removes). A path into fields (``replicas``,
    ``resources.limits.cpu``) applies even where no file gives them. ``image.tag`` applies wherever
    a service has an image."""
    parsed = _assignment(setting)
    if parsed is None:
        return True
    path, value = parsed
    if path[:1] == IMAGE_TAG[:1]:
        services = data.get("services")
        return isinstance(services, Mapping) and any(isinstance(e, Mapping) and "image" in e for e in services.values())
    for step in _named_steps(path, include_last=value is None):
        node: Any = data
        for part in path[: step + 1]:
            there = (
                part in node
                if isinstance(node, Mapping)
                else isinstance(node, list) and isinstance(part, int) and part < len(node)
            )
            if not there:
                return False
            node = node[part]
    return True


def _named_steps(path: FieldPath, *, include_last: bool) -> list[int]:
    """The indexes of ``path`` that are keys of a mapping of names in the values model (the
    entries a user names: ``services.<key>``, ``secrets.<name>``), before its last part (and the
    last too with ``include_last``), as far as the model tells."""
    from .fields import alias_of
    from .model import AppValues

    steps: list[int] = []
    tp: Any = AppValues
    for index, part in enumerate(path if include_last else path[:-1]):
        arms = [arm for arm in _arms(tp) if arm is not type(None)]
        mapping = next((arm for arm in arms if typing.get_origin(arm) in (dict, Mapping)), None)
        classes = [arm for arm in arms if isinstance(arm, type) and dataclasses.is_dataclass(arm)]
        if mapping is not None:
            steps.append(index)
            tp = (typing.get_args(mapping) or (Any, Any))[1]
        elif classes:
            fields = [(cls, f) for cls in classes for f in fields_of(cls) if alias_of(f) == part]
            if not fields:
                break
            tp = hints(fields[0][0])[fields[0][1].name]
        elif any(typing.get_origin(arm) is list for arm in arms) and isinstance(part, int):
            tp = typing.get_args(next(arm for arm in arms if typing.get_origin(arm) is list))[0]
        else:
            break
    return steps


def _arms(tp: Any) -> tuple[Any, ...]:
    return typing.get_args(tp) if typing.get_origin(tp) in (Union, types.UnionType) else (tp,)
