"""ScheduledJob: a CronJob of the hardened pod template (a nightly report, a cleanup)."""

from __future__ import annotations

from typing import Any, ClassVar, Unpack

from constructs import Construct

from ._job_props import ScheduledJobOptions, ScheduledJobProps
from ._manifest import Manifest
from ._pod_template import drop_none
from ._props import Problem
from ._workload import Workload

__all__ = ["ScheduledJob"]


class ScheduledJob(Workload):
    """A CronJob: runs the pod template on ``schedule``, one run at a time by default
    (``concurrency_policy="Forbid"``), keeping the last 3 finished and 1 failed run. Its pods admit
    no connection; they reach what it :meth:`~._workload.Workload.connect`\\ s to. Objects:
    ``service_account``, ``cron_job``, ``network_policy`` (construct IDs ``service-account``,
    ``cron-job``, ``network-policy``).

    Defaults: 100m/500m CPU and 128Mi/512Mi memory; a writable ``/tmp``; 2 retries; a run stopped
    after an hour. Every other prop as :class:`~._job_props.ScheduledJobProps` has it.
    """

    PROPS: ClassVar[type[ScheduledJobProps]] = ScheduledJobProps
    RENDERS: ClassVar[tuple[tuple[str, str], ...]] = (
        ("v1", "ServiceAccount"),
        ("batch/v1", "CronJob"),
        ("networking.k8s.io/v1", "NetworkPolicy"),
    )
    MAIN: ClassVar[str] = "cron-job"
    POD_PATH: ClassVar[tuple[str, ...]] = ("spec", "jobTemplate", "spec", "template")
    props: ScheduledJobProps

    def __init__(self, scope: Construct, id: str, *, image: str, schedule: str, **options: Unpack[ScheduledJobOptions]) -> None:
        self._build(scope, id, self.check_props(id, image=image, schedule=schedule, **options))

    NAME_LIMIT: ClassVar[int] = 52
    """The longest name of a CronJob: the API server refuses more (its Jobs add 11 characters,
    ``-<minutes since 1970>``, and stay within a 63-character label)."""

    @classmethod
    def _kind_problems(cls, props: Any, id: str) -> list[Problem]:
        found = super()._kind_problems(props, id)
        name = props.name or id
        if len(name) > cls.NAME_LIMIT:
            given = "name" if props.name is not None else "the construct ID"
            found.append(
                Problem(
                    ("name",),
                    f"{name[:20]}... ({given}) is {len(name)} characters; a CronJob's name has at most {cls.NAME_LIMIT} "
                    "(its Jobs add 11); pass a shorter name=",
                    "name-too-long",
                    name,
                )
            )
        return found

    def _objects_of_kind(self) -> None:
        props = self.props
        job = drop_none(
            backoffLimit=props.backoff_limit,
            activeDeadlineSeconds=props.active_deadline_seconds,
            template=self._pod_template(),
        )
        spec = drop_none(
            schedule=props.schedule,
            timeZone=props.time_zone,
            concurrencyPolicy=props.concurrency_policy,
            successfulJobsHistoryLimit=props.successful_jobs_history_limit,
            failedJobsHistoryLimit=props.failed_jobs_history_limit,
            startingDeadlineSeconds=props.starting_deadline_seconds,
            suspend=props.suspend,
            jobTemplate={"spec": job},
        )
        self._object("cron-job", "batch/v1", "CronJob", annotations=self._main_annotations(), spec=spec)

    def _pod_spec_extra(self) -> dict[str, Any]:
        return {"restartPolicy": "Never"}

    @property
    def cron_job(self) -> Manifest:
        found = self._get("cron-job")
        assert found is not None
        return found
