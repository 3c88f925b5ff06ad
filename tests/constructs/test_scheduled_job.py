"""ScheduledJob: a CronJob of the hardened pod template."""

from __future__ import annotations

import cdk8s
import pytest

from constructs.api_service import ApiService
from constructs.job_props import cron_problems
from constructs.pod_security import evaluate, pod_spec_of
from constructs.props import PropsError
from constructs.scheduled_job import ScheduledJob
from tests.helpers import one


def test_a_cron_job_one_run_at_a_time_hardened(chart: cdk8s.Chart) -> None:
    api = ApiService(chart, "api", image="api:1")
    report = ScheduledJob(chart, "report", image="api:1", schedule="0 3 * * *", command=["python", "-m", "report"])
    report.connect(api, env="API_URL")
    manifests = cdk8s.Testing.synth(chart)
    cron = one(manifests, "CronJob")
    assert cron["spec"]["schedule"] == "0 3 * * *"
    assert cron["spec"]["concurrencyPolicy"] == "Forbid"
    assert (cron["spec"]["successfulJobsHistoryLimit"], cron["spec"]["failedJobsHistoryLimit"]) == (3, 1)
    job = cron["spec"]["jobTemplate"]["spec"]
    assert (job["backoffLimit"], job["activeDeadlineSeconds"]) == (2, 3600)
    pod = job["template"]["spec"]
    assert pod["restartPolicy"] == "Never"
    assert evaluate(pod).level == "restricted"
    assert pod_spec_of(cron) == pod
    assert pod["containers"][0]["env"] == [{"name": "API_URL", "value": "http://api:8000"}]
    assert cdk8s.ApiObject.of(report) is report.cron_job


@pytest.mark.parametrize(
    ("schedule", "fine"),
    [
        ("0 3 * * *", True),
        ("*/15 9-17 * * mon-fri", True),
        ("@daily", True),
        ("0 0 1 jan *", True),
        ("0 24 * * *", False),
        ("60 * * * *", False),
        ("0 3 * *", False),
        ("CRON_TZ=UTC 0 3 * * *", False),
        ("0 3 * * funday", False),
    ],
)
def test_the_schedule_is_checked(chart: cdk8s.Chart, schedule: str, fine: bool) -> None:
    assert (cron_problems(schedule) == []) is fine
    if not fine:
        with pytest.raises(PropsError, match="schedule: "):
            ScheduledJob(chart, "report", image="api:1", schedule=schedule)
