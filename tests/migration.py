"""A migration in a release, as a values file declares one (``kind: migration``, before the
backend) and the library's :class:`~webapp_constructs._migration_job.MigrationJob` renders it: injected
where a test needs one, into the values every release of the test is built from."""

from __future__ import annotations

import copy
from typing import Any

import cdk8s
import pytest

from values_app import loader
from values_app.layers import Layers
from values_app.release import Release
from webapp_constructs._charts import new_chart
from webapp_constructs._manifest import chart_manifests
from webapp_constructs._migration_job import MigrationJob


def migration_service(backend: dict[str, Any]) -> dict[str, Any]:
    """The values of a migration that runs the backend's image before the backend rolls."""
    return {
        "kind": "migration",
        "image": copy.deepcopy(backend["image"]),
        "command": ["alembic", "upgrade", "head"],
        "before": ["backend"],
        "env": {"secrets": ["DATABASE_URL"]},
    }


def migration_job(release: Release, *, deadline: int | None = None) -> dict[str, Any]:
    """The Job the library renders for a migration before ``release``'s backend."""
    values = release.values
    chart = new_chart(cdk8s.Testing.app(), values.release, namespace=values.namespace.name)
    options: dict[str, Any] = {"active_deadline_seconds": deadline} if deadline is not None else {}
    MigrationJob(
        chart,
        "migrate",
        name=f"{values.release}-migrate",
        image="ghcr.io/example/todo-backend:phase4",
        command=["alembic", "upgrade", "head"],
        before=[release.services["backend"]],
        **options,
    )
    (job,) = [m for m in chart_manifests(chart) if m["kind"] == "Job"]
    return job


def inject_migration(monkeypatch: pytest.MonkeyPatch, *, namespaces: frozenset[str] | None = None) -> None:
    """From now on (until ``monkeypatch`` undoes it), the values of every release loaded (of those
    in ``namespaces``, if given) hold a service ``migrate`` of kind migration before ``backend``."""
    load = loader.values_from_layers

    def with_migration(layers: Layers) -> Any:
        services = layers.data.get("services") or {}
        namespace = (layers.data.get("namespace") or {}).get("name")
        if "backend" in services and (namespaces is None or namespace in namespaces):
            services["migrate"] = migration_service(services["backend"])
        return load(layers)

    monkeypatch.setattr(loader, "values_from_layers", with_migration)


@pytest.fixture
def with_migration(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every release loaded during the test holds a migration before ``backend``."""
    inject_migration(monkeypatch)
