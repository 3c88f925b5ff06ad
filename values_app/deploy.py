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

Each printed sequence is of one apply mode from its first line to its last (a server-side apply of
fields a client-side apply set conflicts with ``kubectl-client-side-apply``), and each prunes only
what it applied itself (``--prune``: objects with kubectl's ``last-applied-configuration``; an
ApplySet: its members): the summary says how to switch from one to the other, ``--force-conflicts``
only in the one-time takeover.

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
from types import MappingProxyType
from typing import Any, NamedTuple

from webapp_constructs import MIGRATION_STEP, Level, pod_security_labels

from .release import EXCEPTIONS_ANNOTATION, NAMESPACE_FILE, Release, release_kinds

__all__ = [
    "MIGRATIONS_FILE",
    "MIGRATION_ANNOTATION",
    "MIGRATION_TIMEOUT",
    "OPTIONAL_KINDS",
    "DeployPlan",
    "deploy_plan",
    "external_secret_lines",
    "external_secrets",
    "group_version_kind",
    "is_migration",
    "label_namespace_command",
    "left_behind",
    "migration_steps",
    "migration_timeout",
    "renderable_kinds",
    "separate_migrations",
    "server_side",
]

INSTANCE_LABEL = "app.kubernetes.io/instance"
COMPONENT_LABEL = "app.kubernetes.io/component"

Files = Mapping[str, Sequence[Mapping[str, Any]]]


def group_version_kind(manifest: Mapping[str, Any]) -> str:
    """``core/v1/ConfigMap``, ``apps/v1/Deployment``: how ``--prune-allowlist`` names a kind."""
    api_version = str(manifest["apiVersion"])
    group_version = api_version if "/" in api_version else f"core/{api_version}"
    return f"{group_version}/{manifest['kind']}"


class DeployPlan(NamedTuple):
    """The deploy commands of one output directory: two sequences, each of one apply mode from its
    first line to its last (client-side, or server-side with an ApplySet)."""

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
    migration: tuple[str, ...] = ()
    """The migration steps, between the Namespace and the rest (:func:`migration_steps`)."""
    server_side_migration: tuple[str, ...] = ()
    """The same steps, server-side."""

    def client_side(self) -> list[str]:
        """Every command of the client-side sequence, in order."""
        return [*([self.namespace_step] if self.namespace_step else []), *self.migration, self.prune]

    def server_side(self) -> list[str] | None:
        """Every command of the server-side sequence, in order (None without an ApplySet form)."""
        if self.applyset is None:
            return None
        namespace = [server_side(self.namespace_step)] if self.namespace_step else []
        return [*namespace, *self.server_side_migration, self.applyset]

    def takeover(self) -> list[str]:
        """The server-side commands that take over, once, what the client-side form applied
        (``--force-conflicts``: the fields ``kubectl-client-side-apply`` owns become kubectl's)."""
        if self.applyset is None:
            return []
        namespace = [server_side(self.namespace_step, force=True)] if self.namespace_step else []
        return [*namespace, self.applyset.replace(" --server-side ", " --server-side --force-conflicts ", 1)]

    def lines(self) -> list[str]:
        """The summary's deploy section."""
        out = ["Deploy, deleting what this release no longer renders (only objects labelled with its instance):"]
        out += [f"  {command}" for command in self.client_side()]
        sequence = self.server_side()
        if sequence is not None:
            out.append(
                "or, server-side from the first line to the last (an ApplySet; kubectl refuses --prune with --server-side "
                "otherwise):"
            )
            out += [f"  {command}" for command in sequence]
            out.append(
                "Keep to one form: each prunes only what it applied itself. To switch from the first to the second, deploy "
                "once more with the first (it prunes what this output drops), then take its objects over once with:"
            )
            out += [f"  {command}" for command in self.takeover()]
            out.append(
                "To switch from the second to the first, deploy once more with the second (it prunes what this output "
                "drops), then use the first."
            )
        out += self.notes
        if self.label_namespace is not None:
            out.append("The namespace is not rendered here; to make it enforce the Pod Security Standard the pods meet:")
            out.append(f"  {self.label_namespace}")
        return out


def server_side(command: str, *, force: bool = False) -> str:
    """A ``kubectl apply`` command made server-side (and ``--force-conflicts`` with ``force``)."""
    assert command.startswith("kubectl apply ")
    flags = "--server-side --force-conflicts" if force else "--server-side"
    return f"kubectl apply {flags} " + command.removeprefix("kubectl apply ")


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


MIGRATION_ANNOTATION = "webapp-constructs.io/migration-before"
"""What makes a rendered ``batch/v1`` Job a migration: the names of the Deployments (comma-separated)
that it must finish before they roll. Argo CD runs it in its sync wave (after what it reads, before
the workloads), Flux as a Kustomization of its own between the environment's prerequisites and the
rest, kubectl in the order :func:`migration_steps` prints, Helm as a hook (:mod:`.helm`)."""

MIGRATIONS_FILE = "15-migrations.k8s.yaml"
"""The file migration Jobs are written to, whatever chart rendered them: the kubectl order applies
it on its own, before the rest."""

MIGRATION_TIMEOUT = 600
"""Seconds ``kubectl wait`` (and Flux) give a migration to complete when its Job sets no
``activeDeadlineSeconds``: 10 minutes."""


def is_migration(manifest: Mapping[str, Any]) -> bool:
    """Whether ``manifest`` is a migration Job (:data:`MIGRATION_ANNOTATION`)."""
    annotations = (manifest.get("metadata") or {}).get("annotations") or {}
    return manifest.get("kind") == "Job" and MIGRATION_ANNOTATION in annotations


def migration_timeout(jobs: Sequence[Mapping[str, Any]]) -> int:
    """The seconds to wait for ``jobs``: the longest ``activeDeadlineSeconds``, else :data:`MIGRATION_TIMEOUT`."""
    deadlines = [(job.get("spec") or {}).get("activeDeadlineSeconds") for job in jobs]
    return max([d for d in deadlines if isinstance(d, int) and not isinstance(d, bool)], default=MIGRATION_TIMEOUT)


def separate_migrations(files: dict[str, list[dict[str, Any]]]) -> dict[str, list[dict[str, Any]]]:
    """``files`` with every migration Job moved to :data:`MIGRATIONS_FILE`, files left empty
    dropped, in file-name order (the order ``kubectl apply -f`` reads them). Without a migration,
    ``files`` as it is."""
    if not any(is_migration(m) for docs in files.values() for m in docs):
        return files
    jobs = [m for docs in files.values() for m in docs if is_migration(m)]
    rest = {name: [m for m in docs if not is_migration(m)] for name, docs in files.items()}
    arranged = {name: docs for name, docs in rest.items() if docs}
    arranged[MIGRATIONS_FILE] = [*arranged.get(MIGRATIONS_FILE, []), *jobs]
    return dict(sorted(arranged.items()))


def namespace_file_of(files: Files) -> str | None:
    """The Namespace's file in ``files`` (``00-namespace.k8s.yaml``, in a directory of the output or not)."""
    return next((name for name in files if name.rpartition("/")[2] == NAMESPACE_FILE), None)


def migration_steps(outdir: Path, files: Files, *, server: bool = False) -> tuple[str, ...]:
    """The kubectl steps that run the migration Jobs of ``files`` (written to ``outdir``) to
    completion before the workloads they name roll, after everything their pods read exists: apply
    every file but the migrations' except the workloads a migration runs before (labelled
    ``webapp-constructs.io/migration-step``: the library's MigrationJob labels them), apply the
    migrations' files, wait for each Job to complete. A Job is named after its spec: an unchanged
    migration is the same Job, already complete, and runs once per change; the final pruning apply
    deletes the previous one. Server-side with ``server``."""
    by_file = {name: [m for m in docs if is_migration(m)] for name, docs in files.items()}
    if not any(by_file.values()):
        return ()
    apply = "kubectl apply --server-side" if server else "kubectl apply"
    first = " ".join(f"-f {shlex.quote(str(outdir / name))}" for name in files if not by_file[name] and name != NAMESPACE_FILE)
    steps = [f"{apply} {first} -l {shlex.quote('!' + MIGRATION_STEP)}"] if first else []
    jobs = [job for docs in by_file.values() for job in docs]
    steps.append(f"{apply} " + " ".join(f"-f {shlex.quote(str(outdir / name))}" for name, found in by_file.items() if found))
    namespaces = dict.fromkeys(str((job.get("metadata") or {}).get("namespace") or "default") for job in jobs)
    for namespace in namespaces:
        names = " ".join(
            f"job/{job['metadata']['name']}"
            for job in jobs
            if ((job.get("metadata") or {}).get("namespace") or "default") == namespace
        )
        steps.append(
            f"kubectl wait --for=condition=complete -n {shlex.quote(namespace)} --timeout={migration_timeout(jobs)}s {names}"
        )
    return tuple(steps)


def migration_notes(files: Files) -> list[str]:
    """What the summary says of each migration: what it runs before."""
    lines = []
    for docs in files.values():
        for job in docs:
            if is_migration(job):
                before = str(job["metadata"]["annotations"][MIGRATION_ANNOTATION])
                lines.append(
                    f"Migration {job['metadata']['name']} runs to completion before {before} roll: the steps after the "
                    "Namespace apply everything else, run it, and wait for it (once per change of its Job: the same "
                    "spec is the same Job, already complete)."
                )
    return lines


OPTIONAL_KINDS = frozenset({("external-secrets.io/v1", "ExternalSecret")})
"""Kinds of custom resources a release can render: listed for pruning only where the release uses
them (this output renders one, or the output it replaces did). kubectl refuses a
``--prune-allowlist`` (and ``kubectl delete``) of a kind the cluster does not know, so listing them
always would break every deploy to a cluster without their operator."""


def external_secrets(release: Release) -> list[str]:
    """The Secrets of ``release`` that an ExternalSecret makes (never rendered as a Secret)."""
    return [name for name, secret in release.values.secrets.items() if secret.external_secret is not None]


def external_secret_lines(release: Release) -> list[str]:
    """What the summary says of each Secret an ExternalSecret makes."""
    lines = []
    for name in external_secrets(release):
        source = release.values.secrets[name].external_secret
        assert source is not None
        lines.append(
            f"Secret {name} is made by the External Secrets Operator (ExternalSecret {name}, from {source.store_kind} "
            f"{source.store}, {source.remote_key}): the cluster needs the operator and that store."
        )
    if lines and not release.values.reloader:
        lines.append(
            "Pods read a Secret when they start: after the operator changes one, restart the workloads that read it, or "
            "set reloader: true on a cluster that runs Stakater Reloader."
        )
    return lines


def renderable_kinds(release: Release, previous: Files = MappingProxyType({})) -> list[dict[str, str]]:
    """``{"apiVersion": ..., "kind": ...}`` of every kind but the Namespace that ``release`` can
    render, in the order of the output; an optional kind (:data:`OPTIONAL_KINDS`) only where the
    release renders one or ``previous`` (the output it replaces) holds one."""
    used = {(str(m.get("apiVersion")), str(m.get("kind"))) for docs in previous.values() for m in docs}
    if external_secrets(release):
        used.add(("external-secrets.io/v1", "ExternalSecret"))
    return [
        {"apiVersion": v, "kind": k}
        for v, k in release_kinds(release.values)
        if k != "Namespace" and ((v, k) not in OPTIONAL_KINDS or (v, k) in used)
    ]


def deploy_plan(
    outdir: Path,
    files: Mapping[str, Sequence[Mapping[str, Any]]],
    release: Release,
    previous: Files = MappingProxyType({}),
) -> DeployPlan:
    """The deploy commands for ``files`` written to ``outdir`` by a synth of ``release`` (which
    replaced the output ``previous``)."""
    values = release.values
    directory = shlex.quote(str(outdir))
    # Every kind the release can render, not only those this output has: a kind a later render
    # drops (an autoscaler, the Ingress) must still be pruned, and --prune-allowlist replaces
    # kubectl's defaults, so a kind left off is never pruned.
    kinds = dict.fromkeys(group_version_kind(m) for m in renderable_kinds(release, previous))
    notes: list[str] = []
    why = [f"{m.name} ({'external' if m.external else 'values not given'})" for m in release.missing_secrets]
    why += [f"{name} (made by its ExternalSecret)" for name in external_secrets(release)]
    if why:
        kinds.pop("core/v1/Secret", None)
        notes.append(f"Secrets are never pruned here: this synth does not render {', '.join(why)}.")
    allowlist = tuple(kinds)
    flags = " ".join(f"--prune-allowlist={kind}" for kind in allowlist)
    recursive = " -R" if any("/" in name for name in files) else ""  # files in a directory of the output
    prune = f"kubectl apply -f {directory}{recursive} --prune -l {INSTANCE_LABEL}={values.release} {flags}"
    namespace_step = None
    namespace_file = namespace_file_of(files)
    if namespace_file is not None:
        namespace_step = f"kubectl apply -f {shlex.quote(str(outdir / namespace_file))}"
    namespaced = " ".join(f"-f {shlex.quote(str(outdir / name))}" for name in files if name != namespace_file)
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
    notes += migration_notes(files)
    return DeployPlan(
        namespace_step,
        prune,
        applyset,
        allowlist,
        tuple(notes),
        label,
        migration_steps(outdir, files),
        migration_steps(outdir, files, server=True),
    )


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
    kinds = ",".join(dict.fromkeys(_resource(m["apiVersion"], m["kind"]) for m in renderable_kinds(release, previous)))
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
