"""Diff before apply: what applying freshly rendered manifests would change, like ``helm diff`` or
``kubectl diff``, but against an existing output directory instead of a cluster.

:func:`read_output` reads an output directory (``00-namespace.k8s.yaml``, ``10-secrets.secret.yaml``,
``20-app.k8s.yaml``; the ``.cdk8s-synth`` marker and other files are ignored) and
:func:`diff_outputs` compares it with the manifests rendered in memory. Objects are matched by
identity (API group, kind, namespace, name), whatever file they are in: an object that moved to
another file and did not change is not a change. Each change comes with a unified diff of the
object's YAML, written as the synth writes it.

A Secret's values are never shown, old or new: before a Secret is compared as text, each value of
its ``data`` and ``stringData`` is replaced by a marker, ``(unchanged)`` on both sides for an equal
value, ``(old value)`` and ``(new value)`` for a value that changed, ``(set)`` for a key present
on one side only (every key of a Secret that is added or removed).

A workload (Deployment, StatefulSet, DaemonSet) whose pod template changed, or that is new, rolls
its pods. A ConfigMap value change shows up as such a change: the ``checksum/config`` annotation
of the pod template of each workload that reads it changes too. A Secret value change does not
(nothing outside a Secret follows its values): ``main.py diff`` names the workloads to restart
(:mod:`.rotation`).

An object renamed by a content hash (the migration Job ``todo-chatbot-migrate-<8 hex digits of its
pod template>``) is paired with its predecessor: one change, ``replaces Job <old name>``, whose diff
shows what changed inside it, not a removed and an added object. The rule (:func:`_predecessors`)
is exact: the two names are ``<base>-<hash>`` with the same base and a hash of the same length (8 to
64 lowercase hex digits), of the same API group, kind and namespace; the old one is removed and the
new one added, and no other removed or added object has that base, kind and namespace. Anything
else is an addition and a removal, as before.

Linear in the number of objects: each object is looked up by identity once, compared once, and
copied only when it changed (to show it).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal, NamedTuple

import yaml

from .inputs import InputError, read_text_bounded
from .outdir import listed_files
from .yaml_io import Loader, alias_problem, dump_all, dump_each, forget_secret_values, holds_secret_values, yaml_error

__all__ = [
    "DiffError",
    "DiffResult",
    "EnvironmentsOutputError",
    "ObjectChange",
    "diff_outputs",
    "known_documents",
    "read_output",
]

MAX_MANIFEST_FILE_BYTES = 64 * 1024 * 1024
"""The most a file of an output directory may hold for ``diff`` to read it: 64 MiB. A synth writes
more than its values files hold (every ConfigMap up to 1 MiB, the objects around them), so more than
a values file may be."""

ROLLING_KINDS = frozenset({"Deployment", "StatefulSet", "DaemonSet"})
"""Workloads whose pods are replaced when their pod template (``spec.template``) changes."""

UNCHANGED, OLD_VALUE, NEW_VALUE, SET = "(unchanged)", "(old value)", "(new value)", "(set)"
"""What a Secret value is shown as (see :func:`_mask_secrets`)."""

_SECRET_FIELDS = ("data", "stringData")
_LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration"
"""An annotation that ``kubectl apply`` leaves on objects read from a cluster: a Secret's holds its values."""

Status = Literal["added", "removed", "changed"]
Identity = tuple[str, str, str | None, str]
"""API group (``""`` for the core group), kind, namespace, name."""


class DiffError(Exception):
    """An output directory that cannot be read; ``str()`` is one line naming the path and what is wrong."""


class EnvironmentsOutputError(DiffError):
    """The directory holds the outputs of ``main.py envs`` (one per environment), not one output."""


# --- reading an output directory ------------------------------------------------------------------


def _not_a_manifest(document: Any) -> str | None:
    """Why ``document`` is not a manifest (without quoting any of its values), or None."""
    if not isinstance(document, dict):
        return f"is a {type(document).__name__}, not a manifest (a mapping)"
    for key in ("apiVersion", "kind"):
        if not isinstance(document.get(key), str) or not document[key]:
            return f"is not a manifest: no {key}"
    metadata = document.get("metadata")
    if not isinstance(metadata, dict) or not isinstance(metadata.get("name"), str) or not metadata["name"]:
        return "is not a manifest: no metadata.name"
    if metadata.get("namespace") is not None and not isinstance(metadata["namespace"], str):
        return "is not a manifest: metadata.namespace is not a string"
    if holds_secret_values(document):
        for field in _SECRET_FIELDS:
            values = document.get(field)
            if values is not None and (
                not isinstance(values, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in values.items())
            ):
                return f"is not a valid Secret: {field} is not a mapping of keys to string values"
    return None


Known = Mapping[str, Mapping[str, Any]]
"""YAML documents as :func:`~.yaml_io.dump_all` writes them (each ending in a newline), and the
manifest each one is: what a synth just rendered, so that reading its previous output need not
parse again what it is about to write again."""


def _read_file(path: Path, known: Known | None = None) -> list[dict[str, Any]]:
    try:
        text = read_text_bounded(path, what="manifest file", limit=MAX_MANIFEST_FILE_BYTES)
    except InputError as error:
        raise DiffError(str(error)) from None
    if known:
        reused = _known_documents(path, text, known)
        if reused is not None:
            return reused
    return _parse_manifests(path, text)


def _known_documents(path: Path, text: str, known: Known) -> list[dict[str, Any]] | None:
    """The manifests of ``text``, each document ``known`` taken as it is and the others parsed one
    by one; None when a document does not stand alone (a file not as a synth writes it): then the
    whole file is parsed, and its errors reported as they are."""
    parts = text.split("\n---\n")
    documents = [part + "\n" for part in parts[:-1]] + [parts[-1]]
    manifests: list[dict[str, Any]] = []
    for document in documents:
        found = known.get(document)
        if found is not None:
            manifests.append(dict(found))
            continue
        try:
            parsed = _parse_manifests(path, document)
        except DiffError:
            return None
        if len(parsed) != 1:
            return None
        manifests += parsed
    return manifests


def _parse_manifests(path: Path, text: str) -> list[dict[str, Any]]:
    manifests: list[dict[str, Any]] = []
    loader = Loader(text)
    try:
        number = 0
        while loader.check_node():  # yaml.load_all, with the aliases of each document bounded
            node = loader.get_node()
            number += 1
            aliases = alias_problem(node, str(path), text)
            if aliases is not None:
                raise DiffError(aliases)
            document = loader.construct_document(node)
            forget_secret_values(document)  # read, never kept in the loader's cache
            if document is None:
                continue
            problem = _not_a_manifest(document)
            if problem is not None:
                raise DiffError(f"{path}: document {number} {problem}")
            manifests.append(document)
    except yaml.YAMLError as error:
        raise DiffError(yaml_error(str(path), text, error)) from None
    finally:
        loader.dispose()
    return manifests


def known_documents(files: Mapping[str, Sequence[Mapping[str, Any]]]) -> dict[str, Mapping[str, Any]]:
    """Each document of ``files`` (manifests by file name, rendered in memory) as :func:`dump_all`
    writes it -> the manifest: :func:`read_output` takes an unchanged document of the output it
    reads as it is, without parsing it, so that comparing with an output costs what changed."""
    known: dict[str, Mapping[str, Any]] = {}
    for manifests in files.values():
        parts = dump_each(list(manifests))
        if parts is not None:
            known.update(zip(parts, manifests, strict=True))
    return known


def read_output(directory: Path, known: Known | None = None) -> dict[str, list[dict[str, Any]]]:
    """The manifests of an output directory by file name: every ``*.yaml`` file directly in it, in
    sorted order, then those its ``.cdk8s-synth`` marker lists in a directory of the output
    (``migrations/15-migrations.k8s.yaml``); empty documents skipped. Other files (the marker, a
    ``Kustomization``) are ignored.

    Raises :class:`DiffError` for a directory that is missing or is not one, a file that does not
    parse, or a document that is not a manifest. A document of ``known`` is not parsed again.
    """
    try:
        if not directory.exists():
            raise DiffError(f"{directory}: no such directory; render it first or pass --against an existing output")
        if not directory.is_dir():
            raise DiffError(f"{directory}: not a directory; pass an output directory such as dist/")
        entries = list(directory.iterdir())
        names = sorted(entry.name for entry in entries if entry.name.endswith(".yaml") and entry.is_file())
        outputs = sorted(entry.name for entry in entries if entry.is_dir() and (entry / ".cdk8s-synth").is_file())
        nested = sorted(
            name
            for name in listed_files(directory) or ()
            if "/" in name and name.endswith(".yaml") and (directory / name).is_file() and not (directory / name).is_symlink()
        )
    except OSError as error:
        raise DiffError(f"{directory}: cannot be read ({error.strerror or type(error).__name__})") from None
    if outputs and not names:
        shown = ", ".join(outputs[:3]) + (", ..." if len(outputs) > 3 else "")
        raise EnvironmentsOutputError(
            f"{directory} holds the outputs of several environments ({shown}), not one output; "
            f"compare with one of them: --against {directory / outputs[0]}, or with each environment: "
            f"diff --environments [FILE] --against {directory}"
        )
    return {name: _read_file(directory / name, known) for name in [*names, *nested]}


# --- the result -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ObjectChange:
    """One object that applying the rendered output would add, remove or change."""

    status: Status
    kind: str
    name: str
    namespace: str | None
    file: str
    """The file the object is in: the rendered one, or the old one for a removed object."""
    diff: str
    """A unified diff of the object's YAML, old -> rendered (Secret values masked)."""
    rolls: bool
    """A workload whose pods would be replaced: its pod template changed, or it is new."""
    replaces: str | None = None
    """The name of the object this one replaces: its predecessor under another content hash (a
    ``changed`` object only; see :func:`_predecessors`)."""

    def header(self) -> str:
        """``changed: Deployment todo-backend (namespace todo-local), 20-app.k8s.yaml, will roll``;
        ``changed: Job m-1a2b3c4d (namespace todo-local), 15-migrations.k8s.yaml, replaces Job m-0106c63f``"""
        namespace = f" (namespace {self.namespace})" if self.namespace is not None else ""
        replaces = f", replaces {self.kind} {self.replaces}" if self.replaces is not None else ""
        rolls = ", will roll" if self.rolls else ""
        return f"{self.status}: {self.kind} {self.name}{namespace}, {self.file}{replaces}{rolls}"


@dataclass(frozen=True)
class DiffResult:
    """The changes, in the order of the rendered output, then the removed objects in their old order."""

    changes: list[ObjectChange]

    @property
    def identical(self) -> bool:
        return not self.changes

    @property
    def will_roll(self) -> list[str]:
        """The names of the workloads whose pods would be replaced, in order, without duplicates."""
        return list(dict.fromkeys(change.name for change in self.changes if change.rolls))

    def summary(self) -> str:
        """``3 changed, 1 added, 0 removed; will roll: todo-backend``, or ``no changes``."""
        if self.identical:
            return "no changes"
        counts = Counter(change.status for change in self.changes)
        line = f"{counts['changed']} changed, {counts['added']} added, {counts['removed']} removed"
        rolling = self.will_roll
        return line + (f"; will roll: {', '.join(rolling)}" if rolling else "")

    def report(self, *, with_summary: bool = True) -> str:
        """Each change (a header line, its unified diff, a blank line), then (unless not
        ``with_summary``) the summary line."""
        parts: list[str] = []
        for change in self.changes:
            parts.append(change.header())
            if change.diff:
                parts.append(change.diff)
            parts.append("")
        if with_summary:
            parts.append(self.summary())
        return "\n".join(parts) + ("\n" if not with_summary else "")


# --- comparing ------------------------------------------------------------------------------------


def _plain(value: Any) -> Any:
    """``value`` as plain dicts and lists (what :func:`dump_all` writes), copied."""
    kind = type(value)
    if kind is dict:  # the common case first: an isinstance() of an ABC costs more than the copy
        return {key: _plain(item) for key, item in value.items()}
    if kind is list:
        return [_plain(item) for item in value]
    if kind is str or kind is int or kind is bool or value is None:
        return value
    if isinstance(value, Mapping):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    return value


def _identity(manifest: Mapping[str, Any]) -> Identity:
    metadata = manifest.get("metadata")
    if type(metadata) is dict:  # the common case, read without the str() and isinstance() below
        api_version, kind, name, namespace = (
            manifest.get("apiVersion"),
            manifest.get("kind"),
            metadata.get("name"),
            metadata.get("namespace"),
        )
        if type(api_version) is str and type(kind) is str and type(name) is str and (namespace is None or type(namespace) is str):
            return (api_version.rpartition("/")[0], kind, namespace, name)
    api_version = str(manifest.get("apiVersion") or "")
    group = api_version.rpartition("/")[0]
    metadata = manifest.get("metadata")
    metadata = metadata if isinstance(metadata, Mapping) else {}
    namespace = metadata.get("namespace")
    return (
        group,
        str(manifest.get("kind") or ""),
        str(namespace) if namespace is not None else None,
        str(metadata.get("name") or ""),
    )


Key = tuple[str, str, str | None, str, int]
"""An identity and its occurrence (0, or more for an identity that is there twice)."""


class _Index(NamedTuple):
    manifests: dict[Key, Mapping[str, Any]]
    """Each manifest by identity and occurrence, as it is (not copied: see :func:`_differ`)."""
    files: dict[Key, str]
    """The file each one is in."""


def _index(files: Mapping[str, Sequence[Mapping[str, Any]]]) -> _Index:
    """Each manifest by identity (and occurrence, for an identity that is there twice), and its
    file. One key (a tuple) per object and nothing else kept: the fewer objects made, the less the
    garbage collector has to look at."""
    index = _Index({}, {})
    manifests, where = index
    repeated: dict[Identity, int] = {}  # the identities that are there twice: their last occurrence
    for file, documents in files.items():
        for manifest in documents:
            group, kind, namespace, name = identity = _identity(manifest)
            key = (group, kind, namespace, name, 0)
            if key in manifests:  # rare: counted apart, so that many of one identity stay linear
                repeated[identity] = occurrence = repeated.get(identity, 0) + 1
                key = (group, kind, namespace, name, occurrence)
            manifests[key] = manifest
            where[key] = file
    return index


def _differ(old: Mapping[str, Any], new: Mapping[str, Any]) -> bool:
    """Whether two manifests differ as data (a tuple and a list with the same items do not): the
    plain copies are made only for the few that differ as they are."""
    return old != new and _plain(old) != _plain(new)


HASH_SUFFIX = re.compile(r"(?P<base>.+)-(?P<hash>[0-9a-f]{8,64})")
"""A name renamed by a content hash: ``<base>-<8 to 64 lowercase hex digits>``."""


def _hashed(identity: Identity) -> tuple[str, str, str | None, str, int] | None:
    """What an object renamed by a content hash shares with its predecessor: API group, kind,
    namespace, the base of its name and the length of its hash; None for any other name."""
    group, kind, namespace, name = identity
    found = HASH_SUFFIX.fullmatch(name)
    return (group, kind, namespace, found["base"], len(found["hash"])) if found is not None else None


def _predecessors(added: Sequence[Key], removed: Sequence[Key]) -> dict[Key, Key]:
    """Each added object renamed by a content hash -> the removed object it replaces.

    Two objects are paired when their names are ``<base>-<hash>`` with the same base and hashes of
    the same length (:data:`HASH_SUFFIX`), of the same API group, kind and namespace, and no other
    added or removed object has that group, kind, namespace, base and hash length: one out, one in.
    Never two unrelated objects: two Jobs of one base replaced by one, or one by two, stay removals
    and additions. Linear: one pass over each side, by a dictionary."""
    candidates: dict[tuple[str, str, str | None, str, int], tuple[list[Key], list[Key]]] = {}
    for side, keys in ((0, removed), (1, added)):
        for key in keys:
            shared = _hashed(key[:4])
            if shared is not None:
                candidates.setdefault(shared, ([], []))[side].append(key)
    return {new[0]: old[0] for old, new in candidates.values() if len(old) == 1 and len(new) == 1}


_ABSENT: Any = object()
"""A key or field that one side does not have."""


def _markers(old: Any, new: Any) -> tuple[Any, Any]:
    """The markers that stand for the values ``old`` and ``new`` of one key (or ``_ABSENT``)."""
    if old is _ABSENT or new is _ABSENT:
        return (old if old is _ABSENT else SET), (new if new is _ABSENT else SET)
    if old == new:
        return UNCHANGED, UNCHANGED
    return OLD_VALUE, NEW_VALUE


def _present(value: Any) -> bool:
    return value is not None and value is not _ABSENT


def _mask_field(old: Any, new: Any) -> tuple[Any, Any]:
    """``data`` or ``stringData`` of a Secret on each side (or ``_ABSENT``), its values masked."""
    if isinstance(old, Mapping) and isinstance(new, Mapping):
        pairs = {key: _markers(old[key], new.get(key, _ABSENT)) for key in old}
        pairs.update({key: (_ABSENT, SET) for key in new if key not in old})
        return {key: pairs[key][0] for key in old}, {key: pairs[key][1] for key in new}
    if not isinstance(old, Mapping) and not isinstance(new, Mapping) and _present(old) and _present(new):
        return _markers(old, new)  # neither is what a Secret holds: each is one value

    def marker(side: Any) -> Any:
        if side is _ABSENT or side is None:
            return side
        return {key: SET for key in side} if isinstance(side, Mapping) else SET

    return marker(old), marker(new)


def _mask_secrets(old: dict[str, Any] | None, new: dict[str, Any] | None) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    """Copies of a Secret on each side (``None``: absent) whose values are markers, never values.

    Each value of ``data`` and ``stringData`` becomes ``(unchanged)`` on both sides when it is equal,
    ``(old value)`` and ``(new value)`` when it differs, ``(set)`` when its key is on one side only.
    A ``last-applied-configuration`` annotation, which holds the values too, is masked the same way.
    """
    masked_old = _plain(old) if old is not None else None
    masked_new = _plain(new) if new is not None else None
    for field in _SECRET_FIELDS:
        old_value, new_value = _mask_field(
            old.get(field, _ABSENT) if old is not None else _ABSENT,
            new.get(field, _ABSENT) if new is not None else _ABSENT,
        )
        if masked_old is not None and old_value is not _ABSENT:
            masked_old[field] = old_value
        if masked_new is not None and new_value is not _ABSENT:
            masked_new[field] = new_value
    old_annotations, new_annotations = _annotations(masked_old), _annotations(masked_new)
    old_marker, new_marker = _markers(old_annotations.get(_LAST_APPLIED, _ABSENT), new_annotations.get(_LAST_APPLIED, _ABSENT))
    if old_marker is not _ABSENT:
        old_annotations[_LAST_APPLIED] = old_marker
    if new_marker is not _ABSENT:
        new_annotations[_LAST_APPLIED] = new_marker
    return masked_old, masked_new


def _annotations(manifest: dict[str, Any] | None) -> dict[str, Any]:
    """The annotations of ``manifest`` to change in place (a new dict when there are none)."""
    metadata = manifest.get("metadata") if manifest is not None else None
    annotations = metadata.get("annotations") if isinstance(metadata, dict) else None
    return annotations if isinstance(annotations, dict) else {}


def _is_secret(manifest: Mapping[str, Any] | None) -> bool:
    # A Secret by what it is (any group, any case, or inside items:): masking one too many is harmless.
    return manifest is not None and holds_secret_values(manifest)


HIDDEN_ITEMS = "(hidden: a list that holds a Secret)"
"""What the ``items`` of a list of objects with a Secret among them are shown as."""


def _hide_items(manifest: dict[str, Any] | None) -> dict[str, Any] | None:
    if manifest is not None and isinstance(manifest.get("items"), list) and holds_secret_values(manifest):
        return {**manifest, "items": HIDDEN_ITEMS}
    return manifest


def _template(manifest: Mapping[str, Any]) -> Any:
    spec = manifest.get("spec")
    return spec.get("template") if isinstance(spec, Mapping) else None


def _label(identity: Identity) -> str:
    _, kind, namespace, name = identity
    return f"({kind} {namespace}/{name})" if namespace is not None else f"({kind} {name})"


def _unified(
    old: dict[str, Any] | None,
    new: dict[str, Any] | None,
    *,
    old_name: str,
    new_name: str,
) -> str:
    old_lines = dump_all([old]).splitlines() if old is not None else []
    new_lines = dump_all([new]).splitlines() if new is not None else []
    import difflib  # here: a synth reads its previous output with this module, and never diffs

    return "\n".join(difflib.unified_diff(old_lines, new_lines, fromfile=old_name, tofile=new_name, lineterm=""))


def _renamed(manifest: dict[str, Any], name: str) -> dict[str, Any]:
    """``manifest`` (a plain copy) under another ``metadata.name``: a predecessor shown under its
    successor's name, so that its diff shows what changed inside it, not the name again."""
    metadata = manifest.get("metadata")
    if isinstance(metadata, dict):
        manifest["metadata"] = {**metadata, "name": name}
    return manifest


def _change(
    status: Status,
    identity: Identity,
    old: tuple[str, Mapping[str, Any]] | None,
    new: tuple[str, Mapping[str, Any]] | None,
    *,
    old_label: str,
    new_label: str,
    predecessor: Identity | None = None,
) -> ObjectChange:
    old_manifest = _plain(old[1]) if old is not None else None
    new_manifest = _plain(new[1]) if new is not None else None
    rolls = False
    if new_manifest is not None and identity[1] in ROLLING_KINDS:
        # A workload under a new name is a new workload: its pods are new.
        rolls = old_manifest is None or predecessor is not None or _template(old_manifest) != _template(new_manifest)
    if predecessor is not None and old_manifest is not None:
        old_manifest = _renamed(old_manifest, identity[3])
    if _is_secret(old_manifest) or _is_secret(new_manifest):
        old_manifest, new_manifest = _mask_secrets(_hide_items(old_manifest), _hide_items(new_manifest))
    label = _label(identity)
    diff = _unified(
        old_manifest,
        new_manifest,
        old_name=f"{old_label}/{old[0]} {_label(predecessor or identity)}" if old is not None else "/dev/null",
        new_name=f"{new_label}/{new[0]} {label}" if new is not None else "/dev/null",
    )
    _, kind, namespace, name = identity
    file = new[0] if new is not None else old[0] if old is not None else ""
    replaces = predecessor[3] if predecessor is not None else None
    return ObjectChange(
        status=status, kind=kind, name=name, namespace=namespace, file=file, diff=diff, rolls=rolls, replaces=replaces
    )


def diff_outputs(
    new: Mapping[str, Sequence[Mapping[str, Any]]],
    old: Mapping[str, Sequence[Mapping[str, Any]]],
    *,
    old_label: str = "old",
    new_label: str = "rendered",
) -> DiffResult:
    """What replacing the output ``old`` with ``new`` (manifests by file name) changes.

    Objects are matched by API group, kind, namespace and name, in whichever file they are; one is
    changed when its content differs (as data, not as text). An object renamed by a content hash
    is matched with the object it replaces (:func:`_predecessors`). The diff headers name the file
    under ``old_label`` and ``new_label`` (for instance the output directory and ``rendered``).
    Linear in the number of objects.
    """
    before, after = _index(old), _index(new)
    old_index, new_index = before.manifests, after.manifests
    predecessors = _predecessors(
        [key for key in new_index if key not in old_index], [key for key in old_index if key not in new_index]
    )
    replaced = set(predecessors.values())

    def change(status: Status, key: Key, was: Key | None, now: Key | None, predecessor: Identity | None = None) -> ObjectChange:
        return _change(
            status,
            key[:4],
            (before.files[was], old_index[was]) if was is not None else None,
            (after.files[now], new_index[now]) if now is not None else None,
            old_label=old_label,
            new_label=new_label,
            predecessor=predecessor,
        )

    changes: list[ObjectChange] = []
    for key, rendered in new_index.items():
        previous = old_index.get(key)
        if previous is not None:
            if _differ(previous, rendered):
                changes.append(change("changed", key, key, key))
            continue
        was = predecessors.get(key)
        if was is not None:
            changes.append(change("changed", key, was, key, was[:4]))
        else:
            changes.append(change("added", key, None, key))
    for key in old_index:
        if key not in new_index and key not in replaced:
            changes.append(change("removed", key, key, None))
    return DiffResult(changes=changes)
