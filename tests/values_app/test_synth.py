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


@pytest.mark.parametrize("held", ["data: oops", "data: [a, b]", "stringData: {KEY: [1]}", "data: {KEY: 5}"])
def test_a_previous_secret_not_holding_a_mapping_is_no_traceback_and_nothing_is_written_before(
    tmp_path: Path, values_data: dict[str, Any], make_values: Callable[[dict[str, Any]], AppValues], held: str
) -> None:
    """A hand-edited previous output whose Secret's data is not a mapping of strings: the synth says it
    could not compare, the diff says which file, and neither ends in a traceback."""
    import io

    from values_app import cli
    from values_app.diff import DiffError, read_output

    environ = {"DATABASE_URL": "postgres://planted-value", "API_TOKEN": "planted-token-value"}
    values = make_values(values_data)
    outdir = tmp_path / "dist"
    synth(values, outdir, environ=environ)
    text = (outdir / SECRETS_FILE).read_text()
    head = text[: text.index("\ndata:")]
    (outdir / SECRETS_FILE).write_text(f"{head}\n{held}\ntype: Opaque\n")
    with pytest.raises(DiffError, match=r"10-secrets\.secret\.yaml: document 1 is not a valid Secret: "):
        read_output(outdir)
    result = synth(values, outdir, environ=environ)
    assert result.previous_problem is not None
    assert "could not be compared" in result.summary()
    values_file = tmp_path / "values.yaml"
    from tests.helpers import dump

    values_file.write_text(dump(values_data))
    stderr = io.StringIO()
    (outdir / SECRETS_FILE).write_text(f"{head}\n{held}\ntype: Opaque\n")
    assert cli.diff(values=values_file, against=outdir, environ=environ, stdout=io.StringIO(), stderr=stderr) == 2
    assert "Traceback" not in stderr.getvalue()
    assert "is not a valid Secret" in stderr.getvalue()


def test_a_summary_that_fails_leaves_the_previous_output(
    tmp_path: Path,
    values_data: dict[str, Any],
    make_values: Callable[[dict[str, Any]], AppValues],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Whatever is said of the previous output is worked out before it is replaced."""
    from values_app import synth as synth_module

    values = make_values(values_data)
    outdir = tmp_path / "dist"
    synth(values, outdir, environ={})
    before = {p.name: p.read_bytes() for p in outdir.iterdir()}

    def broken(*args: Any) -> list[Any]:
        raise RuntimeError("boom")

    monkeypatch.setattr(synth_module, "secret_changes", broken)
    values_data["services"]["api"]["replicas"] = 3
    with pytest.raises(RuntimeError):
        synth(make_values(values_data), outdir, environ={})
    assert {p.name: p.read_bytes() for p in outdir.iterdir()} == before


def test_a_secret_outside_the_secrets_file_is_refused_whatever_its_spelling() -> None:
    """The last guard of every path (synth, envs, --format helm, diff render through it): only the
    Secrets file (owner-only, git-ignored, never in a chart or a deploy repository) holds a Secret."""
    from values_app.release import APP_FILE
    from values_app.synth import check_objects

    def secret(kind: str) -> dict[str, Any]:
        return {"apiVersion": "v1", "kind": kind, "metadata": {"name": "s"}, "data": {"K": "cGxhbnRlZA=="}}

    listed = {"apiVersion": "v1", "kind": "List", "metadata": {"name": "l"}, "items": [secret("Secret")]}
    problems = check_objects({APP_FILE: [secret("secret"), listed], SECRETS_FILE: [secret("Secret")]})
    assert problems == [
        f"{APP_FILE}: secret s: holds a Secret's values, which only {SECRETS_FILE} may hold; declare the Secret under secrets:",
        f"{APP_FILE}: List l: holds a Secret's values, which only {SECRETS_FILE} may hold; declare the Secret under secrets:",
    ]
    assert all("cGxhbnRlZA==" not in line for line in problems)
