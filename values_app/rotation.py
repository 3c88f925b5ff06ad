"""Secret rotation: which workloads must restart to pick up a changed Secret.

Pods read a Secret's values (as environment variables) when they start; applying a changed Secret
does not restart them. Nothing in a pod template follows a Secret's values on purpose: such a
digest would be in committed files and logged diffs, where anyone could check a guessed value
against it offline. Instead, a synth (and ``diff``) compares the Secrets it renders with those of
the previous output, names the Deployments that read one that changed, and prints the
``kubectl rollout restart`` for them. Where the cluster runs Stakater Reloader, ``reloader: true``
annotates the workloads instead (``secret.reloader.stakater.com/reload``) and Reloader restarts
them. Only whether a Secret changed is ever said, never a value or anything computed from one.
"""

from __future__ import annotations

import shlex
from collections.abc import Mapping, Sequence
from typing import Any, Literal, NamedTuple

from .release import Release
from .yaml_io import holds_secret_values

__all__ = ["RestartPlan", "SecretChange", "restart_plan", "secret_changes"]

Files = Mapping[str, Sequence[Mapping[str, Any]]]


class SecretChange(NamedTuple):
    """A Secret whose values differ from the previous output's."""

    name: str
    how: Literal["changed", "new"]
    """``changed``: in both, with other values; ``new``: rendered now, not in the previous output."""


def _values(manifest: Mapping[str, Any]) -> Any:
    """What a Secret holds, to compare, never to show: its keys and values; the fields as they are
    when one is not a mapping (a hand-edited output), or it is a list of objects."""
    data, string_data = manifest.get("data") or {}, manifest.get("stringData") or {}
    if isinstance(data, Mapping) and isinstance(string_data, Mapping) and "items" not in manifest:
        return {**data, **string_data}
    return (data, string_data, manifest.get("items"))


def _secrets(files: Files) -> dict[tuple[str | None, str], Any]:
    found: dict[tuple[str | None, str], Any] = {}
    for manifests in files.values():
        for manifest in manifests:
            metadata = manifest.get("metadata") or {}
            if holds_secret_values(manifest) and isinstance(metadata, Mapping):
                values = _values(manifest)
                found[(metadata.get("namespace"), str(metadata.get("name")))] = values
    return found


def secret_changes(old: Files, new: Files) -> list[SecretChange]:
    """The Secrets of ``new`` whose values are not those of ``old`` (previous output), in order.

    A Secret in ``old`` only is no change here: a synth that does not render a Secret leaves the
    cluster's as it is. With no previous output (``old`` empty) there is nothing to compare.
    """
    if not old:
        return []
    before = _secrets(old)
    changes = []
    for identity, values in _secrets(new).items():
        previous = before.get(identity)
        if previous is None:
            changes.append(SecretChange(identity[1], "new"))
        elif previous != values:
            changes.append(SecretChange(identity[1], "changed"))
    return changes


class RestartPlan(NamedTuple):
    """The workloads to restart after the changed Secrets are applied."""

    changes: tuple[SecretChange, ...]
    workloads: tuple[str, ...]
    """The Deployments that read a changed Secret."""
    namespace: str
    reloader: bool
    """The workloads carry Reloader's annotation: Reloader restarts them."""

    @property
    def command(self) -> str:
        targets = " ".join(f"deployment/{name}" for name in self.workloads)
        return f"kubectl rollout restart -n {shlex.quote(self.namespace)} {targets}"

    def lines(self) -> list[str]:
        what = "; ".join(
            f"Secret {change.name} {'changed since' if change.how == 'changed' else 'is new to'} the previous output"
            for change in self.changes
        )
        if not self.workloads:
            return [f"{what}; no workload reads it."]
        if self.reloader:
            return [f"{what}; Reloader restarts {', '.join(self.workloads)} once it is applied."]
        return [
            f"{what}; pods read Secrets when they start, so after applying it restart the workloads that read it:",
            f"  {self.command}",
        ]


def restart_plan(release: Release, changes: Sequence[SecretChange]) -> RestartPlan | None:
    """What to restart for ``changes`` in ``release`` (None when nothing changed)."""
    if not changes:
        return None
    names = {change.name for change in changes}
    workloads = tuple(workload.name for workload in release.services.values() if names.intersection(workload.secrets_read))
    return RestartPlan(tuple(changes), workloads, release.values.namespace.name, release.values.reloader)
