"""The props of the job kinds: :class:`ScheduledJobProps` (a CronJob) and :class:`MigrationJobProps`
(a Job that must finish before workloads roll)."""

import functools
import re
from typing import Literal

from ._props import Term, Worded, check, int_range, literal, nearest, prop, propsclass
from ._workload_props import WorkloadOptions, WorkloadProps

__all__ = [
    "MigrationJobOptions",
    "MigrationJobProps",
    "ScheduledJobOptions",
    "ScheduledJobProps",
    "cron_problems",
    "known_time_zones",
    "time_zone_problems",
]

_MACROS = frozenset({"@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly"})
_PART = re.compile(r"(?P<range>\*|\?|(?P<first>[0-9A-Za-z]+)(-(?P<last>[0-9A-Za-z]+))?)(/(?P<step>[0-9]+))?")
_RANGES = ((0, 59, "minute"), (0, 23, "hour"), (1, 31, "day of month"), (1, 12, "month"), (0, 7, "day of week"))
_NAMES = {
    3: {m: i + 1 for i, m in enumerate(["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"])},
    4: {d: i for i, d in enumerate(["sun", "mon", "tue", "wed", "thu", "fri", "sat"])},
}


def cron_problems(schedule: str) -> list[str]:
    """A CronJob schedule: five fields (minute, hour, day of month, month, day of week) of numbers,
    names (``jan``, ``mon``), ranges, lists, steps and ``*``, as ``robfig/cron`` (which Kubernetes
    uses) reads them, or a macro such as ``@daily``. A ``CRON_TZ=``/``TZ=`` prefix is refused, as
    Kubernetes 1.27 refuses it: use ``time_zone``."""
    text = schedule.strip()
    if text in _MACROS:
        return []
    if text.startswith(("CRON_TZ=", "TZ=")):
        return [
            Worded(
                f"{literal(repr(schedule))}: a time zone in the schedule is refused by Kubernetes; use {{0}}",
                Term.prop("time_zone"),
            )
        ]
    fields = text.split()
    if len(fields) != 5:
        return [
            f"{schedule!r} is not a schedule: five fields (minute hour day-of-month month day-of-week), or @daily and the like"
        ]
    for index, (field, (low, high, what)) in enumerate(zip(fields, _RANGES, strict=True)):
        for part in field.split(","):
            match = _PART.fullmatch(part)
            if match is None:
                return [f"{schedule!r}: {field!r} is not a {what} field"]
            if match["step"] is not None and int(match["step"]) < 1:
                return [f"{schedule!r}: the step of {part!r} is 0"]
            for number in (match["first"], match["last"]):
                if number is None:
                    continue
                value = int(number) if number.isdigit() else _NAMES.get(index, {}).get(number.lower())
                if value is None or not low <= value <= high:
                    return [f"{schedule!r}: {number} is not a {what} ({low}-{high})"]
    return []


_ZONE_PART = re.compile(r"[A-Za-z.\-_0-9+]{1,14}")


@functools.cache
def known_time_zones() -> frozenset[str]:
    """The IANA zones of this machine's time zone database (the system's, else the ``tzdata``
    package's): empty when it has none."""
    import zoneinfo

    try:
        return frozenset(zoneinfo.available_timezones())
    except OSError:  # pragma: no cover - an unreadable zone directory
        return frozenset()


def time_zone_problems(zone: str) -> list[str]:
    """A CronJob's ``timeZone`` as ``k8s.io/kubernetes/pkg/apis/batch/validation.validateTimeZone``
    (1.27) checks it: each ``/``-separated part of ``[A-Za-z.-_0-9+]{1,14}``, neither ``.`` nor
    ``..`` nor starting with ``-``; not ``Local`` (any case: the controller's own zone); a zone of
    the IANA database (``time.LoadLocation``). The zones are those of this machine's database
    (:func:`known_time_zones`); on a machine without one, only the form is checked. Also refused:
    ``localtime``, which names the host's zone as ``Local`` does."""
    hint = "an IANA time zone such as Europe/Paris, America/New_York or UTC"
    parts = zone.split("/")
    if any(part in (".", "..") or part.startswith("-") or not _ZONE_PART.fullmatch(part) for part in parts):
        return [f"{zone!r} is not a time zone name ({hint})"]
    if zone.lower() in ("local", "localtime"):
        return [f"{zone!r} is the controller's own zone, which Kubernetes refuses; name {hint}"]
    known = known_time_zones()
    if known and zone not in known:
        return [f"{zone!r} is not a time zone of the IANA database{nearest(zone, known)} ({hint})"]
    return []


CRON = check(cron_problems)
TIME_ZONE = check(time_zone_problems)
COUNT = int_range(0, 100, "count")
DEADLINE = int_range(1, 86400 * 7, "number of seconds")


@propsclass
class ScheduledJobProps(WorkloadProps):
    """Props of :class:`~._scheduled_job.ScheduledJob`: those of every workload, and the schedule."""

    schedule: str = prop(check=CRON)
    """When it runs: a cron schedule such as ``0 3 * * *``, or ``@daily``."""
    time_zone: str | None = prop(default=None, check=TIME_ZONE)
    """The schedule's time zone, an IANA zone such as ``Europe/Paris`` (not ``Local``). Default: the
    controller's (UTC, usually)."""
    concurrency_policy: Literal["Allow", "Forbid", "Replace"] = "Forbid"
    """What when a run is due while the last one still runs. Default: Forbid (skip it)."""
    successful_jobs_history_limit: int = prop(default=3, check=COUNT)
    """Finished runs kept. Default: 3."""
    failed_jobs_history_limit: int = prop(default=1, check=COUNT)
    """Failed runs kept. Default: 1."""
    starting_deadline_seconds: int | None = prop(default=None, check=DEADLINE)
    """A run that could not start this long after its time is skipped. Default: none."""
    suspend: bool = False
    """Stop scheduling runs. Default: false."""
    backoff_limit: int = prop(default=2, check=COUNT)
    """Retries of a failed run. Default: 2."""
    active_deadline_seconds: int | None = prop(default=3600, check=DEADLINE)
    """A run that takes longer is stopped. Default: one hour."""


@propsclass
class MigrationJobProps(WorkloadProps):
    """Props of :class:`~._migration_job.MigrationJob`: those of every workload, and the Job's limits."""

    backoff_limit: int = prop(default=2, check=COUNT)
    """Retries of a failed run. Default: 2."""
    active_deadline_seconds: int = prop(default=600, check=DEADLINE)
    """A run that takes longer is stopped (and fails). Default: 10 minutes."""
    ttl_seconds_after_finished: int | None = prop(default=None, check=DEADLINE)
    """Delete the finished Job this long after. Default: never (a GitOps controller would create
    a deleted Job again, and run the migration again)."""


# --- generated by `make options` (scripts/props_options.py) from the props above: do not edit ---


class ScheduledJobOptions(WorkloadOptions, total=False):
    """The keyword arguments of :class:`ScheduledJobProps` but ``schedule`` (each documented there)."""

    time_zone: str | None
    concurrency_policy: Literal["Allow", "Forbid", "Replace"]
    successful_jobs_history_limit: int
    failed_jobs_history_limit: int
    starting_deadline_seconds: int | None
    suspend: bool
    backoff_limit: int
    active_deadline_seconds: int | None


class MigrationJobOptions(WorkloadOptions, total=False):
    """The keyword arguments of :class:`MigrationJobProps` (each documented there)."""

    backoff_limit: int
    active_deadline_seconds: int
    ttl_seconds_after_finished: int | None


# --- end of the generated options ---
