"""The SHA-256 digest of a JSON value: what a pod template's ``checksum/config`` annotation and a
Job's name (the digest of its pod template) are made of."""

from __future__ import annotations

import functools
import importlib
import json
from collections.abc import Callable
from typing import Any

__all__ = ["json_digest"]


@functools.cache
def _sha256() -> Callable[[bytes], Any]:
    """CPython's own SHA-256 where it is there (``_sha256`` in 3.11, ``_sha2`` from 3.12 on): the
    same digest as ``hashlib.sha256``, without loading OpenSSL, which costs ~5 ms of a synth."""
    for name in ("_sha256", "_sha2"):
        try:
            found: Callable[[bytes], Any] = importlib.import_module(name).sha256
        except (ImportError, AttributeError):
            continue
        return found
    import hashlib

    return hashlib.sha256


def json_digest(value: Any) -> str:
    """The hex SHA-256 of ``value`` as JSON with its keys sorted."""
    return str(_sha256()(json.dumps(value, sort_keys=True).encode()).hexdigest())
