"""The one rule of reasons: wherever a check is skipped or a default relaxed (a relaxation's
reason, an ``audit_skips`` entry, a ``checkov.io/skipN`` annotation), the reason says something."""

from __future__ import annotations

import unicodedata

__all__ = ["REASON_LENGTH", "reason_problems", "visible_length"]

REASON_LENGTH = 10
"""The fewest visible characters a reason has, wherever a check is skipped or a default relaxed."""

_INVISIBLE_LETTERS = frozenset(
    "\u034f\u115f\u1160\u17b4\u17b5\u180b\u180c\u180d\u180e\u180f\u2800\u3164\uffa0"
    + "".join(chr(c) for c in range(0xFE00, 0xFE10))
    + "".join(chr(c) for c in range(0xE0100, 0xE01F0))
)
"""Characters that show nothing although Unicode does not class them as format or control
characters: fillers, the combining grapheme joiner, variation selectors, the blank Braille pattern."""


def _shows(char: str) -> bool:
    return not char.isspace() and unicodedata.category(char)[0] not in "CZ" and char not in _INVISIBLE_LETTERS


def visible_length(text: str) -> int:
    """How many characters of ``text`` show: not whitespace, not a format (Cf: zero-width spaces and
    joiners, direction marks), control (Cc), separator (Z*), private-use, surrogate or unassigned
    character (the rest of C*), nor one of the few blank letters and marks."""
    return sum(1 for char in text if _shows(char))


def _shows_at_least(text: str, count: int) -> bool:
    """Whether ``count`` characters of ``text`` show (:func:`visible_length`), read only as far as needed."""
    for char in text:
        if _shows(char):
            count -= 1
            if count <= 0:
                return True
    return count <= 0


def reason_problems(text: object) -> list[str]:
    """Why ``text`` is no reason: the one rule for every reason (a relaxation's, an ``audit_skips``
    entry, a ``checkov.io/skipN`` annotation's): a string of at least :data:`REASON_LENGTH`
    visible characters (:func:`visible_length`)."""
    if not isinstance(text, str):
        return [f"a reason is a string, not {type(text).__name__}"]
    if _shows_at_least(text, REASON_LENGTH):
        return []
    visible = visible_length(text)
    shown = text if len(text) <= 40 else text[:37] + "..."
    return [
        f"{shown!r} has {visible} visible characters; a reason has at least {REASON_LENGTH} (blanks, zero-width "
        "and control characters do not count): say why the check does not apply"
    ]
