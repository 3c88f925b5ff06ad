"""The JSON Schema of a values file, for editors (yaml-language-server) and other tools.

.venv/bin/python -m values_app.schema values.schema.json     # what `make schema` runs

Generated from the model (:mod:`.model` and the constructs' props it uses): each field with its
type, its rules (ranges, patterns, lengths) and its documentation, the attribute docstring under
it. Any key may be ``null``: in a layered values file, null removes the key set by the files below
(:mod:`.layers`). The top-level keys a release needs are required unless the file ``extends``
another.
"""

from __future__ import annotations

import ast
import dataclasses
import functools
import inspect
import json
import sys
import types
import typing
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Literal, Union

from .fields import alias_of, fields_of, hints, in_values
from .model import AppValues

__all__ = ["SCHEMA_FILE", "schema_text", "values_schema"]

SCHEMA_FILE = "values.schema.json"


@functools.cache
def _classes_of(module: str) -> dict[str, ast.ClassDef]:
    """The class definitions of a module's source, by qualified name (each module parsed once)."""
    try:
        tree = ast.parse(inspect.getsource(sys.modules[module]))
    except (KeyError, OSError, TypeError):
        return {}
    found: dict[str, ast.ClassDef] = {}
    pending: list[tuple[str, ast.AST]] = [("", tree)]
    while pending:
        prefix, node = pending.pop()
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.ClassDef):
                name = f"{prefix}{child.name}"
                found[name] = child
                pending.append((f"{name}.", child))
    return found


@functools.cache
def _docstrings(cls: type) -> dict[str, str]:
    """Attribute docstrings (the string under a field) of ``cls`` and its bases."""
    docs: dict[str, str] = {}
    for klass in reversed(cls.__mro__):
        if not dataclasses.is_dataclass(klass) or klass.__module__ == "builtins":
            continue
        definition = _classes_of(klass.__module__).get(klass.__qualname__)
        body = definition.body if definition is not None else []
        for node, following in zip(body, [*body[1:], None], strict=True):
            if (
                isinstance(node, ast.AnnAssign)
                and isinstance(node.target, ast.Name)
                and isinstance(following, ast.Expr)
                and isinstance(following.value, ast.Constant)
                and isinstance(following.value.value, str)
            ):
                docs[node.target.id] = inspect.cleandoc(following.value.value)
    return docs


def _class_doc(cls: type) -> str:
    return inspect.cleandoc(cls.__doc__ or "").split("\n\n")[0].replace("\n", " ")


def _rules_schema(checks: Sequence[Any]) -> dict[str, Any]:
    schema: dict[str, Any] = {}
    for check in checks:
        schema.update(getattr(check, "schema", {}))
    return schema


class _Builder:
    def __init__(self) -> None:
        self.defs: dict[str, Any] = {}

    def of_type(self, tp: Any, meta: Mapping[str, Any] | None = None) -> dict[str, Any]:
        meta = meta or {}
        origin = typing.get_origin(tp)
        if origin in (Union, types.UnionType):
            arms = [arm for arm in typing.get_args(tp) if arm is not type(None)]
            if len(arms) == 1:
                return self.of_type(arms[0], meta)
            return {"anyOf": [self.of_type(arm, meta) for arm in arms]}
        if origin is Literal:
            return {"enum": list(typing.get_args(tp))}
        if tp is str:
            return {"type": "string", **_rules_schema(meta.get("check", ()))}
        if tp is bool:
            return {"type": "boolean"}
        if tp is int:
            return {"type": "integer", **_rules_schema(meta.get("check", ()))}
        if tp is float:
            return {"type": "number"}
        if origin in (list, tuple, Sequence):
            (item,) = typing.get_args(tp)[:1] or (Any,)
            items = self.of_type(item, {"check": meta.get("each", ())})
            schema = {"type": "array", "items": items}
            for key, value in _rules_schema(meta.get("check", ())).items():
                schema["minItems" if key == "minLength" else key] = value
            return schema
        if origin in (dict, Mapping):
            _, value_type = typing.get_args(tp)
            entry = self.of_type(value_type, {"check": meta.get("each", ())})
            schema = {"type": "object", "additionalProperties": {"anyOf": [entry, {"type": "null"}]}}  # null: remove
            names = _rules_schema(meta.get("keys", ()))
            if names:
                schema["propertyNames"] = names
            rules = _rules_schema(meta.get("check", ()))
            if "minLength" in rules:
                schema["minProperties"] = rules["minLength"]
            return schema
        if isinstance(tp, type) and dataclasses.is_dataclass(tp):
            self.model(tp)
            return {"$ref": f"#/$defs/{tp.__name__}"}
        return {}

    def model(self, cls: type, *, required: bool = False) -> dict[str, Any]:
        if cls.__name__ in self.defs and not required:
            return dict(self.defs[cls.__name__])
        self.defs.setdefault(cls.__name__, {})
        docs = _docstrings(cls)
        types_ = hints(cls)
        properties: dict[str, Any] = {}
        needed = []
        for field in fields_of(cls):
            if not in_values(cls, field):
                continue
            alias = alias_of(field)
            prop: dict[str, Any] = {"anyOf": [self.of_type(types_[field.name], field.metadata), {"type": "null"}]}
            if field.name in docs:
                prop["description"] = docs[field.name]
            if isinstance(field.default, str | int | bool | float):
                prop["default"] = field.default
            properties[alias] = prop
            if field.default is dataclasses.MISSING and field.default_factory is dataclasses.MISSING:
                needed.append(alias)
        out: dict[str, Any] = {
            "title": cls.__name__,
            "description": _class_doc(cls),
            "type": "object",
            "additionalProperties": False,
            "properties": properties,
        }
        self.defs[cls.__name__] = out
        if required:
            return {**out, "_needed": needed}
        return out


def values_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of a values file (:class:`~.model.AppValues`), camelCase keys."""
    builder = _Builder()
    root = builder.model(AppValues, required=True)
    needed = root.pop("_needed")
    builder.defs.pop(AppValues.__name__, None)
    root["properties"]["extends"] = {
        "type": "string",
        "description": "A values file (relative to this one) that this file is merged over: maps merge key by key, "
        "lists and scalars replace, null removes a key.",
    }
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        **root,
        "title": "todo-chatbot-cdk8s values",
        "if": {"not": {"required": ["extends"]}},
        "then": {"required": needed},
        "$defs": dict(sorted(builder.defs.items())),
    }


def schema_text() -> str:
    return json.dumps(values_schema(), indent=2, sort_keys=True) + "\n"


if __name__ == "__main__":
    target = Path(sys.argv[1] if len(sys.argv) > 1 else SCHEMA_FILE)
    target.write_text(schema_text(), encoding="utf-8")
