"""Who imports whom among the modules of some packages, read from their source (every ``import``
statement: at module level, inside functions and under ``if TYPE_CHECKING``), and the circles in
that graph. Written apart from the code it reads; tests/test_layout.py holds the library and the
values app to it."""

from __future__ import annotations

import ast
from collections.abc import Iterable, Mapping
from pathlib import Path

Graph = dict[str, set[str]]


def modules(packages: Mapping[str, Path]) -> dict[str, Path]:
    """Each module of ``packages`` (package name -> its folder): dotted name -> source file."""
    found: dict[str, Path] = {}
    for package, folder in packages.items():
        for source in sorted(folder.glob("*.py")):
            found[package if source.stem == "__init__" else f"{package}.{source.stem}"] = source
    return found


def _targets(module: str, node: ast.Import | ast.ImportFrom, known: Iterable[str], is_package: bool) -> list[str]:
    known = set(known)
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names if alias.name in known]
    if node.level:
        base = module if is_package else module.rpartition(".")[0]
        for _ in range(node.level - 1):
            base = base.rpartition(".")[0]
        source = f"{base}.{node.module}" if node.module else base
    else:
        source = node.module or ""
    found = []
    for alias in node.names:
        if f"{source}.{alias.name}" in known:  # a module of the package: from . import _rules
            found.append(f"{source}.{alias.name}")
        elif source in known:
            found.append(source)
    return found


def graph(packages: Mapping[str, Path]) -> Graph:
    """module -> the modules of ``packages`` it imports, anywhere in its source."""
    found = modules(packages)
    edges: Graph = {name: set() for name in found}
    for name, source in found.items():
        is_package = source.stem == "__init__"
        for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import | ast.ImportFrom):
                edges[name].update(t for t in _targets(name, node, found, is_package) if t != name)
    return edges


def circles(edges: Graph) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(edges[node]):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return sorted(found)
