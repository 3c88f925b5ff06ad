"""A checker, written apart from the library: the types that the public API's signatures name.

Read from the source (no import): each class of ``__all__``, its public methods' annotations, its
public class attributes' annotations and its bases, then the same of each class of the package it
reaches. A name that a private module defines at its top level (a class or a type alias) and that
``__all__`` lacks is a type a user meets in ``help()`` or an editor but cannot import.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable
from pathlib import Path

__all__ = ["unexported_types"]


def _annotation_names(expr: ast.expr | None) -> set[str]:
    if expr is None:
        return set()
    if isinstance(expr, ast.Constant) and isinstance(expr.value, str):  # a quoted annotation
        try:
            expr = ast.parse(expr.value, mode="eval").body
        except SyntaxError:
            return set()
    return {node.id for node in ast.walk(expr) if isinstance(node, ast.Name)}


def _top_level(tree: ast.Module) -> dict[str, ast.ClassDef | None]:
    """Each class (with its node) and each capitalized alias a module defines at its top level."""
    found: dict[str, ast.ClassDef | None] = {}
    for node in tree.body:
        if isinstance(node, ast.ClassDef):
            found[node.name] = node
        elif isinstance(node, ast.Assign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                if isinstance(target, ast.Name) and target.id[:1].isupper() and not target.id.isupper():
                    found.setdefault(target.id, None)
    return found


def _used_by(node: ast.ClassDef) -> dict[str, str]:
    """The names a class's public face uses, each with where."""
    used: dict[str, str] = {}
    for base in node.bases:
        for name in _annotation_names(base):
            used.setdefault(name, f"{node.name} (a base)")
    for item in node.body:
        if isinstance(item, ast.FunctionDef) and (not item.name.startswith("_") or item.name == "__init__"):
            arguments = item.args
            for argument in [*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs, arguments.vararg, arguments.kwarg]:
                if argument is not None:
                    for name in _annotation_names(argument.annotation):
                        used.setdefault(name, f"{node.name}.{item.name}({argument.arg})")
            for name in _annotation_names(item.returns):
                used.setdefault(name, f"{node.name}.{item.name}() returns")
        elif isinstance(item, ast.AnnAssign) and isinstance(item.target, ast.Name) and not item.target.id.startswith("_"):
            for name in _annotation_names(item.annotation):
                used.setdefault(name, f"{node.name}.{item.target.id}")
    return used


def unexported_types(package: Path, public: Iterable[str]) -> dict[str, str]:
    """The types the public classes of ``package`` (a directory of private ``_name.py`` modules)
    name in their signatures, bases and attributes, that ``public`` lacks: name -> where first met."""
    exported = set(public)
    defined: dict[str, ast.ClassDef | None] = {}
    for source in sorted(package.glob("_*.py")):
        if source.stem != "__init__":
            defined.update(_top_level(ast.parse(source.read_text(encoding="utf-8"))))
    found: dict[str, str] = {}
    pending = [name for name in sorted(exported) if defined.get(name) is not None]
    seen: set[str] = set()
    while pending:
        name = pending.pop()
        node = defined.get(name)
        if name in seen or node is None:
            continue
        seen.add(name)
        for used, where in _used_by(node).items():
            if used in defined and not used.startswith("_"):  # a name private by its spelling stays so
                if used not in exported:
                    found.setdefault(used, where)
                pending.append(used)
    return found
