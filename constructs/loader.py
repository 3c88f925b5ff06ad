"""Load a values file: parse the YAML, validate it, check it, expand its references.

Every problem is reported at once, one line each, as
``values/x.yaml:12: services.backend.port: 70000 is not a valid port (1-65535)``.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from constructs import values as values_module
from constructs.checks import Problem, check_values
from constructs.references import expand_values
from constructs.values import AppValues, FieldError
from constructs.yaml_io import Loader

__all__ = ["ValuesError", "load_values", "parse_values"]


class ValuesError(Exception):
    """A values file with problems; ``str()`` is one line per problem, ready to print."""

    def __init__(self, lines: Iterable[str]) -> None:
        self.lines = list(lines)
        super().__init__("\n".join(self.lines))


def load_values(path: str | Path) -> AppValues:
    """Read, validate, check and expand the values file at ``path``; raise :class:`ValuesError`."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ValuesError([f"{path}: no such values file"]) from None
    except IsADirectoryError:
        raise ValuesError([f"{path}: is a directory, not a values file"]) from None
    except (OSError, UnicodeDecodeError) as error:
        raise ValuesError([f"{path}: cannot read ({type(error).__name__}: {error})"]) from None
    return parse_values(text, source=str(path))


def parse_values(text: str, *, source: str = "<values>") -> AppValues:
    """Validate, check and expand values given as YAML text; raise :class:`ValuesError`."""
    try:
        loader = Loader(text)
        try:
            node = loader.get_single_node()
            data = loader.construct_document(node) if node is not None else None
        finally:
            loader.dispose()
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"{source}:{mark.line + 1}" if mark is not None else source
        problem = getattr(error, "problem", None) or str(error).splitlines()[0]
        raise ValuesError([f"{where}: not valid YAML: {problem}"]) from None
    if data is None:
        raise ValuesError([f"{source}: the values file is empty"])
    if not isinstance(data, dict):
        raise ValuesError([f"{source}:1: the values file must be a mapping (key: value), not a {_kind(data)}"])
    lines = _LineMap(node)
    duplicates = lines.duplicate_keys()
    if duplicates:
        raise ValuesError(
            f"{source}:{line}: {_dotted(path)}: appears twice (first on line {first}); YAML keeps only the last"
            for path, line, first in duplicates
        )
    try:
        values = AppValues.model_validate(data)
    except ValidationError as error:
        raise ValuesError(_format_validation(error, source, lines)) from None
    problems = check_values(values)
    if problems:
        raise ValuesError(_format(problem, source, lines) for problem in problems)
    return expand_values(values)


class _LineMap:
    """Line numbers of the YAML nodes, by field path."""

    def __init__(self, root: yaml.Node | None) -> None:
        self.root = root

    def locate(self, loc: Iterable[str | int]) -> tuple[int, tuple[str | int, ...]]:
        """The line of the deepest node on ``loc``, and ``loc`` without parts the YAML lacks
        (such as pydantic's union tags)."""
        node, line, path = self.root, 1, []
        for part in loc:
            child = self._child(node, part)
            if child is None:
                continue
            key_node, node = child
            line = key_node.start_mark.line + 1
            path.append(part)
        return line, tuple(path)

    def duplicate_keys(self) -> list[tuple[tuple[str | int, ...], int, int]]:
        """Each key that a mapping repeats: its path, its line and the line of its first use."""
        found: list[tuple[tuple[str | int, ...], int, int]] = []

        def walk(node: yaml.Node | None, path: tuple[str | int, ...]) -> None:
            if isinstance(node, yaml.MappingNode):
                first: dict[object, int] = {}
                for key, value in node.value:
                    line = key.start_mark.line + 1
                    if key.value in first:
                        found.append(((*path, key.value), line, first[key.value]))
                    first.setdefault(key.value, line)
                    walk(value, (*path, key.value))
            elif isinstance(node, yaml.SequenceNode):
                for index, item in enumerate(node.value):
                    walk(item, (*path, index))

        walk(self.root, ())
        return found

    @staticmethod
    def _child(node: yaml.Node | None, part: str | int) -> tuple[yaml.Node, yaml.Node] | None:
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                if key.value == part:
                    return key, value
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and 0 <= part < len(node.value):
            item = node.value[part]
            return item, item
        return None


def _dotted(path: Iterable[str | int]) -> str:
    """``services.backend.env.config[0]``; a key that is empty or has blanks or control
    characters is quoted (``auditSkips['\\n']``), so that a message stays on one line."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        elif not part or not part.isprintable() or any(char.isspace() for char in part):
            out += f"[{part!r}]"
        else:
            out += f".{part}" if out else part
    return out or "(top level)"


def _format(problem: Problem, source: str, lines: _LineMap) -> str:
    line, path = lines.locate(problem.path)
    return f"{source}:{line}: {_dotted(path)}: {problem.message}"


def _format_validation(error: ValidationError, source: str, lines: _LineMap) -> list[str]:
    out = []
    for item in error.errors(include_url=False):
        loc: list[str | int] = [
            part for part in item["loc"] if not (isinstance(part, str) and (part.startswith("function-") or part == "[key]"))
        ]
        cause = item.get("ctx", {}).get("error")
        if isinstance(cause, FieldError):
            loc += cause.field
        message = _message(item)
        if item["type"] == "extra_forbidden":
            message = f"unknown key {loc[-1]!r}" + _suggest(str(loc[-1]))
        line, path = lines.locate(loc)
        if loc and (not path or path[-1] != loc[-1]) and not isinstance(loc[-1], int):
            path = (*path, loc[-1])  # a field the YAML lacks: name it, point at its parent
        out.append(f"{source}:{line}: {_dotted(path)}: {message}")
    return out


def _message(item: Any) -> str:
    kind, value, msg = item["type"], item.get("input"), str(item["msg"])
    if kind == "value_error":
        return msg.removeprefix("Value error, ")
    if kind == "missing":
        return "required, but missing"
    if kind == "too_short":
        return "is empty; it needs at least one entry"
    if kind == "union_tag_invalid":
        return f"kind {value.get('kind')!r} is not one of web, api, mcp" if isinstance(value, dict) else msg
    if kind == "union_tag_not_found":
        return "missing 'kind' (one of web, api, mcp)"
    if kind == "string_too_short":
        return f"{value!r} is too short (at least {item['ctx']['min_length']} characters)"
    if kind == "string_too_long":
        return f"{str(value)[:40]!r}... is too long (at most {item['ctx']['max_length']} characters)"
    if kind == "string_pattern_mismatch":
        return f"{value!r} is not allowed here ({_pattern_hint(item)})"
    if kind in ("string_type", "int_type", "bool_type", "dict_type", "list_type", "model_type", "literal_error"):
        expected = msg.removeprefix("Input should be ").removeprefix("a valid ")
        if kind == "model_type":
            expected = "mapping"
        hint = " (quote it)" if kind == "string_type" and isinstance(value, (int, float, bool)) else ""
        return (
            f"{value!r} is a {_kind(value)}, expected {expected}{hint}"
            if kind != "literal_error"
            else f"{value!r}: expected {expected}"
        )
    return f"{value!r}: {msg}" if value is not None and not isinstance(value, (dict, list)) else msg


def _pattern_hint(item: Any) -> str:
    pattern = str(item.get("ctx", {}).get("pattern", ""))
    if "[a-z0-9]([-a-z0-9]*[a-z0-9])?" in pattern:
        return "a DNS-1123 label: lowercase letters, digits and '-', starting and ending alphanumeric, at most 63"
    if "[A-Za-z_][A-Za-z0-9_]*" in pattern:
        return "an environment variable name: letters, digits and '_', not starting with a digit"
    return f"must match {pattern}"


def _kind(value: object) -> str:
    return {dict: "mapping", list: "list", str: "string", bool: "boolean", int: "number", float: "number"}.get(
        type(value), "null" if value is None else type(value).__name__
    )


def _known_keys() -> set[str]:
    keys: set[str] = set()
    for obj in vars(values_module).values():
        if isinstance(obj, type) and issubclass(obj, BaseModel):
            keys.update(field.alias or name for name, field in obj.model_fields.items())
    return keys


def _suggest(key: str) -> str:
    close = difflib.get_close_matches(key, _known_keys(), n=1, cutoff=0.6)
    return f"; did you mean {close[0]!r}?" if close else ""
