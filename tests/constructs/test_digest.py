"""json_digest: the SHA-256 of canonical JSON (keys sorted)."""

from __future__ import annotations

import hashlib
import json
from typing import Any

import pytest

from webapp_constructs._digest import json_digest


@pytest.mark.parametrize(
    "value",
    [{}, {"b": [1, 2], "a": "x"}, [["configMap", "settings", "LOG_LEVEL", "info"]], "ünïcode ☃", {"k" * 5000: None}],
)
def test_it_is_hashlib_s_sha256_of_the_json_with_keys_sorted(value: Any) -> None:
    assert json_digest(value) == hashlib.sha256(json.dumps(value, sort_keys=True).encode()).hexdigest()


def test_key_order_does_not_change_it() -> None:
    assert json_digest({"a": 1, "b": 2}) == json_digest({"b": 2, "a": 1})
    assert json_digest({"a": 1}) != json_digest({"a": 2})


def test_a_known_digest() -> None:
    """The SHA-256 of ``{"a": 1}`` (the JSON ``json.dumps`` writes), worked out apart."""
    assert json_digest({"a": 1}) == "f9d86028c6e0d64e225186f96acb69338b2c59764df79162107f5c4bb34d1310"
