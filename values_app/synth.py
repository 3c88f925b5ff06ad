"""Synthesize values into an output directory, atomically, and say what was written.

Rendering happens in memory (:func:`render`): the release is built, its objects rendered on the
Python side, and every finished object checked against what the API server would refuse
(:func:`webapp_constructs.rules.object_problems`: name, labels, annotations, ConfigMap and Secret sizes,
including what the synth adds itself, such as audit annotations, the config checksum and the Pod
Security labels), against the Pod Security Standard the namespace enforces, and for a reason in
every policy-scanner exception (:func:`check_pod_security`). Only then are the files written
(:func:`write`) to a fresh directory beside the output directory, which replaces it once
everything succeeded (:mod:`.outdir`): a failed synth leaves the previous output as it was, and a
successful one leaves no stale file behind. The Secrets file is owner-only (0600).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from pathlib import Path
from types import MappingProxyType
from typing import Any, NamedTuple, TextIO

from webapp_constructs import Level, PropsError, SecretValue, audit, chart_manifests, pod_security, rules

from .deploy import DeployPlan, deploy_plan, external_secret_lines, left_behind, separate_migrations
from .model import AppValues
from .outdir import MARKER, output_lock, replace_outdir, replace_tree, tree_lock
from .release import SECRETS_FILE, Release, build_release
from .rotation import restart_plan, secret_changes
from .secrets import MissingSecret, SecretValueError
from .yaml_io import dump_all, dump_each, holds_secret_values

__all__ = ["Rendered", "SynthError", "SynthResult", "dump_yaml", "render", "render_files", "synth", "write", "write_tree"]


class SynthError(Exception):
    """The values loaded, but the synth cannot produce what they describe: a Secret value missing
    with ``require_secrets``, or an object the API server would refuse. ``lines``: one per problem."""

    def __init__(self, lines: list[str]) -> None:
        self.lines = lines
        super().__init__("\n".join(lines))


def _missing_lines(missing: list[MissingSecret]) -> list[str]:
    return [f"Secret {m.name}: no value for {', '.join(m.missing)}" for m in missing]


class Rendered(NamedTuple):
    """A release rendered in memory: its manifests by output file name."""

    release: Release
    files: dict[str, list[dict[str, Any]]]
    extra: Mapping[str, str] = MappingProxyType({})
    """Files that hold no manifest (an environment's ``Kustomization``), by name: their text."""

    def texts(self) -> dict[str, tuple[str, int]]:
        """File name -> (YAML text, file mode): the Secrets file is owner-only."""
        return self.written()[0]

    def written(self) -> tuple[dict[str, tuple[str, int]], dict[str, dict[str, Any]]]:
        """:meth:`texts`, and each document of them as its YAML text with the manifest it is (so
        that reading the previous output need not parse again what is written again:
        :func:`.diff.read_output`)."""
        texts: dict[str, tuple[str, int]] = {}
        known: dict[str, dict[str, Any]] = {}
        for name, docs in self.files.items():
            parts = dump_each(docs)
            if parts is None:
                text = dump_yaml(docs)
            else:
                text = "---\n".join(parts)
                known.update(zip(parts, docs, strict=True))
            texts[name] = (text, 0o600 if name == SECRETS_FILE else 0o644)
        texts.update({name: (text, 0o644) for name, text in self.extra.items()})
        return texts, known


class SynthResult(NamedTuple):
    outdir: Path
    files: dict[str, list[dict[str, Any]]]
    """Manifests by file name."""
    release: Release
    previous: Mapping[str, list[dict[str, Any]]] = MappingProxyType({})
    """The manifests of the output this synth replaced, by file name (empty when there was none)."""
    previous_problem: str | None = None
    """Why the output this synth replaced could not be read (then nothing was compared with it)."""
    written_summary: str | None = None
    """:meth:`summary`, worked out before the output was replaced (:func:`write`)."""

    def summary(self) -> str:
        """Objects per kind, files written, each Secret not rendered with its kubectl command, and
        how to deploy (:mod:`.deploy`)."""
        if self.written_summary is not None:
            return self.written_summary
        kinds = Counter(doc["kind"] for docs in self.files.values() for doc in docs)
        lines = [
            f"Synthesized {sum(kinds.values())} objects into {self.outdir}/: "
            + ", ".join(f"{n} {k}" for k, n in sorted(kinds.items()))
        ]
        lines += [f"  {self.outdir / name}" for name in self.files]
        lines += [missing.message() for missing in self.release.missing_secrets]
        lines += external_secret_lines(self.release)
        lines += self.deploy_plan().lines()
        restart = restart_plan(self.release, secret_changes(self.previous, self.files))
        if restart is not None:
            lines += restart.lines()
        lines += left_behind(self.previous, self.release)
        if self.previous_problem is not None:
            lines.append(
                f"The previous output could not be compared ({self.previous_problem}): if a Secret value changed, restart "
                "the workloads that read it (kubectl rollout restart)."
            )
        return "\n".join(lines)

    def deploy_plan(self) -> DeployPlan:
        return deploy_plan(self.outdir, self.files, self.release, self.previous)


def render_files(release: Release) -> dict[str, list[dict[str, Any]]]:
    """The manifests of each chart, by output file name."""
    return {name: chart_manifests(chart) for name, chart in release.charts.items()}


def dump_yaml(docs: list[dict[str, Any]]) -> str:
    """Manifests as one YAML stream, the same bytes for the same input."""
    return dump_all(docs)


def check_objects(files: Mapping[str, list[dict[str, Any]]]) -> list[str]:
    """What the API server would refuse of the finished objects, one line each; and a Secret (by
    what it is: :func:`.yaml_io.holds_secret_values`) in any file but the Secrets file, which alone
    is owner-only, git-ignored, and left out of a Helm chart and a deploy repository."""
    found = [
        f"{name}: {manifest.get('kind')} {manifest.get('metadata', {}).get('name')}: {problem}"
        for name, docs in files.items()
        for manifest in docs
        for problem in rules.object_problems(manifest)
    ]
    found += [
        f"{name}: {manifest.get('kind')} {manifest.get('metadata', {}).get('name')}: holds a Secret's values, "
        f"which only {SECRETS_FILE} may hold; declare the Secret under secrets:"
        for name, docs in files.items()
        if name != SECRETS_FILE
        for manifest in docs
        if holds_secret_values(manifest)
    ]
    return found


def check_pod_security(
    files: Mapping[str, list[dict[str, Any]]], level: Level, namespace: str, extra: Sequence[Mapping[str, Any]] = ()
) -> list[str]:
    """The finished objects whose pods fall below ``level``, the Pod Security Standard the release's
    namespace enforces (or is to be labelled with), and the policy-scanner exceptions without a
    reason, one line each: the library's rules (:mod:`webapp_constructs.pod_security`,
    :func:`webapp_constructs.audit.object_audit_problems`) on what is written, whatever made it; an
    object of ``extra`` (the values' ``extraObjects``) is named by its place there."""
    places = {(o.get("kind"), (o.get("metadata") or {}).get("name")): f"extraObjects[{i}]" for i, o in enumerate(extra)}
    lines = []
    for name, docs in files.items():
        for manifest in docs:
            identity = (manifest.get("kind"), (manifest.get("metadata") or {}).get("name"))
            what = f"{name}: {identity[0]} {identity[1]}" + (f" ({places[identity]})" if identity in places else "")
            evaluated = pod_security.evaluate_object(manifest)
            if evaluated is not None and not evaluated.meets(level):
                lines.append(
                    f"{what}: does not meet the Pod Security Standard {level!r} that namespace {namespace} enforces: "
                    f"{'; '.join(evaluated.breaks(level))}. Make it meet {level!r} (the services' own relaxations, each "
                    "with its reason in auditSkips, set the level)"
                )
            lines += [f"{what}: {problem}" for problem in audit.object_audit_problems(manifest)]
    return lines


def render(
    values: AppValues,
    *,
    environ: Mapping[str, str],
    env_file: Mapping[str, SecretValue] | None = None,
    require_secrets: bool = False,
) -> Rendered:
    """Build and render ``values`` in memory and check the finished objects; raise
    :class:`SynthError` (nothing is written)."""
    try:
        release = build_release(values, environ=environ, env_file=env_file)
    except PropsError as error:  # what only the values of the environment can break: a Secret's size
        raise SynthError([f"{error.owner}: {problem.message}" for problem in error.problems]) from None
    except SecretValueError as error:
        raise SynthError(error.lines) from None
    missing = [m for m in release.missing_secrets if not m.external]
    if require_secrets and missing:
        raise SynthError(_missing_lines(missing))
    files = separate_migrations(render_files(release))
    problems = check_objects(files) + check_pod_security(files, release.pod_security, values.namespace.name, values.extra_objects)
    if problems:
        raise SynthError(problems)
    return Rendered(release, files)


def previous_output(
    outdir: Path, known: Mapping[str, Mapping[str, Any]] | None = None
) -> tuple[dict[str, list[dict[str, Any]]], str | None]:
    """The manifests of the synth output at ``outdir`` (none when there is none), and why it could
    not be read, if it could not; a document of ``known`` (what this synth writes) is not parsed."""
    from .diff import DiffError, read_output

    if not (outdir / MARKER).is_file():
        return {}, None
    try:
        return read_output(outdir, known), None
    except DiffError as error:
        return {}, str(error)


def write(rendered: Rendered, outdir: Path) -> SynthResult:
    """Write ``rendered`` to a new directory and swap it in place of ``outdir`` (call
    :func:`.outdir.check_outdir` first)."""
    texts, known = rendered.written()
    with output_lock(outdir):  # what is replaced is what was compared with
        previous, problem = previous_output(outdir, known)
        # Everything said of the previous output is worked out before it is replaced: whatever
        # fails there fails with the output untouched.
        summary = SynthResult(outdir, rendered.files, rendered.release, previous, problem).summary()
        replace_outdir(outdir, texts)
    return SynthResult(outdir, rendered.files, rendered.release, previous, problem, summary)


def write_tree(
    root: Path,
    outputs: Mapping[str, Rendered],
    others: Mapping[str, Mapping[str, tuple[str, int]]] | None = None,
    files: Mapping[str, tuple[str, int]] | None = None,
) -> dict[str, SynthResult]:
    """Write each of ``outputs`` (a path relative to ``root`` -> what is rendered there), ``others``
    (path -> files, such as a deploy repository's controller objects) and ``files`` (name -> (text,
    mode), directly in ``root``: the deploy tree's record) in one step (:func:`.outdir.replace_tree`):
    the whole tree is replaced, or nothing is. The results, by path, each with its summary worked
    out against the output it replaced."""
    others = others or {}
    with tree_lock(root, [*outputs, *others]):  # what is replaced is what was compared with
        results: dict[str, SynthResult] = {}
        texts: dict[str, Mapping[str, tuple[str, int]]] = {}
        for target, rendered in outputs.items():
            outdir = root / target
            texts[target], known = rendered.written()
            previous, problem = previous_output(outdir, known)
            summary = SynthResult(outdir, rendered.files, rendered.release, previous, problem).summary()
            results[target] = SynthResult(outdir, rendered.files, rendered.release, previous, problem, summary)
        texts.update(others)
        replace_tree(root, texts, files)
    return results


def synth(
    values: AppValues,
    outdir: Path,
    *,
    environ: Mapping[str, str],
    env_file: Mapping[str, SecretValue] | None = None,
    require_secrets: bool = False,
    stderr: TextIO | None = None,
) -> SynthResult:
    """Render ``values`` into ``outdir`` and, if ``stderr`` is given, print the summary there.

    Raises :class:`SynthError` before anything is written when the synth cannot be done.
    """
    result = write(render(values, environ=environ, env_file=env_file, require_secrets=require_secrets), outdir)
    if stderr is not None:
        print(result.summary(), file=stderr)
    return result
