"""A migration Job in a rendered release, as the library's ``MigrationJob`` renders one (the
contract: a ``batch/v1`` Job with Argo CD's and Helm's hook annotations and
``todo-constructs.io/migration-before``), injected where a test needs one: what the values app
does with it depends only on that contract, not on how the library builds it."""

from __future__ import annotations

from typing import Any

import pytest

from constructs.manifest import Manifest
from values_app import release as release_module
from values_app import synth
from values_app.release import APP_FILE, Release


def migration_job(
    release: Release, *, name: str = "migrate", before: str = "todo-backend", deadline: int | None = None
) -> dict[str, Any]:
    values = release.values
    labels = {
        "app.kubernetes.io/component": name,
        "app.kubernetes.io/instance": values.release,
        "app.kubernetes.io/managed-by": "cdk8s",
        "app.kubernetes.io/name": f"{values.release}-{name}",
        "app.kubernetes.io/part-of": values.part_of,
        "app.kubernetes.io/version": values.app_version,
    }
    spec: dict[str, Any] = {
        "backoffLimit": 2,
        "template": {
            "metadata": {"labels": labels},
            "spec": {
                "automountServiceAccountToken": False,
                "containers": [
                    {
                        "command": ["alembic", "upgrade", "head"],
                        "env": [
                            {
                                "name": "DATABASE_URL",
                                "valueFrom": {"secretKeyRef": {"key": "DATABASE_URL", "name": "todo-chatbot-secrets"}},
                            }
                        ],
                        "image": "ghcr.io/example/todo-backend:phase4",
                        "name": "migrate",
                    }
                ],
                "restartPolicy": "Never",
            },
        },
    }
    if deadline is not None:
        spec["activeDeadlineSeconds"] = deadline
    return {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": {
            "annotations": {
                "argocd.argoproj.io/hook": "PreSync",
                "argocd.argoproj.io/hook-delete-policy": "BeforeHookCreation",
                "helm.sh/hook": "pre-install,pre-upgrade",
                "todo-constructs.io/migration-before": before,
            },
            "labels": labels,
            "name": f"{values.release}-{name}",
            "namespace": values.namespace.name,
        },
        "spec": spec,
    }


def inject_migration(monkeypatch: pytest.MonkeyPatch, *, namespaces: frozenset[str] | None = None) -> None:
    """From now on (until ``monkeypatch`` undoes it), every release built (those in ``namespaces``,
    if given) renders a migration Job in its app chart (the file the library's objects go to)."""
    build = release_module.build_release

    def build_with_migration(*args: Any, **kwargs: Any) -> Release:
        release = build(*args, **kwargs)
        if namespaces is None or release.values.namespace.name in namespaces:
            Manifest(release.charts[APP_FILE], "migrate", migration_job(release))
        return release

    monkeypatch.setattr(synth, "build_release", build_with_migration)


@pytest.fixture
def with_migration(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every release built during the test renders a migration Job before ``todo-backend``."""
    inject_migration(monkeypatch)
