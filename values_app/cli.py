"""What ``main.py`` runs once its arguments are parsed: load, synthesize, report.

Exit status: 0 on success, 1 when the values, the env file or the secrets are not usable (one
line per problem, no traceback; the output directory is left as it was), 2 when the output
directory holds something a synth did not write (refused before any work).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import TextIO

from .loader import ValuesError, load_values
from .outdir import UnsafeOutdirError, check_outdir, remove_leftovers
from .secrets import EnvFileError, read_env_file
from .synth import MissingSecretsError, synth

__all__ = ["PROJECT_ROOT", "check_output", "diagram", "list_presets", "run"]

PROJECT_ROOT = Path(__file__).resolve().parent.parent
"""Never an output directory, nor any of its ancestors."""


def run(
    *,
    values: Path,
    outdir: Path,
    env_file: Path | None = None,
    require_secrets: bool = False,
    quiet: bool = False,
    environ: Mapping[str, str] | None = None,
    stderr: TextIO | None = None,
) -> int:
    """Synthesize ``values`` into ``outdir``; print problems, and unless ``quiet`` the summary, to
    ``stderr``."""
    stderr = stderr if stderr is not None else sys.stderr
    if check_output(outdir, stderr=stderr):
        return 2
    try:
        app_values = load_values(values)
        env_values = read_env_file(env_file) if env_file is not None else None
        synth(
            app_values,
            outdir,
            environ=os.environ if environ is None else environ,
            env_file=env_values,
            require_secrets=require_secrets,
            stderr=None if quiet else stderr,
        )
    except ValuesError as error:
        _fail(error.lines, stderr)
        return 1
    except (EnvFileError, MissingSecretsError) as error:
        _fail(str(error).splitlines(), stderr)
        return 1
    except OSError as error:
        _fail([f"cannot write {outdir}: {error.strerror or error}"], stderr)
        return 1
    return 0


def check_output(outdir: Path, *, stderr: TextIO | None = None) -> int:
    """0 when a synth may replace ``outdir``; else 2, with the reason on ``stderr``.

    Leftovers of an interrupted synth of ``outdir`` are cleaned up first (only those it can prove
    are its own).
    """
    try:
        remove_leftovers(outdir)
        check_outdir(outdir, project_root=PROJECT_ROOT)
    except UnsafeOutdirError as error:
        _fail([str(error)], stderr if stderr is not None else sys.stderr)
        return 2
    return 0


def _fail(lines: list[str], stderr: TextIO) -> None:
    print("\n".join(f"error: {line}" for line in lines), file=stderr)


def diagram(*, values: Path, stdout: TextIO | None = None, stderr: TextIO | None = None) -> int:
    """Print the Mermaid picture of ``values`` to ``stdout``."""
    from .diagram import mermaid

    try:
        app_values = load_values(values)
    except ValuesError as error:
        _fail(error.lines, stderr if stderr is not None else sys.stderr)
        return 1
    print(mermaid(app_values), end="", file=stdout if stdout is not None else sys.stdout)
    return 0


def list_presets(directory: Path, *, stdout: TextIO | None = None) -> int:
    """Print each preset in ``directory`` with its one-line ``description``."""
    import yaml

    rows = []
    for path in sorted(directory.glob("*.yaml")):
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
        except (OSError, yaml.YAMLError):
            data = None
        description = data.get("description", "") if isinstance(data, dict) else "(not a valid values file)"
        rows.append((f"{directory.name}/{path.name}", str(description)))
    width = max((len(name) for name, _ in rows), default=0)
    for name, description in rows:
        print(f"{name:<{width}}  {description}".rstrip(), file=stdout if stdout is not None else sys.stdout)
    return 0
