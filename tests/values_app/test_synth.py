"""Writing the output directory: whole, atomic, Secrets owner-only."""

from __future__ import annotations

import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from values_app.model import AppValues
from values_app.outdir import replace_outdir
from values_app.release import SECRETS_FILE
from values_app.synth import synth


def test_replaces_the_directory_without_stale_files(
    tmp_path: Path, values_data: dict[str, Any], make_values: Callable[[dict[str, Any]], AppValues]
) -> None:
    outdir = tmp_path / "dist"
    replace_outdir(outdir, {"99-old-service.k8s.yaml": ("stale", 0o644)})
    result = synth(make_values(values_data), outdir, environ={})
    assert sorted(p.name for p in outdir.iterdir()) == sorted([*result.files, ".cdk8s-synth"])
    assert [p.name for p in tmp_path.iterdir()] == ["dist"]


def test_secrets_file_is_owner_only(
    tmp_path: Path, values_data: dict[str, Any], make_values: Callable[[dict[str, Any]], AppValues]
) -> None:
    synth(make_values(values_data), tmp_path / "dist", environ={"DATABASE_URL": "a", "API_TOKEN": "b"})
    mode = stat.S_IMODE((tmp_path / "dist" / SECRETS_FILE).stat().st_mode)
    assert mode == 0o600


def test_a_failed_write_leaves_the_old_output(tmp_path: Path) -> None:
    outdir = tmp_path / "dist"
    outdir.mkdir()
    (outdir / "app.k8s.yaml").write_text("previous")
    unwritable = {
        "app.k8s.yaml": ("new", 0o644),
        "sub": ("a file", 0o644),
        "sub/app.k8s.yaml": ("under a file: cannot be", 0o644),
    }
    with pytest.raises(OSError):  # noqa: PT011 - any failure must leave dist/ alone
        replace_outdir(outdir, unwritable)
    assert (outdir / "app.k8s.yaml").read_text() == "previous"
    assert [p.name for p in tmp_path.iterdir()] == ["dist"]


def test_summary_counts_objects_and_lists_files(
    tmp_path: Path, values_data: dict[str, Any], make_values: Callable[[dict[str, Any]], AppValues]
) -> None:
    summary = synth(make_values(values_data), tmp_path / "dist", environ={}).summary()
    assert summary.splitlines()[0] == (
        f"Synthesized 15 objects into {tmp_path / 'dist'}/: "
        "1 ConfigMap, 3 Deployment, 1 Namespace, 4 NetworkPolicy, 3 Service, 3 ServiceAccount"
    )
    assert "Secret demo-secrets not rendered: no value for DATABASE_URL, API_TOKEN" in summary
