"""Regular expressions compiled on first use: the library's patterns, compiled at import, would
cost ~3 ms of every program's start (most are never needed: a chart uses a few rules)."""

from __future__ import annotations

import re
from typing import Any, cast

__all__ = ["lazy"]


class _LazyPattern:
    """Compiles its pattern when first used; each method asked for is then kept on the object
    itself, so that the next use finds it without a call to ``__getattr__``."""

    def __init__(self, source: str, flags: int) -> None:
        self._source = source
        self._flags = flags
        self._compiled: re.Pattern[str] | None = None

    def __getattr__(self, name: str) -> Any:
        compiled = self._compiled
        if compiled is None:
            compiled = self._compiled = re.compile(self._source, self._flags)
        found = getattr(compiled, name)
        if callable(found):  # fullmatch, search, sub...: bound to the compiled pattern, kept
            setattr(self, name, found)
        return found

    def __repr__(self) -> str:
        return f"lazy({self._source!r})"


def lazy(source: str, flags: int = 0) -> re.Pattern[str]:
    """``re.compile(source, flags)``, done the first time the pattern is used."""
    return cast("re.Pattern[str]", _LazyPattern(source, flags))
