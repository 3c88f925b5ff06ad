"""What ``main.py`` runs once its arguments are parsed: load, synthesize, report.

Exit status: 0 on success, 1 when the values or the env file are invalid (one line per problem,
no traceback).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import TextIO

from constructs.app_secrets import EnvFileError, read_env_file
from constructs.loader import ValuesError, load_values
from constructs.synth import synth

__all__ = ["run"]


def run(
    *,
    values: Path,
    outdir: Path,
    env_file: Path | None = None,
    environ: Mapping[str, str] | None = None,
    stderr: TextIO | None = None,
) -> int:
    """Synthesize ``values`` into ``outdir``; print problems or the summary to ``stderr``."""
    stderr = stderr if stderr is not None else sys.stderr
    try:
        app_values = load_values(values)
        env_values = read_env_file(env_file) if env_file is not None else None
    except (ValuesError, EnvFileError) as error:
        print(
            f"error: {error}" if isinstance(error, EnvFileError) else "\n".join(f"error: {line}" for line in error.lines),
            file=stderr,
        )
        return 1
    synth(app_values, outdir, environ=os.environ if environ is None else environ, env_file=env_values, stderr=stderr)
    return 0
