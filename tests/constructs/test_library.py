"""The public API: one import, every prop documented with its default, the keyword arguments in
step with the props."""

from __future__ import annotations

import dataclasses
import typing

import pytest

from constructs import library
from constructs.common import CommonOptions, CommonProps
from constructs.job_props import MigrationJobOptions, MigrationJobProps, ScheduledJobOptions, ScheduledJobProps
from constructs.props import Props
from constructs.workload_props import (
    DeploymentOptions,
    DeploymentProps,
    ServiceOptions,
    ServiceProps,
    WorkloadOptions,
    WorkloadProps,
)
from values_app.schema import _docstrings


def test_the_public_api_is_importable_from_one_module() -> None:
    for name in library.__all__:
        assert getattr(library, name) is not None, name


@pytest.mark.parametrize(
    ("options", "props"),
    [
        (WorkloadOptions, WorkloadProps),
        (DeploymentOptions, DeploymentProps),
        (ServiceOptions, ServiceProps),
        (ScheduledJobOptions, ScheduledJobProps),
        (MigrationJobOptions, MigrationJobProps),
        (CommonOptions, CommonProps),
    ],
)
def test_keyword_arguments_match_the_props(options: type, props: type) -> None:
    # The TypedDicts type checkers read, kept equal to the props the constructs check.
    hints = typing.get_type_hints(options)
    given = ("image", "data", "schedule")
    fields = {f.name: typing.get_type_hints(props)[f.name] for f in dataclasses.fields(props) if f.name not in given}
    assert hints == fields


def all_props() -> list[type]:
    found: set[type] = set()
    pending: list[type] = [Props]
    while pending:
        subclass: type
        for subclass in pending.pop().__subclasses__():
            found.add(subclass)
            pending.append(subclass)
    return sorted((cls for cls in found if cls.__module__.startswith("constructs.")), key=lambda cls: cls.__name__)


@pytest.mark.parametrize("cls", all_props(), ids=lambda cls: cls.__name__)
def test_every_prop_with_a_default_documents_it(cls: type) -> None:
    docs = _docstrings(cls)
    for field in dataclasses.fields(cls):
        if field.default is dataclasses.MISSING and field.default_factory is dataclasses.MISSING:
            continue
        assert field.name in docs, f"{cls.__name__}.{field.name} has no docstring"
        assert "Default" in docs[field.name] or field.name in ("requests", "limits"), (
            f"{cls.__name__}.{field.name}: {docs[field.name]}"
        )


def test_the_values_app_and_the_examples_use_only_the_public_surface() -> None:
    """The values app is a client of the library: each name it imports from a construct module is
    in that module's ``__all__`` (a module it imports whole has an ``__all__`` of its own)."""
    import ast
    import importlib
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent.parent
    sources = [*sorted((root / "values_app").glob("*.py")), *sorted((root / "examples").glob("*.py")), root / "main.py"]
    outside: list[str] = []
    for source in sources:
        for node in ast.walk(ast.parse(source.read_text())):
            if not (isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "constructs"):
                continue
            module = importlib.import_module(node.module)
            for alias in node.names:
                imported = getattr(module, alias.name, None)
                public = getattr(module, "__all__", ())
                if alias.name in public or (hasattr(imported, "__all__") and type(imported).__name__ == "module"):
                    continue
                outside.append(f"{source.relative_to(root)}: {node.module}.{alias.name}")
    assert outside == []
