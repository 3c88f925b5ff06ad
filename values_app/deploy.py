"""How to deploy a synth's output so that what the values no longer render is deleted too, and only
ever this release's objects.

``kubectl apply -f dist/`` never deletes: a service removed from the values keeps running. Two
ways that do, both measured against kubectl 1.32:

* client-side apply with ``--prune``, scoped to the release's instance label and to every kind
  the release can render (whether this output has one or not: ``--prune-allowlist`` replaces
  kubectl's defaults, so a kind left off would never be pruned), one ``--prune-allowlist`` flag per
  kind (a comma-separated list is refused: ``invalid GroupVersionKind format``);
* server-side apply with an ApplySet (``KUBECTL_APPLYSET=true ... --applyset=RELEASE``): kubectl
  refuses ``--prune`` with ``--server-side`` otherwise (``--prune is in alpha and doesn't currently
  work on objects created by server-side apply``).

The Namespace is applied in its own step first and is never pruned. Secrets are pruned only when
this output renders every Secret the values declare: an external Secret, or one whose values were
not given this time, is never deleted.

Pod Security: a rendered Namespace carries the Pod Security Admission labels; where it is not
rendered (``default``, or created outside the chart), :func:`label_namespace_command` does the
same to the existing namespace.
"""

from __future__ import annotations

import shlex
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, NamedTuple

from constructs.app_namespace import Level, pod_security_labels

from .release import EXCEPTIONS_ANNOTATION, NAMESPACE_FILE, Release, renderable_kinds

__all__ = ["DeployPlan", "deploy_plan", "group_version_kind", "label_namespace_command", "left_behind"]

INSTANCE_LABEL = "app.kubernetes.io/instance"


def group_version_kind(manifest: Mapping[str, Any]) -> str:
    """``core/v1/ConfigMap``, ``apps/v1/Deployment``: how ``--prune-allowlist`` names a kind."""
    api_version = str(manifest["apiVersion"])
    group_version = api_version if "/" in api_version else f"core/{api_version}"
    return f"{group_version}/{manifest['kind']}"


class DeployPlan(NamedTuple):
    """The deploy commands of one output directory."""

    namespace_step: str | None
    """``kubectl apply -f <the Namespace file>``, when the output renders the Namespace."""
    prune: str
    """Client-side apply that prunes this release's objects of the rendered kinds."""
    applyset: str | None
    """Server-side apply with an ApplySet; None when it could delete a Secret still in use."""
    allowlist: tuple[str, ...]
    """The kinds ``prune`` may delete."""
    notes: tuple[str, ...] = ()
    """What the commands leave alone, and why."""
    label_namespace: str | None = None
    """``kubectl label namespace ...`` for a namespace the chart does not render."""

    def lines(self) -> list[str]:
        """The summary's deploy section."""
        out = ["Deploy, deleting what this release no longer renders (only objects labelled with its instance):"]
        steps = [self.namespace_step] if self.namespace_step else []
        out += [f"  {command}" for command in (*steps, self.prune)]
        if self.applyset is not None:
            out.append("or with server-side apply (an ApplySet; kubectl refuses --prune with --server-side otherwise):")
            out += [f"  {command}" for command in (*steps, self.applyset)]
        out += self.notes
        if self.label_namespace is not None:
            out.append("The namespace is not rendered here; to make it enforce the Pod Security Standard the pods meet:")
            out.append(f"  {self.label_namespace}")
        return out


def label_namespace_command(namespace: str, level: Level, exceptions: Mapping[str, str] | None = None) -> str:
    """The ``kubectl label namespace`` command that sets the Pod Security Admission labels (and,
    below "restricted", the ``kubectl annotate`` one that names the services and their reasons)."""
    labels = " ".join(f"{key}={value}" for key, value in pod_security_labels(level).items())
    command = f"kubectl label namespace {shlex.quote(namespace)} {labels} --overwrite"
    if exceptions:
        why = "; ".join(f"{name}: {reason}" for name, reason in exceptions.items())
        annotation = shlex.quote(f"{EXCEPTIONS_ANNOTATION}={why}")
        command += f" && kubectl annotate namespace {shlex.quote(namespace)} {annotation} --overwrite"
    return command


def deploy_plan(outdir: Path, files: Mapping[str, Sequence[Mapping[str, Any]]], release: Release) -> DeployPlan:
    """The deploy commands for ``files`` written to ``outdir`` by a synth of ``release``."""
    values = release.values
    directory = shlex.quote(str(outdir))
    # Every kind the release can render, not only those this output has: a kind a later render
    # drops (an autoscaler, the Ingress) must still be pruned, and --prune-allowlist replaces
    # kubectl's defaults, so a kind left off is never pruned.
    renderable = [{"apiVersion": v, "kind": k} for v, k in renderable_kinds(release.values) if k != "Namespace"]
    kinds = dict.fromkeys(group_version_kind(m) for m in renderable)
    notes: list[str] = []
    unrendered = [m.name for m in release.missing_secrets]
    if unrendered and "core/v1/Secret" in kinds:
        del kinds["core/v1/Secret"]
    if unrendered:
        why = ", ".join(f"{m.name} ({'external' if m.external else 'values not given'})" for m in release.missing_secrets)
        notes.append(f"Secrets are never pruned here: this synth does not render {why}.")
    allowlist = tuple(kinds)
    flags = " ".join(f"--prune-allowlist={kind}" for kind in allowlist)
    prune = f"kubectl apply -f {directory} --prune -l {INSTANCE_LABEL}={values.release} {flags}"
    namespace_step = None
    if NAMESPACE_FILE in files:
        namespace_step = f"kubectl apply -f {shlex.quote(str(outdir / NAMESPACE_FILE))}"
    namespaced = " ".join(f"-f {shlex.quote(str(outdir / name))}" for name in files if name != NAMESPACE_FILE)
    applyset: str | None = (
        f"KUBECTL_APPLYSET=true kubectl apply --server-side --prune --applyset={values.release} "
        f"-n {shlex.quote(values.namespace.name)} {namespaced}"
    )
    if any(not m.external for m in release.missing_secrets):
        applyset = None
        notes.append(
            "The ApplySet form is left out: it would delete a Secret an earlier apply rendered and this synth did not "
            "(give every Secret value, or --require-secrets, to use it)."
        )
    label = None
    if not values.namespace.rendered:
        label = label_namespace_command(values.namespace.name, release.pod_security, release.pod_security_exceptions)
        if values.namespace.name == "default":
            label += "   # applies to every pod in default"
    return DeployPlan(namespace_step, prune, applyset, allowlist, tuple(notes), label)


def _resource(api_version: str, kind: str) -> str:
    """``deployments.apps``, ``configmaps``: how ``kubectl delete`` names a kind unambiguously."""
    lower = kind.lower()
    plural = lower[:-1] + "ies" if lower.endswith("y") else lower + "es" if lower.endswith("s") else lower + "s"
    group = api_version.rpartition("/")[0]
    return f"{plural}.{group}" if group else plural


def left_behind(previous: Mapping[str, Sequence[Mapping[str, Any]]], release: Release) -> list[str]:
    """What to say when the output being replaced (``previous``) put the release in other
    namespaces than ``release`` does: ``kubectl apply --prune`` prunes only in the namespaces it
    applies to, so the old release keeps running there. The lines name each namespace and the
    label-scoped ``kubectl delete`` that removes the old release's objects there (empty when the
    namespace did not change)."""
    namespace = release.values.namespace.name
    old: dict[str, set[str]] = {}  # namespace -> the instance labels of the objects there
    rendered_namespaces: set[str] = set()
    for manifests in previous.values():
        for manifest in manifests:
            metadata = manifest.get("metadata") or {}
            labels = metadata.get("labels") or {}
            if manifest.get("kind") == "Namespace" and isinstance(metadata.get("name"), str):
                rendered_namespaces.add(metadata["name"])
            elif isinstance(metadata.get("namespace"), str) and isinstance(labels.get(INSTANCE_LABEL), str):
                old.setdefault(metadata["namespace"], set()).add(labels[INSTANCE_LABEL])
    lines: list[str] = []
    kinds = ",".join(dict.fromkeys(_resource(v, k) for v, k in renderable_kinds(release.values) if k != "Namespace"))
    for where in sorted(set(old) - {namespace}):
        lines.append(
            f"The previous output put this release in namespace {where}, this one in {namespace}: kubectl apply --prune "
            f"only prunes in the namespaces it applies to, so the old objects keep running there. Remove them with:"
        )
        for instance in sorted(old[where]):
            lines.append(f"  kubectl delete -n {shlex.quote(where)} -l {INSTANCE_LABEL}={shlex.quote(instance)} {kinds}")
        if where in rendered_namespaces:
            lines.append(
                f"  kubectl delete namespace {shlex.quote(where)}   # the Namespace it rendered, once nothing else runs there"
            )
    return lines
