"""Synthesize a values file into an output directory, atomically, and say what was written.

The YAML is rendered in memory, then written to a fresh directory beside the output directory,
which replaces the output directory only once everything succeeded (:mod:`.outdir`): a
failed synth leaves the previous output as it was, and a successful one leaves no stale file
behind. The Secrets file is owner-only (0600).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from constructs.app_secret import SecretValue
from constructs.manifest import chart_manifests

from .deploy import DeployPlan, deploy_plan
from .model import AppValues
from .outdir import replace_outdir
from .release import SECRETS_FILE, Release, build_release
from .secrets import MissingSecret
from .yaml_io import dump_all

__all__ = ["MissingSecretsError", "SynthResult", "render_files", "synth", "write_outdir"]


class MissingSecretsError(Exception):
    """``require_secrets`` was set and some Secret values were not supplied."""

    def __init__(self, missing: list[MissingSecret]) -> None:
        self.missing = missing
        super().__init__("\n".join(f"Secret {m.name}: no value for {', '.join(m.missing)}" for m in missing))


@dataclass(frozen=True)
class SynthResult:
    outdir: Path
    files: dict[str, list[dict[str, Any]]]
    """Manifests by file name."""
    release: Release

    def summary(self) -> str:
        """Objects per kind, files written, each Secret not rendered with its kubectl command, and
        how to deploy (:mod:`.deploy`)."""
        kinds = Counter(doc["kind"] for docs in self.files.values() for doc in docs)
        lines = [
            f"Synthesized {sum(kinds.values())} objects into {self.outdir}/: "
            + ", ".join(f"{n} {k}" for k, n in sorted(kinds.items()))
        ]
        lines += [f"  {self.outdir / name}" for name in self.files]
        lines += [missing.message() for missing in self.release.missing_secrets]
        lines += self.deploy_plan().lines()
        return "\n".join(lines)

    def deploy_plan(self) -> DeployPlan:
        return deploy_plan(self.outdir, self.files, self.release)


def render_files(release: Release) -> dict[str, list[dict[str, Any]]]:
    """The manifests of each chart, by output file name."""
    return {name: chart_manifests(chart) for name, chart in release.charts.items()}


def dump_yaml(docs: list[dict[str, Any]]) -> str:
    """Manifests as one YAML stream, the same bytes for the same input."""
    return dump_all(docs)


def write_outdir(outdir: Path, files: Mapping[str, list[dict[str, Any]]]) -> None:
    """Write ``files`` to a new directory and swap it in place of ``outdir`` (see
    :mod:`.outdir`; call its ``check_outdir`` first). The Secrets file is owner-only."""
    texts = {name: (dump_yaml(docs), 0o600 if name == SECRETS_FILE else 0o644) for name, docs in files.items()}
    replace_outdir(outdir, texts)


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

    With ``require_secrets``, a Secret value that was not supplied (external Secrets aside) raises
    :class:`MissingSecretsError` before anything is written.
    """
    release = build_release(values, environ=environ, env_file=env_file)
    missing = [m for m in release.missing_secrets if not m.external]
    if require_secrets and missing:
        raise MissingSecretsError(missing)
    files = render_files(release)
    write_outdir(outdir, files)
    result = SynthResult(outdir=outdir, files=files, release=release)
    if stderr is not None:
        print(result.summary(), file=stderr)
    return result
