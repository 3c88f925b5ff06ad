"""Shared fixtures. jsii must run on the local Node.js 22: set it before cdk8s is imported."""

from __future__ import annotations

import atexit
import copy
import gc
import os
import shutil
import tempfile
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pytest
from hypothesis import HealthCheck, settings

import main
from values_app.runtime import use_local_node

# cdk8s.Testing.app() makes an output directory for each app in Node.js's os.tmpdir() and never
# removes it (thousands per run): jsii's Node.js gets a directory of this process's own, removed
# at its end.
_SCRATCH = tempfile.mkdtemp(prefix="webapp-constructs-tests-")
os.environ["TMPDIR"] = _SCRATCH
atexit.register(shutil.rmtree, _SCRATCH, True)
use_local_node(main.ROOT)

if TYPE_CHECKING:  # imported by the fixtures that need them: xdist's controller runs no test, nor jsii
    import cdk8s

    from values_app.model import AppValues

# Property tests run derandomized (the same examples every run, so CI never flakes);
# HYPOTHESIS_PROFILE=explore searches further.
settings.register_profile("ci", max_examples=30, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("explore", max_examples=1000, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

MINIMAL: dict[str, Any] = {
    "release": "demo",
    "appVersion": "1.2.3",
    "namespace": {"name": "demo-ns"},
    "configMaps": {"demo-config": {"API_URL": "${services.api.url}", "LOG_LEVEL": "INFO"}},
    "secrets": {"demo-secrets": {"keys": ["DATABASE_URL", "API_TOKEN"]}},
    "services": {
        "web": {
            "kind": "web",
            "image": {"repository": "demo-web", "tag": "1.0.0"},
            "service": {"nodePort": 30100},
            "env": {"config": ["API_URL"]},
        },
        "api": {
            "kind": "api",
            "image": {"repository": "demo-api", "tag": "1.0.0"},
            "env": {"config": ["LOG_LEVEL"], "secrets": ["DATABASE_URL", "API_TOKEN"]},
        },
        "mcp": {
            "kind": "mcp",
            "image": {"repository": "demo-api", "tag": "1.0.0"},
            "env": {"secrets": ["DATABASE_URL"]},
        },
    },
}
"""A small, valid values document with one service of each kind."""


@pytest.fixture
def values_data() -> dict[str, Any]:
    """A fresh copy of MINIMAL to modify in a test."""
    return copy.deepcopy(MINIMAL)


@pytest.fixture
def make_values() -> Callable[[dict[str, Any]], AppValues]:
    """Validate, check and expand a values document (as ``main.py`` does with a file)."""
    from tests.helpers import dump
    from values_app.loader import parse_values

    def make(data: dict[str, Any]) -> AppValues:
        return parse_values(dump(data), source="test.yaml")

    return make


@pytest.fixture
def chart() -> cdk8s.Chart:
    """An empty chart in namespace ``test``, for construct tests."""
    import cdk8s

    return cdk8s.Chart(cdk8s.Testing.app(), "test", namespace="test", disable_resource_name_hashes=True)


def pytest_collection_finish(session: pytest.Session) -> None:
    """Every test module is imported: what they and the libraries hold lives until the end, so the
    collector need not walk it again at each of its full collections."""
    gc.freeze()
