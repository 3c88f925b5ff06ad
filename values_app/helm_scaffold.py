"""The cdk8s CLI's helm scaffold (``npx cdk8s synth --format helm``) and Helm's chart versions:
what a synth asks before it renders anything, without loading the chart writer (:mod:`.helm`).
``main.py`` checks ``--chart-version`` with it before jsii may start: it imports nothing that
starts jsii."""

from __future__ import annotations

import functools
import re
from pathlib import Path
from typing import NamedTuple

__all__ = ["CHART_FILE", "Scaffold", "cli_scaffold", "is_semver"]

CHART_FILE = "Chart.yaml"
_SEMVER = (
    r"(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)"
    r"(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?"
    r"(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?"
)
"""Semantic Versioning 2.0.0 (semver.org's own expression), which Helm requires of a chart version."""


@functools.cache
def _semver() -> re.Pattern[str]:
    return re.compile(_SEMVER)  # on first use: a synth without --format helm never needs it


def is_semver(version: str) -> bool:
    """Whether ``version`` is a Semantic Versioning 2.0.0 version, as Helm requires of a chart's."""
    return _semver().fullmatch(version) is not None


_CLI_README = (
    "This Helm chart is generated using cdk8s. Any manual changes to the chart would be discarded once cdk8s app is "
    "synthesized again with `--format helm`."
)
"""The README.md the cdk8s CLI (2.x) writes into its scaffold."""


class Scaffold(NamedTuple):
    """What the cdk8s CLI's helm scaffold says: the chart's API version and version."""

    chart_root: Path
    api_version: str
    version: str


def cli_scaffold(outdir: Path) -> Scaffold | None:
    """The cdk8s CLI's helm scaffold around ``outdir`` (its ``templates/``), when that is exactly
    what the parent directory holds: the CLI's ``Chart.yaml`` and ``README.md`` (and ``templates/``
    empty, or not yet there). Anything else is not a scaffold (None), and is checked as any output is."""
    import yaml

    root = outdir.parent
    try:
        if (
            outdir.name != "templates"
            or outdir.is_symlink()
            or (outdir.exists() and (not outdir.is_dir() or any(outdir.iterdir())))
        ):
            return None
        if sorted(entry.name for entry in root.iterdir() if entry.name != "templates") != [CHART_FILE, "README.md"]:
            return None
        if (root / "README.md").read_text(encoding="utf-8").strip() != _CLI_README:
            return None
        chart = yaml.safe_load((root / CHART_FILE).read_text(encoding="utf-8")[:4096])
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return None
    if not isinstance(chart, dict) or set(chart) != {"apiVersion", "name", "version", "description", "type"}:
        return None
    if chart["description"] != f"Generated chart for {chart['name']}" or chart["type"] != "application":
        return None
    if chart["apiVersion"] not in ("v1", "v2") or not is_semver(str(chart["version"])):
        return None
    return Scaffold(root, str(chart["apiVersion"]), str(chart["version"]))
