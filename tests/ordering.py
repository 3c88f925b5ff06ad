"""An ordering model: each deploy route played as its controller plays it, from an empty cluster.

Written apart from the code that assigns the order (``values_app.deploy``, ``.gitops``, ``.helm``
and ``webapp_constructs._migration_job``): it imports none of it, and reads only what they render (the
objects with their waves and hooks, the printed kubectl lines, the Flux Kustomizations, the chart's
templates), as the controllers read them:

- kubectl: each printed command in turn; ``apply -f`` reads files in the order given (a directory:
  its ``.yaml``/``.yml``/``.json`` files in name order, ``-R`` below too), keeps what the label
  selector ``-l`` selects, and creates the objects one by one; ``wait --for=condition=complete``
  waits for Jobs.
- Argo CD: phases (PreSync hooks, Sync, PostSync; Helm's hook annotations read as Argo CD's), then
  the wave (``sync-wave``, or ``helm.sh/hook-weight`` of a Helm hook), kind, name; a wave starts once
  every object of the earlier ones is healthy (a Job once it completed).
- Flux: the Kustomizations in ``dependsOn`` order; each applies its objects (Namespaces first, then
  by kind) and is ready once what ``wait: true`` (everything) or ``healthChecks`` names is healthy;
  a dependent starts only once its dependencies are ready.
- Helm (``upgrade --install --create-namespace``): the pre-install hooks in kind order, then by
  weight and name, each Job waited for; then every other object by kind; then post-install hooks.

The cluster checks, at each object's creation, that its Namespace exists, and for a workload that
every object its pods reference (ServiceAccount, ConfigMap, Secret (or the ExternalSecret that
makes it), PersistentVolumeClaim) exists, and that every migration whose ``before`` names it
(``webapp-constructs.io/migration-before``) has completed.
"""

from __future__ import annotations

import fnmatch
import re
import shlex
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from tests.helpers import load_all, yaml_load

BEFORE = "webapp-constructs.io/migration-before"

KIND_ORDER = [
    "Namespace", "NetworkPolicy", "ResourceQuota", "LimitRange", "PodSecurityPolicy", "PodDisruptionBudget",
    "ServiceAccount", "Secret", "SecretList", "ConfigMap", "StorageClass", "PersistentVolume",
    "PersistentVolumeClaim", "CustomResourceDefinition", "ClusterRole", "ClusterRoleList", "ClusterRoleBinding",
    "ClusterRoleBindingList", "Role", "RoleList", "RoleBinding", "RoleBindingList", "Service", "DaemonSet", "Pod",
    "ReplicationController", "ReplicaSet", "Deployment", "HorizontalPodAutoscaler", "StatefulSet", "Job", "CronJob",
    "IngressClass", "Ingress", "APIService",
]  # fmt: skip
"""Helm's install order, which Argo CD's sync (gitops-engine) and Flux's apply (fluxcd/pkg/ssa)
share for these kinds; any other kind comes last."""

POD_SPEC = {
    "Deployment": ("spec", "template", "spec"),
    "StatefulSet": ("spec", "template", "spec"),
    "DaemonSet": ("spec", "template", "spec"),
    "ReplicaSet": ("spec", "template", "spec"),
    "Job": ("spec", "template", "spec"),
    "CronJob": ("spec", "jobTemplate", "spec", "template", "spec"),
    "Pod": ("spec",),
}
ROLLING = ("Deployment", "StatefulSet", "DaemonSet")

Key = tuple[str, str, str]
"""(kind, namespace, name)."""


def kind_rank(manifest: Mapping[str, Any]) -> int:
    kind = str(manifest.get("kind"))
    return KIND_ORDER.index(kind) if kind in KIND_ORDER else len(KIND_ORDER)


def meta(manifest: Mapping[str, Any]) -> dict[str, Any]:
    found: dict[str, Any] = manifest.get("metadata") or {}
    return found


def annotations_of(manifest: Mapping[str, Any]) -> dict[str, str]:
    return dict(meta(manifest).get("annotations") or {})


def references(manifest: Mapping[str, Any]) -> set[tuple[str, str]]:
    """(kind, name) of what the pods of ``manifest`` need to exist to start."""
    spec: Any = manifest
    for key in POD_SPEC.get(str(manifest.get("kind")), ("?",)):
        spec = spec.get(key) if isinstance(spec, Mapping) else None
    if not isinstance(spec, Mapping):
        return set()
    found = {("ServiceAccount", str(spec.get("serviceAccountName") or spec.get("serviceAccount") or "default"))}
    for secret in spec.get("imagePullSecrets") or []:
        found.add(("Secret", str(secret["name"])))
    for container in [*(spec.get("initContainers") or []), *(spec.get("containers") or [])]:
        for env in container.get("env") or []:
            source = env.get("valueFrom") or {}
            for key, kind in (("configMapKeyRef", "ConfigMap"), ("secretKeyRef", "Secret")):
                if key in source and not source[key].get("optional"):
                    found.add((kind, str(source[key]["name"])))
        for whole in container.get("envFrom") or []:
            for key, kind in (("configMapRef", "ConfigMap"), ("secretRef", "Secret")):
                if key in whole and not whole[key].get("optional"):
                    found.add((kind, str(whole[key]["name"])))
    for volume in spec.get("volumes") or []:
        for source in [volume, *((volume.get("projected") or {}).get("sources") or [])]:
            if "configMap" in source and not source["configMap"].get("optional"):
                found.add(("ConfigMap", str(source["configMap"]["name"])))
            if "secret" in source and not source["secret"].get("optional"):
                found.add(("Secret", str(source["secret"].get("secretName") or source["secret"].get("name"))))
        if "persistentVolumeClaim" in volume:
            found.add(("PersistentVolumeClaim", str(volume["persistentVolumeClaim"]["claimName"])))
    return found


@dataclass
class Cluster:
    """What exists, what completed, and every ordering error met."""

    namespace: str
    """The release's namespace (where an object without one goes)."""
    existing: set[Key] = field(default_factory=set)
    completed: set[Key] = field(default_factory=set)
    errors: list[str] = field(default_factory=list)
    labels: dict[Key, Mapping[str, Any]] = field(default_factory=dict)
    """Each object created, as it was (for a selector)."""
    migrations: dict[str, list[Key]] = field(default_factory=dict)
    """The workloads named in a migration's ``before`` (by namespace/name) -> the migration Jobs."""

    def know_migrations(self, manifests: Iterable[Mapping[str, Any]]) -> None:
        for manifest in manifests:
            before = annotations_of(manifest).get(BEFORE)
            if manifest.get("kind") == "Job" and before:
                for name in before.split(","):
                    self.migrations.setdefault(f"{self.ns(manifest)}/{name}", []).append(self.key(manifest))

    def ns(self, manifest: Mapping[str, Any]) -> str:
        return str(meta(manifest).get("namespace") or self.namespace)

    def key(self, manifest: Mapping[str, Any]) -> Key:
        if manifest.get("kind") == "Namespace":
            return ("Namespace", "", str(meta(manifest)["name"]))
        return (str(manifest["kind"]), self.ns(manifest), str(meta(manifest)["name"]))

    def exists(self, kind: str, namespace: str, name: str) -> bool:
        if kind == "Namespace":
            return ("Namespace", "", name) in self.existing
        if kind == "ServiceAccount" and name == "default":  # made with its namespace
            return ("Namespace", "", namespace) in self.existing
        return (kind, namespace, name) in self.existing

    def apply(self, manifest: Mapping[str, Any], how: str) -> None:
        """Create (or update) ``manifest``, checking what it needs."""
        key = self.key(manifest)
        kind, namespace, name = key
        if kind != "Namespace" and not self.exists("Namespace", "", namespace):
            self.errors.append(f"{how}: {kind} {name} created before its Namespace {namespace}")
        for ref_kind, ref_name in sorted(references(manifest)):
            if not self.exists(ref_kind, namespace, ref_name):
                self.errors.append(f"{how}: {kind} {name} created before the {ref_kind} {ref_name} its pods read")
        if kind in ROLLING:
            for job in self.migrations.get(f"{namespace}/{name}", []):
                if job not in self.completed:
                    self.errors.append(f"{how}: {kind} {name} rolled before migration Job {job[2]} completed")
        self.existing.add(key)
        self.labels[key] = manifest
        if kind == "ExternalSecret":
            target = ((manifest.get("spec") or {}).get("target") or {}).get("name") or name
            self.existing.add(("Secret", namespace, str(target)))

    def wait(self, key: Key, how: str) -> None:
        """Wait for the Job ``key`` to complete: it does once it exists (its pods could start, or
        :meth:`apply` said why not)."""
        if key not in self.existing:
            self.errors.append(f"{how}: waits for Job {key[2]}, which does not exist")
        else:
            self.completed.add(key)


# --- kubectl ----------------------------------------------------------------------------------


def _selects(selector: str | None, manifest: Mapping[str, Any]) -> bool:
    if selector is None:
        return True
    labels = {str(k): str(v) for k, v in (meta(manifest).get("labels") or {}).items()}
    for term in re.split(r",(?![^()]*\))", selector):
        term = term.strip()
        if m := re.fullmatch(r"(\S+)\s+(in|notin)\s+\((.*)\)", term):
            values = {v.strip() for v in m.group(3).split(",")}
            inside = labels.get(m.group(1)) in values
            if inside != (m.group(2) == "in"):
                return False
        elif term.startswith("!"):
            if term[1:] in labels:
                return False
        elif "!=" in term:
            key, value = term.split("!=", 1)
            if labels.get(key) == value:
                return False
        elif "=" in term:
            key, value = term.replace("==", "=").split("=", 1)
            if labels.get(key) != value:
                return False
        elif term not in labels:
            return False
    return True


def _read(path: str, files: Mapping[str, Sequence[Mapping[str, Any]]], recursive: bool) -> list[Mapping[str, Any]]:
    """What ``kubectl apply -f path`` reads, ``files`` being every file's objects by path."""
    if path in files:
        return list(files[path])
    found: list[Mapping[str, Any]] = []
    prefix = path.rstrip("/") + "/"
    for name in sorted(files):
        rest = name[len(prefix) :] if name.startswith(prefix) else None
        if rest is None or (not recursive and "/" in rest):
            continue
        if name.endswith((".yaml", ".yml", ".json")):
            found += files[name]
    if not found:
        raise AssertionError(f"kubectl apply -f {path}: no such file or directory in the output")
    return found


def play_kubectl(commands: Sequence[str], files: Mapping[str, Sequence[Mapping[str, Any]]], cluster: Cluster) -> None:
    """Run the printed ``commands`` against ``cluster``; ``files`` is the output, by path."""
    for command in commands:
        words = shlex.split(command)
        while words and re.fullmatch(r"[A-Z_]+=\S*", words[0]):
            words.pop(0)
        assert words[0] == "kubectl", command
        if words[1] == "apply":
            paths: list[str] = []
            selector = None
            recursive = False
            i = 2
            while i < len(words):
                word = words[i]
                if word == "-f":
                    paths.append(words[i + 1])
                    i += 1
                elif word == "-l":
                    selector = words[i + 1]
                    i += 1
                elif word in ("-R", "--recursive"):
                    recursive = True
                elif word == "-n":
                    i += 1
                i += 1
            for path in paths:
                for manifest in _read(path, files, recursive):
                    if _selects(selector, manifest):
                        cluster.apply(manifest, "kubectl")
        elif words[1] == "wait":
            namespace = words[words.index("-n") + 1] if "-n" in words else cluster.namespace
            assert "--for=condition=complete" in words, command
            for word in words[2:]:
                if word.startswith("job/"):
                    cluster.wait(("Job", namespace, word[4:]), "kubectl wait")
            if "job" in words and "-l" in words:  # every Job the selector selects
                selector = words[words.index("-l") + 1]
                jobs = [
                    k for k in cluster.existing if k[0] == "Job" and k[1] == namespace and _selects(selector, cluster.labels[k])
                ]
                if not jobs:
                    cluster.errors.append(f"kubectl wait: no Job selected by {selector}")
                for job in jobs:
                    cluster.wait(job, "kubectl wait")
        elif words[1] in ("label", "annotate", "create"):
            continue
        else:
            raise AssertionError(f"the model does not know {command!r}")


def printed_sequences(lines: Iterable[str]) -> dict[str, list[str]]:
    """The command sequences of a summary's deploy section, by the line before them (which ends with
    ``:``): the indented commands up to the next line that is not."""
    sequences: dict[str, list[str]] = {}
    current: list[str] | None = None
    for line in lines:
        if line.startswith("  ") and current is not None:
            current.append(line.strip())
        else:
            current = sequences.setdefault(line, []) if line.endswith(":") else None
    return {header: commands for header, commands in sequences.items() if commands}


# --- Argo CD ----------------------------------------------------------------------------------

HELM_TO_ARGO = {"pre-install": "PreSync", "pre-upgrade": "PreSync", "post-install": "PostSync", "post-upgrade": "PostSync"}
PHASES = ["PreSync", "Sync", "PostSync"]


def _argo_phase_and_wave(manifest: Mapping[str, Any]) -> tuple[int, int]:
    found = annotations_of(manifest)
    hooks = [h.strip() for h in found.get("argocd.argoproj.io/hook", "").split(",") if h.strip()]
    wave = int(found.get("argocd.argoproj.io/sync-wave", "0"))
    if not hooks and "helm.sh/hook" in found:
        hooks = [HELM_TO_ARGO.get(h.strip(), "Skip") for h in found["helm.sh/hook"].split(",")]
        wave = int(found.get("helm.sh/hook-weight", "0"))
    phase = "Sync" if not hooks else "PreSync" if "PreSync" in hooks else hooks[0]
    return (PHASES.index(phase) if phase in PHASES else 99), wave


def play_argocd(manifests: Sequence[Mapping[str, Any]], cluster: Cluster) -> None:
    """One sync of an Application whose source renders ``manifests``."""
    cluster.know_migrations(manifests)
    ordered = sorted(
        (m for m in manifests if _argo_phase_and_wave(m)[0] != 99),
        key=lambda m: (*_argo_phase_and_wave(m), kind_rank(m), str(m.get("kind")), meta(m)["name"]),
    )
    step = None
    pending: list[Key] = []
    for manifest in ordered:
        here = _argo_phase_and_wave(manifest)
        if here != step:  # the next wave: once every object of the earlier ones is healthy
            for job in pending:
                cluster.wait(job, "Argo CD")
            pending = []
            step = here
        cluster.apply(manifest, f"Argo CD phase {PHASES[here[0]]} wave {here[1]}")
        if manifest.get("kind") == "Job":
            pending.append(cluster.key(manifest))
    for job in pending:
        cluster.wait(job, "Argo CD")


def kustomize(
    directory: str, kustomizations: Mapping[str, str], files: Mapping[str, Sequence[Mapping[str, Any]]]
) -> list[Mapping[str, Any]]:
    """The objects ``kustomize build directory`` gives (its ``Kustomization`` file's resources; a
    directory without one: every manifest file below it, as Flux generates)."""
    prefix = f"{directory}/" if directory else ""
    own = kustomizations.get(f"{prefix}Kustomization")
    if own is None:
        return [m for name in sorted(files) if name.startswith(prefix) for m in files[name]]
    found: list[Mapping[str, Any]] = []
    for resource in yaml_load(own)["resources"]:
        path = f"{prefix}{resource}"
        found += files[path] if path in files else kustomize(path, kustomizations, files)
    return found


# --- Flux ---------------------------------------------------------------------------------------


def play_flux(
    kustomizations: Sequence[Mapping[str, Any]],
    objects_at: Callable[[str], Sequence[Mapping[str, Any]]],
    cluster: Cluster,
) -> None:
    """Reconcile the Flux ``kustomizations`` (``objects_at(spec.path)`` gives what each applies)
    in ``dependsOn`` order, each dependent once its dependencies are ready."""
    for kustomization in kustomizations:
        cluster.know_migrations(objects_at(kustomization["spec"]["path"]))
    ready: set[str] = set()
    left = {k["metadata"]["name"]: k for k in kustomizations}
    while left:
        startable = [name for name, k in left.items() if all(d["name"] in ready for d in k["spec"].get("dependsOn") or [])]
        if not startable:
            cluster.errors.append(f"Flux: {sorted(left)} never start (their dependencies never become ready)")
            return
        for name in sorted(startable):
            spec = left.pop(name)["spec"]
            objects = objects_at(spec["path"])
            staged = sorted(objects, key=lambda m: (m.get("kind") != "Namespace", kind_rank(m)))
            for manifest in staged:
                cluster.apply(manifest, f"Flux Kustomization {name}")
            waited = [cluster.key(m) for m in objects if m.get("kind") == "Job"] if spec.get("wait") else []
            for check in spec.get("healthChecks") or []:
                if check["kind"] == "Job":
                    waited.append(("Job", check.get("namespace") or cluster.namespace, check["name"]))
            for job in waited:
                cluster.wait(job, f"Flux Kustomization {name}")
            ready.add(name)


# --- Helm ---------------------------------------------------------------------------------------


def play_helm(manifests: Sequence[Mapping[str, Any]], cluster: Cluster) -> None:
    """``helm upgrade --install --create-namespace`` of a chart whose templates render ``manifests``."""
    cluster.existing.add(("Namespace", "", cluster.namespace))
    cluster.know_migrations(manifests)

    def hooks(event: str) -> list[Mapping[str, Any]]:
        found = [m for m in manifests if event in [h.strip() for h in annotations_of(m).get("helm.sh/hook", "").split(",")]]
        by_kind = sorted(found, key=kind_rank)  # Helm sorts hooks by kind, then (stably) by weight and name
        return sorted(by_kind, key=lambda m: (int(annotations_of(m).get("helm.sh/hook-weight", "0")), meta(m)["name"]))

    for hook in hooks("pre-install"):
        cluster.apply(hook, "Helm pre-install hook")
        if hook.get("kind") in ("Job", "Pod"):
            cluster.wait(cluster.key(hook), "Helm pre-install hook")
    for manifest in sorted((m for m in manifests if "helm.sh/hook" not in annotations_of(m)), key=kind_rank):
        cluster.apply(manifest, "Helm install")
    for hook in hooks("post-install"):
        cluster.apply(hook, "Helm post-install hook")


def load_yaml_files(texts: Mapping[str, str], pattern: str = "*") -> dict[str, list[dict[str, Any]]]:
    """Every YAML file of ``texts`` (name -> text) matching ``pattern``, parsed."""
    return {
        name: load_all(text)
        for name, text in texts.items()
        if fnmatch.fnmatch(name, pattern) and name.endswith((".yaml", ".yml"))
    }
