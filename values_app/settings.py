"""``--set path=value`` and ``--set-string``, applied over the values files (:mod:`.layers`), in
order, after every file.

Helm's syntax for the common cases: dotted paths, ``\\.`` for a dot in a key, ``[N]`` list
indexes, ``a=1,b=2`` with ``\\,`` for a comma in a value, ``{x,y}`` lists; the value typed as Helm
types it: ``true``, ``false``, ``null`` (which removes) and integers without a leading zero,
anything else a string; ``--set-string`` keeps it a string. An integer of a flag where a string
belongs is its text as given (:class:`FlagInt`).

``image.tag`` (:data:`IMAGE_TAG`), which no values file has, sets the image tag of every service
(``services.<key>.image.tag`` of each service with an image): the one tag CI builds every image
with. A service whose digest is pinned by a file is refused (the digest, not the tag, would say
which image runs) unless a flag sets or removes that digest too.
"""

from __future__ import annotations

import re
from typing import Any, NamedTuple

from webapp_constructs import Path as FieldPath
from webapp_constructs import dotted, kind_of

from .layers import MAX_DEPTH, Layers, ValuesError

__all__ = ["IMAGE_TAG", "FlagInt", "Setting", "apply_setting", "assignments", "image_tag_problems", "parse_setting"]


class Setting(NamedTuple):
    """One ``--set`` / ``--set-string`` flag as given."""

    text: str
    string: bool = False

    @property
    def flag(self) -> str:
        return "--set-string" if self.string else "--set"


_SCOPED = re.compile(r"[a-z0-9](?:[-a-z0-9]{0,61}[a-z0-9])?:.*", re.DOTALL)
"""A path that starts ``<environment>:`` (no key of a values file has a colon there)."""

_INDEX = re.compile(r"^(?P<key>.*?)((\[\d+\])+)$")


def _split(text: str, separator: str) -> list[str]:
    """Split at ``separator`` unless escaped with a backslash (which is dropped)."""
    parts, current, escaped = [], "", False
    for char in text:
        if escaped:
            current += char if char in (separator, "\\") else "\\" + char
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == separator:
            parts.append(current)
            current = ""
        else:
            current += char
    parts.append(current + ("\\" if escaped else ""))
    return parts


def _path(text: str) -> FieldPath:
    out: list[str | int] = []
    for part in _split(text, "."):
        match = _INDEX.match(part)
        if match:
            out.append(match["key"])
            out += [int(index) for index in re.findall(r"\[(\d+)\]", part[len(match["key"]) :])]
        else:
            out.append(part)
    return tuple(out)


def _value(text: str, string: bool) -> Any:
    """The value of ``path=text``: a ``{x,y}`` list (of scalars: lists do not nest) or a scalar."""
    if text.startswith("{") and text.endswith("}"):
        return [_scalar(item, string) for item in _split(text[1:-1], ",")] if text[1:-1] else []
    return _scalar(text, string)


class FlagInt(int):
    """An integer from a ``--set`` flag, which remembers its text: where a string belongs (an image
    tag of digits), it is that text, as Helm renders ``--set image.tag=1234567``. An integer in a
    values file stays an integer there, an error."""

    text: str

    def __new__(cls, text: str) -> FlagInt:
        value = super().__new__(cls, text)
        value.text = text
        return value


_INT = re.compile(r"[+-]?[0-9]+", re.ASCII)
"""What Go's ``strconv.ParseInt(s, 10, 64)`` reads (within int64)."""


def _equal_fold(text: str, word: str) -> bool:
    """Go's ``strings.EqualFold(text, word)`` for an ASCII lowercase ``word``: ASCII case aside, only
    U+017F (long s) folds to one of its letters, ``s``."""
    if len(text) != len(word):
        return False
    return all(c.lower() == w or (w == "s" and c == "\u017f") for c, w in zip(text, word, strict=True))


def _scalar(text: str, string: bool) -> Any:
    """A ``--set`` value typed as Helm types it (``typedVal`` of helm.sh/helm/v3/pkg/strvals): ``true``
    and ``false``, ``null``, and a base-10 int64 that does not start with ``0`` (``0`` itself aside),
    each in any letter case; anything else is a string (``0123456``, ``1.5``, ``1e10``, ``yes``, ``~``)."""
    if string:
        return text
    if _equal_fold(text, "true"):
        return True
    if _equal_fold(text, "false"):
        return False
    if _equal_fold(text, "null"):
        return None
    if text == "0" or (text[:1] != "0" and _INT.fullmatch(text) and -(2**63) <= int(text) < 2**63):
        return FlagInt(text)
    return text


def parse_setting(setting: Setting) -> list[tuple[str, FieldPath, Any]]:
    """The assignments of a ``--set``/``--set-string`` flag: (the assignment as written, path, value).

    Raises :class:`ValuesError` for a malformed flag.
    """
    found = []
    assignments = []
    for part in _split_assignments(setting.text):
        if "=" not in part:
            raise ValuesError([f"{setting.flag} {setting.text}: {part!r} is not path=value (e.g. services.backend.replicas=3)"])
        assignments.append(part)
    for assignment in assignments:
        key, _, text = assignment.partition("=")
        path = _path(key)
        if not key or any(part == "" for part in path):
            raise ValuesError([f"{setting.flag} {assignment}: {key!r} is not a dotted path (e.g. services.backend.replicas)"])
        if _SCOPED.fullmatch(str(path[0])):
            raise ValuesError(
                [
                    f"{setting.flag} {assignment}: {str(path[0]).partition(':')[0]}: names an environment; only envs and diff "
                    "--environments take <environment>:<path>=<value>"
                ]
            )
        value = _value(text, setting.string)
        levels = len(path) + isinstance(value, list)  # the mappings the path makes, the top one included
        if levels > MAX_DEPTH:
            what = "the path and its {x,y} list are" if isinstance(value, list) else "the path is"
            raise ValuesError([f"{setting.flag} {assignment}: {what} {levels} levels deep; at most {MAX_DEPTH} may be"])
        found.append((f"{setting.flag} {assignment}", path, value))
    return found


def _split_assignments(text: str) -> list[str]:
    """Split ``a=1,b={x,y},c=3`` at the commas between assignments (not inside ``{}`` nor escaped)."""
    parts, current, depth, escaped = [], "", 0, False
    for char in text:
        if escaped:
            current += "\\" + char
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == "{":
            depth += 1
            current += char
        elif char == "}":
            depth -= 1
            current += char
        elif char == "," and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += char
    parts.append(current + ("\\" if escaped else ""))
    return [part for part in parts if part]


def assignments(setting: Setting) -> list[Setting]:
    """Each assignment of ``setting`` (``a=1,b=2``) as a flag of its own."""
    return [Setting(part, setting.string) for part in _split_assignments(setting.text)]


IMAGE_TAG: FieldPath = ("image", "tag")
"""The path of the flag that sets the image tag of every service."""


_ABSENT = object()


def apply_setting(layers: Layers, where: str, path: FieldPath, value: Any) -> None:
    """Set ``path`` to ``value`` in the merged values (``None`` removes it), as flag ``where`` says;
    ``image.tag`` (:data:`IMAGE_TAG`) sets that of every service with an image."""
    if path[:1] == IMAGE_TAG[:1]:
        _apply_image_tag(layers, where, path, value)
        return
    node: Any = layers.data
    for depth, part in enumerate(path[:-1]):
        here = path[: depth + 1]
        if isinstance(part, int):
            if not isinstance(node, list) or part >= len(node):
                size = len(node) if isinstance(node, list) else 0
                raise ValuesError([f"{where}: {dotted(here)}: index {part} is out of range (the list has {size} entries)"])
            child = node[part]
        elif isinstance(node, dict):
            child = node.get(part)
        else:
            raise ValuesError([f"{where}: {dotted(here[:-1])}: is a {kind_of(node)}, not a mapping"])
        if child is None and value is None and not isinstance(part, int):
            layers.nulls.append((where, path[: depth + 1]))  # nothing there to remove (and nothing made on the way)
            layers.settings.append((where, path, value))
            return
        if child is None:
            if isinstance(part, int):
                raise ValuesError([f"{where}: {dotted(here)}: nothing to set inside a null"])
            child = [] if isinstance(path[depth + 1], int) else {}
            node[part] = child
            layers.created.append((where, here))  # a problem inside it is the flag's
        elif not isinstance(child, dict | list):
            raise ValuesError([f"{where}: {dotted(here)}: is a {kind_of(child)}, nothing can be set inside it"])
        node = child
    last = path[-1]
    if isinstance(last, int):
        if not isinstance(node, list) or last > len(node):
            size = len(node) if isinstance(node, list) else 0
            raise ValuesError([f"{where}: {dotted(path)}: index {last} is out of range (the list has {size} entries)"])
        if value is None:
            raise ValuesError([f"{where}: {dotted(path)}: null cannot remove a list entry; set the whole list"])
        if last == len(node):
            node.append(value)
        else:
            node[last] = value
    elif not isinstance(node, dict):
        raise ValuesError([f"{where}: {dotted(path[:-1])}: is a {kind_of(node)}, not a mapping"])
    elif value is None:
        if node.pop(last, _ABSENT) is _ABSENT:
            layers.nulls.append((where, path))
    else:
        node[last] = value
    layers.settings.append((where, path, value))


def _apply_image_tag(layers: Layers, where: str, path: FieldPath, value: Any) -> None:
    if path != IMAGE_TAG:
        raise ValuesError(
            [f"{where}: {dotted(path)}: only image.tag applies to every service; set services.<key>.{dotted(path)}"]
        )
    if value is None:
        raise ValuesError([f"{where}: image.tag: null would leave every image without a tag; give a tag"])
    services = layers.data.get("services")
    keys = (
        [key for key, entry in services.items() if isinstance(entry, dict) and isinstance(entry.get("image"), dict)]
        if isinstance(services, dict)
        else []
    )
    if not keys:
        raise ValuesError([f"{where}: image.tag: no service has an image to tag"])
    for key in keys:
        apply_setting(layers, where, ("services", key, *IMAGE_TAG), value)
    layers.image_tags.append(where)


def image_tag_problems(layers: Layers) -> list[str]:
    """One line for each service whose image tag the ``image.tag`` flag set while a values file
    pins its digest (which no flag set or removed): the digest, not the new tag, would say which
    image runs."""
    if not layers.image_tags:
        return []
    by_flag = {path for _, path, _ in layers.settings}
    services = layers.data.get("services")
    found = []
    for key, entry in services.items() if isinstance(services, dict) else ():
        image = entry.get("image") if isinstance(entry, dict) else None
        digest_path = ("services", key, "image", "digest")
        if isinstance(image, dict) and image.get("digest") is not None and digest_path not in by_flag:
            found.append(
                f"{layers.image_tags[-1]}: services.{key}.image: its digest {image['digest']} (pinned by "
                f"{layers.locate(digest_path)[0]}) would still say which image runs; give --set-string "
                f"services.{key}.image.digest=<the new image's digest> (or =null) too"
            )
    return found
