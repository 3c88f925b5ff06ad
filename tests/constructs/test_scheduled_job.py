"""ScheduledJob: a CronJob of the hardened pod template."""

from __future__ import annotations

import cdk8s
import pytest

from tests.helpers import one
from webapp_constructs._api_service import ApiService
from webapp_constructs._job_props import cron_problems
from webapp_constructs._pod_security import evaluate, pod_spec_of
from webapp_constructs._props import PropsError
from webapp_constructs._scheduled_job import ScheduledJob


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


def _cron(chart: cdk8s.Chart, id: str = "nightly", **options: object) -> dict[str, object]:
    """The CronJob of a ScheduledJob ``id``, which Kubernetes' 1.27 schema accepts."""
    from tests.crd_schemas import validate_kubernetes

    ScheduledJob(chart, id, image="job:1", schedule="0 3 * * *", **options)  # type: ignore[arg-type]
    cron = one(cdk8s.Testing.synth(chart), "CronJob")
    validate_kubernetes(cron)
    return cron


def test_a_cron_job_name_has_at_most_52_characters(chart: cdk8s.Chart) -> None:
    # Issue 28, item 15: the API server refuses a longer one (its Jobs add 11 characters).
    assert _cron(chart, "j" * 52)["metadata"]["name"] == "j" * 52  # type: ignore[index]
    with pytest.raises(PropsError) as raised:
        ScheduledJob(chart, "j" * 59, image="job:1", schedule="@daily")
    (line,) = str(raised.value).splitlines()
    assert line.startswith(f"ScheduledJob '{'j' * 59}': name: ")
    assert "is 59 characters; a CronJob's name has at most 52" in line
    assert "pass a shorter name=" in line
    with pytest.raises(PropsError, match=r"name: .* is 53 characters"):
        ScheduledJob(chart, "other", name="k" * 53, image="job:1", schedule="@daily")


@pytest.mark.parametrize("zone", ["Europe/Paris", "UTC", "America/Argentina/Buenos_Aires", "Etc/GMT+5", "EST5EDT"])
def test_an_iana_time_zone_is_accepted(chart: cdk8s.Chart, zone: str) -> None:
    assert _cron(chart, time_zone=zone)["spec"]["timeZone"] == zone  # type: ignore[index]


@pytest.mark.parametrize(
    ("zone", "message"),
    [
        ("Local", "'Local' is the controller's own zone, which Kubernetes refuses"),
        ("local", "'local' is the controller's own zone"),
        ("localtime", "'localtime' is the controller's own zone"),
        ("Mars/Olympus", "'Mars/Olympus' is not a time zone of the IANA database"),
        ("Europe/Pariss", "did you mean 'Europe/Paris'?"),
        ("europe/paris", "is not a time zone of the IANA database"),
        ("", "is not a time zone name"),
        ("Europe/../UTC", "is not a time zone name"),
        ("America/-Foo", "is not a time zone name"),
        ("Europe/Paris ", "is not a time zone name"),
        ("Etc/AVeryLongZoneName", "is not a time zone name"),  # a part of 15 characters
    ],
)
def test_a_time_zone_the_api_server_refuses_is_refused(chart: cdk8s.Chart, zone: str, message: str) -> None:
    # Issue 28, item 15: validateTimeZone of Kubernetes 1.27.
    with pytest.raises(PropsError) as raised:
        ScheduledJob(chart, "nightly", image="job:1", schedule="@daily", time_zone=zone)
    (line,) = str(raised.value).splitlines()
    assert line.startswith("ScheduledJob 'nightly': time_zone: ")
    assert message in line
    assert "Europe/Paris" in line  # the way out: an example


def test_without_a_zone_database_only_the_form_and_local_are_checked(monkeypatch: pytest.MonkeyPatch) -> None:
    from webapp_constructs import _job_props as job_props

    monkeypatch.setattr(job_props, "known_time_zones", frozenset)
    assert job_props.time_zone_problems("Mars/Olympus") == []
    assert job_props.time_zone_problems("Local") != []
    assert job_props.time_zone_problems("Europe/../UTC") != []
