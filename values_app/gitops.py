"""GitOps delivery: the output of ``main.py envs`` as the root of a deploy repository that Argo CD or
Flux syncs to the clusters.

A ``gitops:`` block in the environments file (:mod:`.environments`) turns it on::

    gitops:
      tool: argocd                                   # or flux
      repoURL: https://git.example.com/shop/deploy.git
      targetRevision: rendered                       # the branch CI commits the rendered output to
      path: "clusters/{env}"                         # where each environment's manifests live
    environments:
      staging:
        values: [values/staging.yaml]
        cluster: https://staging.k8s.example.com     # Argo CD's destination server

Each environment is written to ``<outdir>/<path>`` (:func:`environment_path`), a Kustomize base (a
``Kustomization`` file lists its manifest files, in apply order) that ``kubectl apply -f`` still
applies as it is; beside the environments, never inside one, the controller's objects go to
``<outdir>/argocd/`` (an ``Application`` per environment, or one ``ApplicationSet``) or
``<outdir>/flux/`` (a ``GitRepository`` and a ``Kustomization`` per environment), each directory
a synth output of its own, replaced atomically.

What changes in an environment rendered for GitOps (:func:`gitops_files`):

* every object carries ``argocd.argoproj.io/sync-wave`` (:data:`WAVES`), a migration Job
  :data:`MIGRATION_WAVE`: after what it reads, before the workloads;
* for Flux, what the pods read goes to ``prerequisites/``, the migration Jobs to ``migrations/``
  (Kustomize bases of their own, each applied by a Flux Kustomization with ``wait: true``):
  prerequisites, then migrations, then the environment's, through ``dependsOn``;
* no Secret with values is ever written: an environment that declares one (neither ``external``
  nor ``externalSecret``) is refused (:func:`secret_problems`).
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, Protocol

from webapp_constructs import Problem, Props, check, prop_rules, replaced, rules
from webapp_constructs import render as ordered

from .deploy import is_migration, migration_timeout
from .fields import prop, valuesclass
from .yaml_io import dump_all

if TYPE_CHECKING:
    from .layers import Layers
    from .model import AppValues
    from .settings import Setting
    from .synth import Rendered

__all__ = [
    "APPLICATIONS_FILE",
    "APPLICATION_SET_FILE",
    "CONTROLLER_NAMESPACES",
    "DEFAULT_CLUSTER",
    "DEFAULT_NAMESPACES",
    "FLUX_FILE",
    "KUSTOMIZATION_FILE",
    "MAX_PATH_DEPTH",
    "MAX_URL_LENGTH",
    "MIGRATIONS_DIRECTORY",
    "MIGRATION_WAVE",
    "MIN_INTERVAL",
    "PARENT_FILE",
    "PREREQUISITES_DIRECTORY",
    "SYNC_WAVE",
    "WAVES",
    "ControllerOutput",
    "EnvironmentEntry",
    "EnvironmentsSource",
    "GitOpsEnvironment",
    "GitOpsValues",
    "TreeEnvironment",
    "controller_directory",
    "controller_output",
    "controller_summary",
    "environment_name",
    "environment_path",
    "environments_in_tree",
    "gitops_files",
    "kustomization",
    "kustomizations",
    "name_problems",
    "namespace_problems",
    "owner_problems",
    "parse_gitops",
    "path_problems",
    "render_environments",
    "secret_problems",
    "url_problems",
    "wave_of",
]


class EnvironmentEntry(Protocol):
    """What the deploy repository reads of an environment (:class:`~.environments.Environment`)."""

    @property
    def name(self) -> str: ...

    @property
    def values(self) -> tuple[Path, ...]: ...

    @property
    def settings(self) -> tuple[Setting, ...]: ...

    @property
    def cluster(self) -> str | None: ...


class EnvironmentsSource(Protocol):
    """What the deploy repository reads of an environments file (:class:`~.environments.EnvironmentsFile`)."""

    @property
    def gitops(self) -> GitOpsValues | None: ...

    @property
    def environments(self) -> Mapping[str, EnvironmentEntry]: ...

    def where(self, *parts: str | int) -> str:
        """``<file>:<line>: <field path>`` of the deepest of ``parts`` the file has."""


Tool = Literal["argocd", "flux"]

DEFAULT_CLUSTER = "https://kubernetes.default.svc"
"""Argo CD's destination server when an environment names none: the cluster Argo CD runs in."""

DEFAULT_NAMESPACES: dict[str, str] = {"argocd": "argocd", "flux": "flux-system"}
"""Where the controller's objects live, by tool, unless ``gitops.namespace`` says otherwise."""

KUSTOMIZATION_FILE = "Kustomization"
"""The Kustomize file of every environment directory: Kustomize, Argo CD and Flux read this name,
and ``kubectl apply -f`` skips it (it reads only ``.yaml``, ``.yml`` and ``.json`` files; a
``kustomization.yaml`` there would be read as an object, and fail)."""

MIGRATIONS_DIRECTORY = "15-migrations"
"""For Flux: the directory of an environment that holds its migration Jobs (and their own
``Kustomization``), applied by a Flux Kustomization of its own."""

PARENT_FILE = "parent.k8s.yaml"
"""The parent of the controller's objects (``gitops.parent``), in their directory."""

APPLICATIONS_FILE = "applications.k8s.yaml"
APPLICATION_SET_FILE = "applicationset.k8s.yaml"
FLUX_FILE = "sync.k8s.yaml"

MAX_PATH_DEPTH = 4
"""The most directories ``gitops.path`` may nest: ``clusters/{env}`` is two."""

SYNC_WAVE = "argocd.argoproj.io/sync-wave"

WAVES: dict[str, int] = {
    "Namespace": 0,
    "ConfigMap": 1,
    "Secret": 1,
    "ExternalSecret": 1,
    "ServiceAccount": 1,
    "NetworkPolicy": 1,
    "PersistentVolumeClaim": 1,
    "Service": 3,
    "Deployment": 3,
    "StatefulSet": 3,
    "DaemonSet": 3,
    "Job": 3,
    "CronJob": 3,
    "PodDisruptionBudget": 3,
    "Ingress": 4,
    "HorizontalPodAutoscaler": 4,
}
"""Argo CD's sync wave of each kind (lower first; Argo CD waits for a wave to be healthy before the
next): the Namespace; what the pods read (ConfigMaps, Secrets, ExternalSecrets, ServiceAccounts,
PVCs) and the NetworkPolicies, so that no pod ever starts unisolated; the migrations
(:data:`MIGRATION_WAVE`); the Services and workloads with their PodDisruptionBudgets; then what
routes to them and scales them. Any other kind goes with the workloads (:data:`DEFAULT_WAVE`)."""

MIGRATION_WAVE = 2
"""The wave of a migration Job: after everything its pod reads, before the workloads it names
(Argo CD starts wave 3 once the Job completed). Not a ``PreSync`` hook: a hook runs before every
wave, before its own ServiceAccount exists on a first sync, and again at every sync."""

DEFAULT_WAVE = 3

PREREQUISITES_DIRECTORY = "00-prerequisites"
"""For Flux: the directory of what the pods read (every object of a wave before
:data:`MIGRATION_WAVE`, the Namespace included), applied by a Flux Kustomization of its own with
``wait: true`` that the migrations' (or the environment's) depends on: Flux applies a
Kustomization's objects together, so only ``dependsOn`` orders them, and only ``wait`` makes an
ExternalSecret's Secret exist before the pods that read it."""

_ROLLING = ("Deployment", "StatefulSet", "DaemonSet")


# --- the model --------------------------------------------------------------------------------


MAX_URL_LENGTH = 2048

_URL_CHARACTER = re.compile(r"[A-Za-z0-9._~:/?#\[\]@!$&'()*+,;=%-]")
"""The characters of a URL (RFC 3986); any other is percent-encoded."""

_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*)://")
_SCP = re.compile(r"(?P<user>[A-Za-z0-9._-]+)@(?P<host>[A-Za-z0-9.-]+):(?P<path>[^/].*|/.+)")
"""Git's scp-like address, ``git@host:org/repo.git``: Argo CD takes it, Flux does not."""

_CREDENTIALS = (
    "holds credentials (user information before '@'), which would be written into the deploy repository, the "
    "controller's objects and the logs; leave them out and give {way_out}"
)


def _shown(value: str) -> str:
    """``'<value>': `` for a URL that cannot hold a credential (no '@', query or fragment), else nothing:
    a message names a URL by its place (file:line, field) and never repeats what may be a secret."""
    return f"{value!r}: " if len(value) <= 200 and not set(value) & set("@?#") else ""


def url_problems(value: str, *, schemes: Sequence[str], scp: bool, users: bool, example: str, way_out: str) -> list[str]:
    """What is wrong with ``value`` as a URL of one of ``schemes`` (``scp``: or git's scp-like
    address; ``users``: a user name, never a password, may come before '@' of an ssh:// URL). A
    credential is refused (``way_out``: where it goes instead) and never shown, nor is anything
    that may be one."""
    if len(value) > MAX_URL_LENGTH:
        return [f"is {len(value)} characters long; at most {MAX_URL_LENGTH}"]
    if "{{" in value or "}}" in value:
        return [
            f"{_shown(value)}'{{{{' or '}}}}' is no URL character, and Argo CD's ApplicationSet would read it as a "
            "template; percent-encode the braces (%7B, %7D)"
        ]
    bad = next((char for char in value if not _URL_CHARACTER.fullmatch(char)), None)
    if bad is not None:
        return [f"{_shown(value)}{bad!r} is no URL character; percent-encode it"]
    scheme = _SCHEME.match(value)
    if scheme is None:
        if _SCP.fullmatch(value):
            if scp:
                return []
            return [f"{_shown(value)}an scp-like address (user@host:path), not a URL; such as {example}"]
        return [f"{_shown(value)}not a URL; such as {example}"]
    rest = value[scheme.end() :]
    authority = re.split(r"[/?#]", rest, maxsplit=1)[0]
    user, at, host = authority.rpartition("@")
    if at and (not users or scheme[1].lower() != "ssh" or ":" in user):
        return [_CREDENTIALS.format(way_out=way_out)]
    if "?" in rest or "#" in rest:
        return ["has a query or a fragment ('?', '#'), which may hold a token and is no part of the address; leave it out"]
    if scheme[1].lower() not in schemes:
        taken = ", ".join(f"{name}://" for name in schemes[:-1]) + f" or {schemes[-1]}://"
        return [f"{scheme[1]}:// is not a scheme taken here: {taken}" + (" (or user@host:path)" if scp else "")]
    if not re.fullmatch(r"[A-Za-z0-9.-]+(?::[0-9]{1,5})?|\[[0-9A-Fa-f:.]+\](?::[0-9]{1,5})?", host):
        return [f"{_shown(value)}no host name; such as {example}"]
    return []


def _repo_url(value: str) -> list[str]:
    return url_problems(
        value,
        schemes=("https", "ssh", "http"),
        scp=True,
        users=True,
        example="https://git.example.com/shop/deploy.git",
        way_out="the controller its own (Argo CD: a repository Secret; Flux: the GitRepository's secretRef)",
    )


_REVISION = re.compile(r"[A-Za-z0-9_][A-Za-z0-9._/-]{0,254}")


def _revision(value: str) -> list[str]:
    bad = not _REVISION.fullmatch(value) or ".." in value or "//" in value or value.endswith(("/", ".", ".lock"))
    if not bad:
        return []
    return [f"{value!r} is not a Git branch name (letters, digits, '.', '_', '-', '/'; no '..')"]


def _cluster(value: str) -> list[str]:
    return url_problems(
        value,
        schemes=("https", "http"),
        scp=False,
        users=False,
        example="https://staging.k8s.example.com",
        way_out="Argo CD the cluster's own (a cluster Secret, argocd cluster add)",
    )


CLUSTER = check(_cluster, pattern=r"^https?://[^\s/@?#{}]+(/[^\s?#{}]*)?$")
_NAME = check(rules.dns1123_label, pattern=r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", maxLength=63)

_COMPONENT = re.compile(r"[A-Za-z0-9_][A-Za-z0-9._-]*")


def _path(value: str) -> list[str]:
    parts = value.split("/")
    if value.startswith("/"):
        return [f"{value!r} is absolute; give a path inside the output directory, such as clusters/{{env}}"]
    if len(parts) > MAX_PATH_DEPTH:
        return [f"{value!r} has {len(parts)} levels; at most {MAX_PATH_DEPTH}"]
    for part in parts:
        if part in ("", ".", ".."):
            shown = repr(part) if part else "an empty part"
            return [f"{value!r}: {shown} is not allowed; give a path inside the output directory, such as clusters/{{env}}"]
        if not _COMPONENT.fullmatch(part.replace("{env}", "x")):
            return [f"{value!r}: {part!r} is not a directory name (letters, digits, '.', '_', '-', {{env}}; no '.' or '-' first)"]
    return []


PATH = check(_path)

MIN_INTERVAL = 60
"""Flux's shortest interval, in seconds (``flux create source git``'s default): each one fetches the
repository from the Git server (rate-limited) and reconciles every environment."""


def _interval(value: str) -> list[str]:
    problems = list(prop_rules.DURATION(value))
    if problems or prop_rules.duration_seconds(value) >= MIN_INTERVAL:
        return [str(problem) for problem in problems]
    return [
        f"{value!r} is shorter than 1m: each interval fetches the repository from the Git server and reconciles every "
        "environment; give 1m or more (such as 5m)"
    ]


INTERVAL = check(_interval, pattern=r"^([0-9]+(\.[0-9]+)?(ms|s|m|h))+$")


@valuesclass
class GitOpsValues(Props):
    """The ``gitops:`` block of an environments file: the deploy repository ``main.py envs`` writes
    and the controller (Argo CD or Flux) that syncs it."""

    tool: Tool
    """``argocd`` or ``flux``: which controller's objects are written beside the environments."""
    repo_url: str = prop(check=check(_repo_url), key="repoURL")
    """The deploy repository, e.g. ``https://git.example.com/shop/deploy.git``: ``https://`` or
    ``ssh://`` (or ``http://``); the scp-like ``git@host:org/repo.git`` for Argo CD only; never a
    credential (:func:`url_problems`)."""
    target_revision: str = prop(check=check(_revision), key="targetRevision")
    """The branch CI commits the rendered output to, e.g. ``rendered`` (Flux: a branch)."""
    path: str = prop(default="clusters/{env}", check=PATH)
    """Where each environment's directory is in the repository (and under ``--outdir``); ``{env}``
    is the environment's name (required with more than one environment). Default: clusters/{env}."""
    namespace: str | None = prop(default=None, check=_NAME)
    """The namespace of the controller's objects. Default: argocd (Argo CD), flux-system (Flux)."""
    project: str = prop(default="default", check=_NAME)
    """Argo CD: the AppProject of the Applications (it must exist). Default: default."""
    self_heal: bool = True
    """Argo CD: undo changes made in the cluster by hand (``automated.selfHeal``). Default: true."""
    server_side_apply: bool = True
    """Argo CD: apply server-side (``ServerSideApply=true``), as Flux always does: no
    ``last-applied-configuration`` annotation, so a ConfigMap of up to 1 MiB applies. Default: true."""
    application_set: bool = False
    """Argo CD: one ApplicationSet with a list generator instead of an Application per environment.
    Default: false."""
    interval: str = prop(default="5m", check=INTERVAL)
    """Flux: how often the repository is fetched and each environment reconciled: at least 1m.
    Default: 5m."""
    cluster: str | None = prop(default=None, check=_NAME)
    """The name of the cluster whose controller applies this file's objects (the one Flux runs in,
    or Argo CD): they go to ``<tool>/<cluster>/``, so that the environments files of several
    clusters share one deploy repository (each with its own ``path``, such as
    ``clusters/<cluster>/{env}``). Default: none, ``<tool>/``."""
    parent: bool = True
    """Render the parent of the controller's objects (:data:`PARENT_FILE`): an Argo CD Application
    (app of apps) or a Flux Kustomization that syncs their directory, itself included: applied
    once, it makes adding or removing an environment a commit. False where your own parent already
    syncs the directory. Default: true."""
    reloader: bool = False
    """The clusters run Stakater Reloader: each workload that reads a Secret is annotated so that
    its pods restart when the Secret changes (one the External Secrets Operator refreshed, say).
    Default: false."""

    def cross_checks(self) -> Iterator[Problem]:
        if self.tool == "flux" and _SCP.fullmatch(self.repo_url):
            yield Problem(
                ("repo_url",),
                "an scp-like address (user@host:path), which Flux does not take (its GitRepository's url is "
                "http(s):// or ssh://); write ssh://user@host/path",
            )

    @property
    def controller_namespace(self) -> str:
        return self.namespace or DEFAULT_NAMESPACES[self.tool]

    @property
    def parent_name(self) -> str:
        """The name of the parent Application or Kustomization: the repository's name (and the cluster's)."""
        return f"{self.source_name}-{self.cluster}" if self.cluster else self.source_name

    @property
    def source_name(self) -> str:
        """The name of the ApplicationSet or the Flux GitRepository: the repository's name (the last
        part of ``repoURL`` without ``.git``)."""
        last = re.split(r"[/:]", self.repo_url.rstrip("/"))[-1].removesuffix(".git")
        name = re.sub(r"[^a-z0-9-]+", "-", last.lower()).strip("-")[:63].strip("-")
        return name or "deploy"


ONLY: dict[str, Tool] = {
    "project": "argocd",
    "selfHeal": "argocd",
    "serverSideApply": "argocd",
    "applicationSet": "argocd",
    "interval": "flux",
}
"""The settings of one tool: given with the other, they are an error."""

_TOOL_NAMES = {"argocd": "Argo CD", "flux": "Flux"}


def parse_gitops(data: Any) -> tuple[GitOpsValues | None, list[Problem]]:
    """The ``gitops:`` block ``data``, and its problems (paths under ``gitops``)."""
    from .convert import build

    value, problems = build(GitOpsValues, data, ("gitops",))
    if isinstance(data, Mapping) and data.get("tool") in _TOOL_NAMES:
        tool = data["tool"]
        problems += [
            Problem(("gitops", key), f"{key} is a setting of {_TOOL_NAMES[ONLY[key]]}; tool is {tool}")
            for key in data
            if isinstance(key, str) and ONLY.get(key, tool) != tool
        ]
    return (None if problems else value), problems


def environment_path(gitops: GitOpsValues, name: str) -> str:
    """The directory of environment ``name``, relative to the output directory (and the repository)."""
    return gitops.path.replace("{env}", name)


def controller_directory(gitops: GitOpsValues) -> str:
    """The directory of the controller's objects, relative to the output directory: ``<tool>``,
    or ``<tool>/<cluster>``."""
    return f"{gitops.tool}/{gitops.cluster}" if gitops.cluster else gitops.tool


def path_problems(gitops: GitOpsValues, names: Sequence[str]) -> Iterator[Problem]:
    """What is wrong with where the environments ``names`` would go."""
    if len(names) > 1 and "{env}" not in gitops.path:
        yield Problem(
            ("gitops", "path"),
            f"{gitops.path!r} has no {{env}}: the {len(names)} environments would share one directory",
        )
    for name in names:
        if environment_path(gitops, name).split("/")[0] == controller_directory(gitops):
            yield Problem(
                ("environments", name),
                f"its directory {environment_path(gitops, name)} would be in {controller_directory(gitops)}/, where the "
                f"{_TOOL_NAMES[gitops.tool]} objects go; change gitops.path (such as clusters/{{env}})",
            )


def environment_name(release: str, environment: str) -> str:
    """The name of an environment's Argo CD Application or Flux Kustomization: ``<release>-<env>``."""
    return f"{release}-{environment}"


# --- secrets ------------------------------------------------------------------------------------


def secret_problems(values: AppValues, layers: Layers) -> list[str]:
    """One line for each Secret of ``values`` whose values ``envs`` would write into the deploy
    repository (neither ``external`` nor ``externalSecret``), naming where it is declared and the
    three ways out."""
    return [
        layers.message(
            ("secrets", name),
            "a Secret with values, which would be written into the deploy repository (gitops); give it "
            "externalSecret: {store, remoteKey} (the External Secrets Operator fetches the values), or external: true "
            "(created outside the repository), or render this environment without gitops",
        )
        for name, secret in values.secrets.items()
        if not secret.external and secret.external_secret is None
    ]


# --- where an environment goes -------------------------------------------------------------------


CONTROLLER_NAMESPACES = frozenset(DEFAULT_NAMESPACES.values())
"""The namespaces of Argo CD and Flux: never a release's."""


def namespace_problems(gitops: GitOpsValues, values: AppValues, layers: Layers) -> list[str]:
    """A release in a controller's namespace (``argocd``, ``flux-system``, or ``gitops.namespace``):
    its default-deny NetworkPolicy, its Pod Security labels and its pruning would reach the
    controller's own pods."""
    namespace = values.namespace.name
    controllers = sorted({*CONTROLLER_NAMESPACES, gitops.controller_namespace})
    if namespace not in controllers:
        return []
    return [
        layers.message(
            ("namespace", "name"),
            f"{namespace} is a GitOps controller's namespace ({', '.join(controllers)}): "
            "the release's default-deny policy, Pod Security labels and pruning would reach the controller; give the "
            "release a namespace of its own",
        )
    ]


def _cluster_key(url: str) -> str:
    """A cluster URL as compared: scheme and host in lower case, no default port, no trailing slash."""
    match = re.match(r"([A-Za-z][A-Za-z0-9+.-]*)://([^/]*)(.*)", url)
    if match is None:
        return url
    scheme, host, rest = match[1].lower(), match[2].lower(), match[3].rstrip("/")
    default_port = {"https": ":443", "http": ":80"}.get(scheme)
    if default_port and host.endswith(default_port):
        host = host.removesuffix(default_port)
    return f"{scheme}://{host}{rest}"


def owner_problems(gitops: GitOpsValues, envs: Sequence[GitOpsEnvironment]) -> Iterator[tuple[str, str]]:
    """(environment, problem) for each environment whose namespace, on its cluster, is another's:
    two environments would own one set of objects, each pruning what the other renders (Flux
    applies every environment to the cluster it runs in)."""
    seen: dict[tuple[str, str], str] = {}
    for env in envs:
        cluster = "" if gitops.tool == "flux" else _cluster_key(env.environment.cluster or DEFAULT_CLUSTER)
        key = (cluster, env.namespace)
        if key in seen:
            where = (
                "the cluster Flux runs in" if gitops.tool == "flux" else f"cluster {env.environment.cluster or DEFAULT_CLUSTER}"
            )
            yield (
                env.name,
                f"namespace {env.namespace} on {where} is environment {seen[key]}'s too: two environments would own one "
                "set of objects, each pruning what the other renders; give it a namespace of its own (set: "
                "[namespace.name=...])" + ("" if gitops.tool == "flux" else " or another cluster"),
            )
        seen.setdefault(key, env.name)


# --- an environment's files ----------------------------------------------------------------------


def wave_of(manifest: Mapping[str, Any]) -> int:
    return WAVES.get(str(manifest.get("kind")), DEFAULT_WAVE)


HOOK_PREFIXES = ("argocd.argoproj.io/hook", "helm.sh/hook")
"""Annotations that would make Argo CD run an object as a hook (it reads Helm's too): never on a
migration here, which runs in its wave."""


def _with_wave(manifest: dict[str, Any]) -> dict[str, Any]:
    metadata = dict(manifest["metadata"])
    annotations = dict(metadata.get("annotations") or {})
    if is_migration(manifest):
        annotations = {k: v for k, v in annotations.items() if not k.startswith(HOOK_PREFIXES)}
        annotations[SYNC_WAVE] = str(MIGRATION_WAVE)
    else:
        annotations[SYNC_WAVE] = str(wave_of(manifest))
    metadata["annotations"] = dict(sorted(annotations.items()))
    return {**manifest, "metadata": metadata}


def gitops_files(files: Mapping[str, Sequence[dict[str, Any]]], tool: Tool) -> dict[str, list[dict[str, Any]]]:
    """An environment's manifests (by file name) as the deploy repository holds them: each object
    with its sync wave; for Flux, the migration Jobs in :data:`MIGRATIONS_DIRECTORY` and what
    comes before them in :data:`PREREQUISITES_DIRECTORY`."""
    split = tool == "flux"
    out: dict[str, list[dict[str, Any]]] = {}
    for name, docs in files.items():
        for doc in docs:
            target = name
            if split and is_migration(doc):
                target = f"{MIGRATIONS_DIRECTORY}/{name}"
            elif split and wave_of(doc) < MIGRATION_WAVE:
                target = f"{PREREQUISITES_DIRECTORY}/{name}"
            out.setdefault(target, []).append(_with_wave(doc))
    return dict(sorted(out.items())) if split else out


def kustomization(resources: Sequence[str]) -> str:
    """A ``Kustomization`` file listing ``resources``, in order."""
    document = {"apiVersion": "kustomize.config.k8s.io/v1beta1", "kind": "Kustomization", "resources": list(resources)}
    return "# Written by main.py envs: this directory's manifest files, in apply order.\n" + dump_all([document])


def kustomizations(files: Mapping[str, object]) -> dict[str, str]:
    """The ``Kustomization`` file of each directory of an output whose files are ``files``."""
    directories: dict[str, list[str]] = {}
    for name in sorted(files):
        directory, _, base = name.rpartition("/")
        directories.setdefault(directory, []).append(base)
    return {
        (f"{directory}/{KUSTOMIZATION_FILE}" if directory else KUSTOMIZATION_FILE): kustomization(names)
        for directory, names in directories.items()
    }


# --- the controller's objects --------------------------------------------------------------------


@dataclass(frozen=True)
class GitOpsEnvironment:
    """An environment rendered for the deploy repository."""

    environment: EnvironmentEntry
    path: str
    """Its directory, relative to the output directory and the repository."""
    rendered: Rendered
    """Its manifests, as :func:`gitops_files` arranged them (and its ``Kustomization`` files)."""

    @property
    def name(self) -> str:
        return self.environment.name

    @property
    def release(self) -> str:
        return self.rendered.release.values.release

    @property
    def namespace(self) -> str:
        return self.rendered.release.values.namespace.name

    @property
    def object_name(self) -> str:
        return environment_name(self.release, self.name)

    def migrations(self) -> list[dict[str, Any]]:
        return [m for docs in self.rendered.files.values() for m in docs if is_migration(m)]

    def workloads(self) -> list[dict[str, Any]]:
        return [
            m
            for name, docs in self.rendered.files.items()
            if not name.startswith(f"{MIGRATIONS_DIRECTORY}/")
            for m in docs
            if m.get("kind") in _ROLLING
        ]


@dataclass(frozen=True)
class ControllerOutput:
    """The controller's objects: its directory (relative to the output directory) and its manifests by file."""

    directory: str
    files: dict[str, list[dict[str, Any]]]

    def texts(self) -> dict[str, tuple[str, int]]:
        texts = {name: (dump_all(docs), 0o644) for name, docs in self.files.items()}
        texts.update({name: (text, 0o644) for name, text in kustomizations(self.files).items()})
        return texts


def _duration(seconds: int) -> str:
    return f"{seconds // 60}m" if seconds % 60 == 0 else f"{seconds}s"


def _sync_policy(gitops: GitOpsValues) -> dict[str, Any]:
    options = ["PruneLast=true"]
    if gitops.server_side_apply:
        options.append("ServerSideApply=true")
    return {"automated": {"prune": True, "selfHeal": gitops.self_heal}, "syncOptions": options}


def _application(gitops: GitOpsValues, env: GitOpsEnvironment) -> dict[str, Any]:
    application: dict[str, Any] = ordered(
        {
            "apiVersion": "argoproj.io/v1alpha1",
            "kind": "Application",
            "metadata": {"name": env.object_name, "namespace": gitops.controller_namespace},
            "spec": {
                "project": gitops.project,
                "source": {"repoURL": gitops.repo_url, "targetRevision": gitops.target_revision, "path": env.path},
                "destination": {"server": env.environment.cluster or DEFAULT_CLUSTER, "namespace": env.namespace},
                "syncPolicy": _sync_policy(gitops),
            },
        },
        chart_labels={},
    )
    return application


def _application_set(gitops: GitOpsValues, envs: Sequence[GitOpsEnvironment]) -> dict[str, Any]:
    elements = [
        {
            "name": env.object_name,
            "path": env.path,
            "server": env.environment.cluster or DEFAULT_CLUSTER,
            "namespace": env.namespace,
        }
        for env in envs
    ]
    application_set: dict[str, Any] = ordered(
        {
            "apiVersion": "argoproj.io/v1alpha1",
            "kind": "ApplicationSet",
            "metadata": {"name": gitops.source_name, "namespace": gitops.controller_namespace},
            "spec": {
                "goTemplate": True,
                "goTemplateOptions": ["missingkey=error"],
                "generators": [{"list": {"elements": elements}}],
                # an environment dropped from the list leaves its workloads running
                "syncPolicy": {"preserveResourcesOnDeletion": True},
                "template": {
                    "metadata": {"name": "{{.name}}"},
                    "spec": {
                        "project": gitops.project,
                        "source": {"repoURL": gitops.repo_url, "targetRevision": gitops.target_revision, "path": "{{.path}}"},
                        "destination": {"server": "{{.server}}", "namespace": "{{.namespace}}"},
                        "syncPolicy": _sync_policy(gitops),
                    },
                },
            },
        },
        chart_labels={},
    )
    return application_set


def _flux(gitops: GitOpsValues, envs: Sequence[GitOpsEnvironment]) -> list[dict[str, Any]]:
    namespace = gitops.controller_namespace
    objects: list[dict[str, Any]] = [
        {
            "apiVersion": "source.toolkit.fluxcd.io/v1",
            "kind": "GitRepository",
            "metadata": {"name": gitops.source_name, "namespace": namespace},
            # timeout: the CRD's default, written out as every default of a rendered custom resource is
            "spec": {
                "interval": gitops.interval,
                "url": gitops.repo_url,
                "ref": {"branch": gitops.target_revision},
                "timeout": "60s",
            },
        }
    ]
    for env in envs:
        prerequisites = f"{env.object_name}-prerequisites"
        # ready once every object is (an ExternalSecret once its Secret is made)
        objects.append(_kustomization(gitops, prerequisites, f"{env.path}/{PREREQUISITES_DIRECTORY}", wait=True))
        after = prerequisites
        jobs = env.migrations()
        if jobs:
            migrations = f"{env.object_name}-migrations"
            objects.append(
                _kustomization(
                    gitops,
                    migrations,
                    f"{env.path}/{MIGRATIONS_DIRECTORY}",
                    dependsOn=[{"name": prerequisites}],
                    wait=True,  # ready once every Job completed
                    force=True,  # a Job's template cannot change: a new one replaces it
                    timeout=_duration(migration_timeout(jobs)),
                )
            )
            after = migrations
        health = [
            {"apiVersion": m["apiVersion"], "kind": m["kind"], "name": m["metadata"]["name"], "namespace": env.namespace}
            for m in env.workloads()
        ]
        objects.append(_kustomization(gitops, env.object_name, env.path, dependsOn=[{"name": after}], healthChecks=health))
    return [ordered(obj, chart_labels={}) for obj in objects]


def _kustomization(gitops: GitOpsValues, name: str, path: str, **spec: Any) -> dict[str, Any]:
    """A Flux Kustomization of the controller's namespace that applies ``path`` of the repository
    with pruning, and the rest of its ``spec``; ``force: false`` (the CRD's default) unless given,
    written out as the API server stores it."""
    spec = {
        "interval": gitops.interval,
        "path": f"./{path}",
        "prune": True,
        "sourceRef": {"kind": "GitRepository", "name": gitops.source_name},
        "force": False,
        **spec,
    }
    metadata = {"name": name, "namespace": gitops.controller_namespace}
    return {"apiVersion": "kustomize.toolkit.fluxcd.io/v1", "kind": "Kustomization", "metadata": metadata, "spec": spec}


def _parent(gitops: GitOpsValues) -> dict[str, Any]:
    """The object that syncs the controller's directory, itself included: an Argo CD Application
    in the cluster Argo CD runs in, or a Flux Kustomization."""
    directory = controller_directory(gitops)
    metadata = {"name": gitops.parent_name, "namespace": gitops.controller_namespace}
    if gitops.tool == "flux":
        parent = _kustomization(gitops, gitops.parent_name, directory)
    else:
        spec = {
            "project": gitops.project,
            "source": {"repoURL": gitops.repo_url, "targetRevision": gitops.target_revision, "path": directory},
            "destination": {"server": DEFAULT_CLUSTER, "namespace": gitops.controller_namespace},
            "syncPolicy": _sync_policy(gitops),
        }
        parent = {"apiVersion": "argoproj.io/v1alpha1", "kind": "Application", "metadata": metadata, "spec": spec}
    found: dict[str, Any] = ordered(parent, chart_labels={})
    return found


def controller_output(gitops: GitOpsValues, envs: Sequence[GitOpsEnvironment]) -> ControllerOutput:
    """The controller's objects for every environment of the file (``envs``, in its order), and
    their parent (``gitops.parent``)."""
    files: dict[str, list[dict[str, Any]]]
    if gitops.tool == "flux":
        files = {FLUX_FILE: _flux(gitops, envs)}
    elif gitops.application_set:
        files = {APPLICATION_SET_FILE: [_application_set(gitops, envs)]}
    else:
        files = {APPLICATIONS_FILE: [_application(gitops, env) for env in envs]}
    if gitops.parent:
        files[PARENT_FILE] = [_parent(gitops)]
    return ControllerOutput(controller_directory(gitops), files)


def name_problems(gitops: GitOpsValues, envs: Sequence[GitOpsEnvironment]) -> Iterator[tuple[str, str]]:
    """(environment, problem) for each name of the controller's objects that Kubernetes would refuse
    or that two environments share (the environment "" for the parent's, the block's own)."""
    seen: dict[str, str] = {}
    what = "Application" if gitops.tool == "argocd" else "Kustomization"
    if gitops.parent:  # the environment "": the gitops block's
        for problem in rules.dns1123_label(gitops.parent_name):
            yield "", f"the parent {what} name {gitops.parent_name!r} (<repository>-<cluster>): {problem}"
    for env in envs:
        names = [env.object_name]
        if gitops.tool == "flux":
            names.append(f"{env.object_name}-prerequisites")
        if gitops.tool == "flux" and env.migrations():
            names.append(f"{env.object_name}-migrations")
        for name in names:
            for problem in rules.dns1123_label(name):
                yield env.name, f"the {what} name {name!r} (<release>-<environment>): {problem}"
            if name in seen:
                yield env.name, f"the {what} name {name!r} (<release>-<environment>) is environment {seen[name]}'s too"
            if gitops.parent and name == gitops.parent_name:
                yield env.name, f"the {what} name {name!r} (<release>-<environment>) is the parent's (the repository's name)"
            seen.setdefault(name, env.name)


# --- rendering every environment -------------------------------------------------------------------


def render_environments(
    loaded: EnvironmentsSource,
    settings: Sequence[Setting] | Mapping[str, Sequence[Setting]] = (),
    names: Collection[str] | None = None,
) -> tuple[list[GitOpsEnvironment], ControllerOutput]:
    """Every environment of ``loaded`` (a file with a ``gitops:`` block), or those ``names``,
    rendered for the deploy repository, and the controller's objects for them; raise
    :class:`~.layers.ValuesError` with every problem of every environment. ``settings``: applied
    after each environment's own, or by environment name (then in place of its own ``set:``:
    :func:`.environments.settings_by_environment`). No Secret value is ever read: the environments
    are rendered without any environment variable (a Secret with values is refused first)."""
    from .layers import ValuesError
    from .loader import load_layers, values_from_layers
    from .synth import Rendered, SynthError, render

    gitops = loaded.gitops
    assert gitops is not None
    envs: list[GitOpsEnvironment] = []
    problems: list[str] = []
    for env in loaded.environments.values():
        if names is not None and env.name not in names:
            continue  # not loaded, not built: --env names the others
        own = settings.get(env.name, env.settings) if isinstance(settings, Mapping) else [*env.settings, *settings]
        try:
            layers = load_layers(list(env.values), own)
            values = values_from_layers(layers)
        except ValuesError as error:
            problems += [f"{env.name}: {line}" for line in error.lines]
            continue
        refused = secret_problems(values, layers) + namespace_problems(gitops, values, layers)
        if refused:
            problems += [f"{env.name}: {line}" for line in refused]
            continue
        if gitops.reloader and not values.reloader:
            values = replaced(values, reloader=True)
        try:
            rendered = render(values, environ={})
        except SynthError as error:
            problems += [f"{env.name}: {line}" for line in error.lines]
            continue
        files = gitops_files(rendered.files, gitops.tool)
        arranged = Rendered(rendered.release, files, kustomizations(files))
        envs.append(GitOpsEnvironment(env, environment_path(gitops, env.name), arranged))
    if not problems:
        block = ("gitops", "cluster" if gitops.cluster else "repoURL")
        problems += [
            f"{loaded.where(*(('environments', name) if name else block))}: {problem}"
            for name, problem in name_problems(gitops, envs)
        ]
        problems += [f"{loaded.where('environments', name)}: {problem}" for name, problem in owner_problems(gitops, envs)]
    if problems:
        raise ValuesError(problems)
    return envs, controller_output(gitops, envs)


def controller_summary(gitops: GitOpsValues, controller: ControllerOutput, outdir: Path) -> list[str]:
    """What the summary says of the controller's objects: what they are and how to start them."""
    directory = outdir / controller.directory
    objects = [m for docs in controller.files.values() for m in docs]
    kinds = ", ".join(f"{m['kind']} {m['metadata']['name']}" for m in objects)
    lines = [f"Wrote {len(objects)} {_TOOL_NAMES[gitops.tool]} objects into {directory}/: {kinds}"]
    lines.append(
        f"Commit and push the whole of {outdir} to {gitops.repo_url} ({gitops.target_revision}); apply these once "
        f"(or from your app of apps), and {_TOOL_NAMES[gitops.tool]} syncs every environment from then on:"
    )
    lines.append(f"  kubectl apply -f {shlex.quote(str(directory))}")
    if gitops.parent:
        parent = controller.files[PARENT_FILE][0]
        lines.append(
            f"{parent['kind']} {parent['metadata']['name']} syncs {controller.directory}/ from then on, itself included: "
            "adding or removing an environment is a commit."
        )
    if gitops.tool == "argocd":
        lines.append(
            "Argo CD must track resources by annotation (application.resourceTrackingMethod: annotation in argocd-cm, "
            "the default since Argo CD 3.0): label tracking would set app.kubernetes.io/instance, which names the "
            "release here, to each Application's name."
        )
    return lines


# --- --env: the environments not rendered, as the deploy tree holds them ------------------------------


@dataclass(frozen=True)
class TreeEnvironment(GitOpsEnvironment):
    """An environment not rendered in this run (``--env`` named others), as its directory in the
    deploy tree holds it: what the controller's objects need of it (its release, namespace,
    migrations and workloads) is read from its manifests, never from its values."""

    tree_release: str = ""
    tree_namespace: str = ""

    @property
    def release(self) -> str:
        return self.tree_release

    @property
    def namespace(self) -> str:
        return self.tree_namespace


_INSTANCE = "app.kubernetes.io/instance"


def environments_in_tree(
    gitops: GitOpsValues, environments: Sequence[EnvironmentEntry], root: Path
) -> tuple[list[GitOpsEnvironment], list[str]]:
    """Each of ``environments`` as its directory under ``root`` holds it (:class:`TreeEnvironment`),
    and the names of those whose directory holds no release (not rendered there yet)."""
    from .diff import DiffError, read_output
    from .synth import Rendered

    found: list[GitOpsEnvironment] = []
    missing: list[str] = []
    for env in environments:
        path = environment_path(gitops, env.name)
        try:
            files = read_output(root / path) if (root / path).is_dir() else {}
        except DiffError:
            files = {}
        manifests = [m for docs in files.values() for m in docs if isinstance(m, Mapping)]
        releases = {str(((m.get("metadata") or {}).get("labels") or {}).get(_INSTANCE)) for m in manifests} - {"None"}
        namespaces = [m["metadata"]["name"] for m in manifests if m.get("kind") == "Namespace"]
        namespaces += [str(m["metadata"]["namespace"]) for m in manifests if (m.get("metadata") or {}).get("namespace")]
        if len(releases) != 1 or not namespaces:
            missing.append(env.name)
            continue
        rendered = Rendered(None, files)  # type: ignore[arg-type]  # no release: nothing is built
        found.append(TreeEnvironment(env, path, rendered, releases.pop(), namespaces[0]))
    return found, missing
