"""json_digest: hashlib's SHA-256 of canonical JSON, without loading OpenSSL."""

from __future__ import annotations

import hashlib
import json
from typing import Any

import pytest

from constructs.digest import json_digest


@pytest.mark.parametrize(
    "value",
    [{}, {"b": [1, 2], "a": "x"}, [["configMap", "settings", "LOG_LEVEL", "info"]], "ünïcode ☃", {"k" * 5000: None}],
)
def test_it_is_hashlib_s_sha256_of_the_json_with_keys_sorted(value: Any) -> None:
    assert json_digest(value) == hashlib.sha256(json.dumps(value, sort_keys=True).encode()).hexdigest()


def test_key_order_does_not_change_it() -> None:
    assert json_digest({"a": 1, "b": 2}) == json_digest({"b": 2, "a": 1})
    assert json_digest({"a": 1}) != json_digest({"a": 2})


def test_on_cpython_it_is_the_interpreter_s_own_implementation_not_openssl_s() -> None:
    from constructs.digest import _sha256

    assert _sha256() is not hashlib.sha256
    assert type(_sha256()(b"")).__module__ in ("_sha256", "_sha2")
