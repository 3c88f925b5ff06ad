"""MigrationJob: a Job that must finish before the workloads it names roll."""

from __future__ import annotations

from typing import Any

import cdk8s
import pytest

from tests.helpers import one
from webapp_constructs._api_service import ApiService
from webapp_constructs._migration_job import BEFORE_ANNOTATION, MIGRATION_STEP, MigrationJob
from webapp_constructs._props import PropsError
from webapp_constructs._worker_service import WorkerService


def job_of(chart: cdk8s.Chart) -> dict[str, Any]:
    return one(cdk8s.Testing.synth(chart), "Job")


def test_waves_labels_defaults_and_the_workloads_it_runs_before(chart: cdk8s.Chart) -> None:
    api = ApiService(chart, "api", image="api:1", reloader=True)
    mailer = WorkerService(chart, "mailer", image="api:1")
    WorkerService(chart, "other", image="api:1")
    MigrationJob(chart, "migrate", image="api:1", command=["alembic", "upgrade", "head"], before=[api, mailer])
    job = job_of(chart)
    meta = job["metadata"]
    # not a hook (Argo CD's, or Helm's, which Argo CD reads too): a hook runs before its ServiceAccount exists
    assert meta["annotations"] == {"argocd.argoproj.io/sync-wave": "1", BEFORE_ANNOTATION: "api,mailer"}
    assert meta["labels"][MIGRATION_STEP] == "run"
    objects = cdk8s.Testing.synth(chart)
    for name in ("api", "mailer"):  # the next wave; labelled for kubectl; their own annotations kept
        workload = one(objects, "Deployment", name)["metadata"]
        assert workload["annotations"]["argocd.argoproj.io/sync-wave"] == "2"
        assert workload["labels"][MIGRATION_STEP] == "after"
    assert "annotations" not in one(objects, "Deployment", "other")["metadata"]
    assert MIGRATION_STEP not in one(objects, "Deployment", "other")["metadata"]["labels"]
    for account in (m for m in objects if m["kind"] == "ServiceAccount"):  # wave 0: before the Job
        assert "annotations" not in account["metadata"]
    spec = job["spec"]
    assert (spec["backoffLimit"], spec["activeDeadlineSeconds"]) == (2, 600)
    assert "ttlSecondsAfterFinished" not in spec
    assert spec["template"]["spec"]["restartPolicy"] == "Never"


def test_its_name_follows_its_spec() -> None:
    names = []
    for image, retries in (("api:1", 2), ("api:1", 2), ("api:2", 2), ("api:1", 3)):
        chart = cdk8s.Chart(cdk8s.Testing.app(), "test", namespace="test")
        job = MigrationJob(chart, "migrate", image=image, before=[], backoff_limit=retries)
        job.add_env("LATE", "added after construction")
        names.append(job_of(chart)["metadata"]["name"])
        assert job.job.name == names[-1]
    assert names[0] == names[1]  # the same spec, the same Job: it runs once per change
    assert len(set(names)) == 3
    assert all(name.startswith("migrate-") and len(name) == len("migrate-") + 8 for name in names)


def test_before_is_a_list_of_workloads(chart: cdk8s.Chart) -> None:
    api = ApiService(chart, "api", image="api:1")
    with pytest.raises(TypeError, match="before is a list of workloads"):
        MigrationJob(chart, "migrate", image="api:1", before=api)  # type: ignore[arg-type]
    with pytest.raises(PropsError, match="str is not a workload of this library"):
        MigrationJob(chart, "migrate2", image="api:1", before=["api"])  # type: ignore[list-item]
    with pytest.raises(PropsError, match="a migration's has at most 54"):
        MigrationJob(chart, "m", name="m" * 55, image="api:1", before=[api])
