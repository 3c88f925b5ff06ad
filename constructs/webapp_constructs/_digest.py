"""The SHA-256 digest of a JSON value: what a pod template's ``checksum/config`` annotation and a
Job's name (the digest of its pod template) are made of."""

from __future__ import annotations

import hashlib
import json
from typing import Any

__all__ = ["json_digest"]


def json_digest(value: Any) -> str:
    """The hex SHA-256 of ``value`` as JSON with its keys sorted."""
    return hashlib.sha256(json.dumps(value, sort_keys=True).encode()).hexdigest()
