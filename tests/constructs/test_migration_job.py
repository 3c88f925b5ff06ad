"""MigrationJob: a Job that must finish before the workloads it names roll."""

from __future__ import annotations

from typing import Any

import cdk8s
import pytest

from constructs.api_service import ApiService
from constructs.migration_job import BEFORE_ANNOTATION, MigrationJob
from constructs.props import PropsError
from constructs.worker_service import WorkerService
from tests.helpers import one


def job_of(chart: cdk8s.Chart) -> dict[str, Any]:
    return one(cdk8s.Testing.synth(chart), "Job")


def test_hooks_defaults_and_the_workloads_it_runs_before(chart: cdk8s.Chart) -> None:
    api = ApiService(chart, "api", image="api:1")
    mailer = WorkerService(chart, "mailer", image="api:1")
    MigrationJob(chart, "migrate", image="api:1", command=["alembic", "upgrade", "head"], before=[api, mailer])
    job = job_of(chart)
    meta = job["metadata"]
    assert meta["annotations"] == {
        "argocd.argoproj.io/hook": "PreSync",
        "argocd.argoproj.io/hook-delete-policy": "BeforeHookCreation",
        "helm.sh/hook": "pre-install,pre-upgrade",
        "helm.sh/hook-delete-policy": "before-hook-creation",
        BEFORE_ANNOTATION: "api,mailer",
    }
    spec = job["spec"]
    assert (spec["backoffLimit"], spec["activeDeadlineSeconds"]) == (2, 600)
    assert "ttlSecondsAfterFinished" not in spec
    assert spec["template"]["spec"]["restartPolicy"] == "Never"


def test_its_name_follows_its_pod_template() -> None:
    names = []
    for image in ("api:1", "api:1", "api:2"):
        chart = cdk8s.Chart(cdk8s.Testing.app(), "test", namespace="test")
        job = MigrationJob(chart, "migrate", image=image, before=[])
        job.add_env("LATE", "added after construction")
        names.append(job_of(chart)["metadata"]["name"])
        assert job.job.name == names[-1]
    assert names[0] == names[1] != names[2]
    assert all(name.startswith("migrate-") and len(name) == len("migrate-") + 8 for name in names)


def test_before_is_a_list_of_workloads(chart: cdk8s.Chart) -> None:
    api = ApiService(chart, "api", image="api:1")
    with pytest.raises(TypeError, match="before is a list of workloads"):
        MigrationJob(chart, "migrate", image="api:1", before=api)  # type: ignore[arg-type]
    with pytest.raises(PropsError, match="str is not a workload of this library"):
        MigrationJob(chart, "migrate2", image="api:1", before=["api"])  # type: ignore[list-item]
    with pytest.raises(PropsError, match="a migration's has at most 54"):
        MigrationJob(chart, "m", name="m" * 55, image="api:1", before=[api])
