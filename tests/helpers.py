"""Helpers for picking manifests out of synthesized output, and for reading and writing YAML in
tests (PyYAML's safe loader and dumper, the C ones: the same documents, ten times faster)."""

from __future__ import annotations

from typing import Any

import yaml

SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
SafeDumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


def load_all(text: str) -> list[Any]:
    """The documents of ``text`` (empty ones left out), as ``yaml.safe_load_all`` reads them."""
    return [doc for doc in yaml.load_all(text, Loader=SafeLoader) if doc]


def dump(data: Any, **options: Any) -> str:
    """``yaml.safe_dump(data, **options)``."""
    text: str = yaml.dump(data, Dumper=SafeDumper, **options)
    return text


def by_kind(manifests: list[dict[str, Any]], kind: str) -> list[dict[str, Any]]:
    return [m for m in manifests if m["kind"] == kind]


def one(manifests: list[dict[str, Any]], kind: str, name: str | None = None) -> dict[str, Any]:
    """The single manifest of ``kind`` (and ``name``); fails the test otherwise."""
    found = [m for m in by_kind(manifests, kind) if name is None or m["metadata"]["name"] == name]
    assert len(found) == 1, f"expected one {kind} {name or ''}, found {len(found)}"
    return found[0]


def container(deployment: dict[str, Any]) -> dict[str, Any]:
    containers = deployment["spec"]["template"]["spec"]["containers"]
    assert len(containers) == 1
    result: dict[str, Any] = containers[0]
    return result
