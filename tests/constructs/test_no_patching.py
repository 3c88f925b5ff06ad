"""The library patches nothing (issue 30): no name of jsii's, cdk8s's or CPython's private internals
that a patch of them would need appears in its source. The values app's program may opt in to such
choices (values_app/runtime.py, values_app/jsii_type_checks.py), gated on the versions they were
written for; the library never does."""

from __future__ import annotations

from pathlib import Path

LIBRARY = Path(__file__).resolve().parents[2] / "constructs" / "webapp_constructs"
FORBIDDEN = ("_kernel", "_type_checking", "__jsii_ref__", "JSIIMeta", "_sha256", "_sha2", "_get_overides", "_resolved_check")


def private_names(folder: Path) -> list[str]:
    """``file:line: name`` for each forbidden name in the Python sources of ``folder``."""
    found: list[str] = []
    for source in sorted(folder.rglob("*.py")):
        for number, line in enumerate(source.read_text().splitlines(), 1):
            found.extend(f"{source.name}:{number}: {name}" for name in FORBIDDEN if name in line)
    return found


def test_the_library_names_no_private_internal_of_jsii_or_cpython() -> None:
    assert private_names(LIBRARY) == []


def test_the_check_finds_a_patch(tmp_path: Path) -> None:
    (tmp_path / "patched.py").write_text("from jsii import _kernel\n\n_kernel._get_overides = lambda *a: []\n")
    assert private_names(tmp_path) == ["patched.py:1: _kernel", "patched.py:3: _kernel", "patched.py:3: _get_overides"]
