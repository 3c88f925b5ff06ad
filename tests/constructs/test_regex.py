"""regex.lazy: a pattern compiled on first use, then used as re.compile's would be."""

from __future__ import annotations

import re

import pytest

from constructs.regex import lazy


def test_a_lazy_pattern_compiles_when_first_used_and_matches_as_re_compile_does() -> None:
    pattern = lazy(r"[a-z]+(-[a-z]+)*")
    assert vars(pattern)["_compiled"] is None  # nothing compiled at import
    compiled = re.compile(r"[a-z]+(-[a-z]+)*")
    for text in ("todo-api", "Todo", "", "a-", "x" * 100):
        assert bool(pattern.fullmatch(text)) == bool(compiled.fullmatch(text)), text
    assert pattern.sub("_", "a-b C") == compiled.sub("_", "a-b C")
    assert pattern.pattern == compiled.pattern
    assert "fullmatch" in vars(pattern)  # kept: the next use asks no __getattr__
    assert repr(pattern) == "lazy('[a-z]+(-[a-z]+)*')"


def test_flags_hold_and_a_bad_pattern_fails_when_first_used() -> None:
    assert lazy("abc", re.IGNORECASE).fullmatch("ABC")
    broken = lazy("(")
    with pytest.raises(re.error):
        broken.fullmatch("x")
    with pytest.raises(AttributeError):
        getattr(lazy("a"), "no_such_" + "method")
