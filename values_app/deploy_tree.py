"""Who wrote what in a deploy repository: several environments files (one per cluster, say) may
render into one, and none may silently replace another's directories.

``main.py envs`` with a ``gitops:`` block records, in :data:`RECORD_FILE` at the repository's root,
each environments file it rendered from (by its path in the Git repository that holds it)
with the directories it wrote: its controller directory (``argocd/``, ``flux/<cluster>/``) and its
environments'. Before writing anything, a render is refused when one of its directories is,
contains or lies in a directory another file wrote: rendered there, that file's Applications or
Kustomizations would be replaced without theirs, and Argo CD or Flux, pruning, would delete them
and (Flux) everything they applied. The way out is named: a ``gitops.cluster`` and a ``path`` of
the file's own, or, when the other file is gone for good (renamed, removed), removing its entry
and its directories in one commit.

A repository rendered before the record existed has none: the first render records itself.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, NamedTuple

__all__ = ["RECORD_FILE", "Claim", "claim_of", "conflicts", "file_identity", "read_record", "record_text", "write_record"]

RECORD_FILE = ".deploy-tree"
"""The record, YAML (no ``.yaml`` suffix: ``kubectl apply -f <repository>`` never reads it as an object)."""

_HEADER = (
    "# Written by main.py envs: the environments file each directory of this deploy repository was\n"
    "# rendered from. A render never replaces another file's directories\n"
    "# (docs/environments-and-gitops.md: Deploy with Argo CD or Flux).\n"
)


class Claim(NamedTuple):
    """An environments file and the directories it writes (relative to the repository's root)."""

    file: str
    tool: str
    controller: str
    environments: dict[str, str]
    """Each environment's directory, by name."""

    def directories(self) -> list[tuple[str, str]]:
        """(directory, what it holds)."""
        tool = "Argo CD" if self.tool == "argocd" else "Flux"
        names = ", ".join(self.environments)
        found = [(self.controller, f"{tool} objects (environments {names})")]
        found += [(path, f"environment {name}") for name, path in self.environments.items()]
        return found

    def as_data(self) -> dict[str, Any]:
        return {"tool": self.tool, "controller": self.controller, "environments": dict(self.environments)}


def file_identity(path: Path) -> str:
    """How the record names an environments file: its path in the Git repository that holds it
    (``/``-separated; the same whatever the working directory), else relative to the working
    directory, else absolute."""
    absolute = Path(os.path.abspath(path))
    for root in absolute.parents:
        if (root / ".git").exists():
            return absolute.relative_to(root).as_posix()
    try:
        return absolute.relative_to(Path.cwd()).as_posix()
    except ValueError:
        return absolute.as_posix()


def claim_of(file: Path, tool: str, controller: str, environments: Mapping[str, str]) -> Claim:
    return Claim(file_identity(file), tool, controller, dict(environments))


class RecordError(Exception):
    """The record cannot be read; ``str()`` is one line."""


def read_record(outdir: Path) -> list[Claim]:
    """The claims recorded in ``outdir`` (none when it has no record)."""
    import yaml

    from .inputs import InputError, read_text_bounded

    path = outdir / RECORD_FILE
    if not os.path.lexists(path):
        return []
    try:
        text = read_text_bounded(path, what="record of main.py envs")
    except InputError as error:
        raise RecordError(f"{error}; restore it from Git") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError:
        data = None
    files = data.get("files") if isinstance(data, dict) else None
    if not isinstance(files, dict):
        raise RecordError(f"{path}: not a record of main.py envs (files: is missing); restore it from Git")
    claims = []
    for name, entry in files.items():
        envs = entry.get("environments") if isinstance(entry, dict) else None
        if (
            not isinstance(entry, dict)
            or not isinstance(entry.get("controller"), str)
            or not isinstance(envs, dict)
            or not all(isinstance(k, str) and isinstance(v, str) for k, v in envs.items())
        ):
            raise RecordError(f"{path}: files.{name}: not a record of main.py envs; restore it from Git")
        claims.append(Claim(str(name), str(entry.get("tool")), entry["controller"], dict(envs)))
    return claims


def _overlap(one: str, other: str) -> bool:
    a, b = one.split("/"), other.split("/")
    return a[: len(b)] == b or b[: len(a)] == a


def conflicts(claim: Claim, recorded: Sequence[Claim], record: Path) -> list[str]:
    """One line for each directory of ``claim`` that is, holds or lies in one another file wrote."""
    lines: list[str] = []
    for other in recorded:
        if other.file == claim.file:
            if other.controller != claim.controller and (record.parent / other.controller).exists():
                lines.append(
                    f"{claim.file}: its controller objects go to {claim.controller}/ now, and {other.controller}/ holds them "
                    f"from before ({record}): both would sync the same environments. Remove {other.controller}/ first (on the "
                    f"cluster, suspend the parent of {other.controller}/, and apply {claim.controller}/ once it is rendered)"
                )
            continue
        for mine, mine_holds in claim.directories():
            for theirs, theirs_holds in other.directories():
                if not _overlap(mine, theirs):
                    continue
                if mine != theirs and mine.startswith(f"{theirs}/"):
                    lines.append(
                        f"{claim.file}: {mine}/ ({mine_holds}) would lie in {theirs}/, the {theirs_holds} that "
                        f"{other.file} wrote ({record}), which its next render would replace as a whole: give "
                        f"{other.file} a gitops.cluster (and a gitops.path) of its own too, rendered first, or, if it is "
                        "gone for good (or is this file, moved), remove its entry from the record (and its directories) first"
                    )
                    continue
                lines.append(
                    f"{claim.file}: {mine}/ ({mine_holds}) would replace {theirs}/, the {theirs_holds} that {other.file} "
                    f"wrote ({record}); Argo CD or Flux, pruning, would then delete them: give {claim.file} a gitops.cluster "
                    f"and a gitops.path of its own (such as clusters/<cluster>/{{env}}), or, if {other.file} is gone for good "
                    f"(or is this file, moved), remove its entry from {record} (and its directories) first"
                )
    return lines


def record_text(claim: Claim, recorded: Sequence[Claim]) -> str:
    """The record with ``claim`` (in place of its file's earlier one) and the others: what
    ``envs`` writes with the tree, in the same step (:func:`.outdir.replace_tree`)."""
    import yaml

    files = {other.file: other.as_data() for other in recorded if other.file != claim.file}
    files[claim.file] = claim.as_data()
    return _HEADER + yaml.safe_dump({"files": dict(sorted(files.items()))}, sort_keys=False)


def write_record(outdir: Path, claim: Claim, recorded: Sequence[Claim]) -> None:
    """Record ``claim`` (in place of its file's earlier one) with the others, atomically."""
    text = record_text(claim, recorded)
    path = outdir / RECORD_FILE
    handle, staging = tempfile.mkstemp(dir=outdir, prefix=f"{RECORD_FILE}.")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(text)
        os.chmod(staging, 0o644)
        os.replace(staging, path)
    except BaseException:
        Path(staging).unlink(missing_ok=True)
        raise
