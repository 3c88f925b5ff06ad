"""MigrationJob: a Job that must finish before the workloads it names roll (a database migration)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar, Unpack

from constructs import Construct

from ._common import owner_name
from ._job_props import MigrationJobOptions, MigrationJobProps
from ._manifest import Lazy, Manifest, resolve
from ._pod_template import drop_none
from ._props import Problem, PropsError
from ._workload import Workload

__all__ = [
    "AFTER_STEP",
    "BEFORE_ANNOTATION",
    "JOB_WAVE",
    "MIGRATION_STEP",
    "ROLL_WAVE",
    "RUN_STEP",
    "SYNC_WAVE",
    "MigrationJob",
]

BEFORE_ANNOTATION = "webapp-constructs.io/migration-before"
"""The Deployments a migration must finish before (comma-separated names): what a deploy orders by."""

SYNC_WAVE = "argocd.argoproj.io/sync-wave"
JOB_WAVE = 1
"""Argo CD's sync wave of a migration's Job: after wave 0, where every object without a wave is
(the ServiceAccount, ConfigMaps, Secrets, ExternalSecrets, PVCs it reads), before :data:`ROLL_WAVE`.
Argo CD starts a wave once every object of the earlier ones is healthy (a Job once it completed)."""
ROLL_WAVE = 2
"""Argo CD's sync wave of the workloads a migration runs before: they roll once it completed."""

MIGRATION_STEP = "webapp-constructs.io/migration-step"
"""The label that tells a kubectl deploy the order (docs/environments-and-gitops.md, "Migrations"): :data:`RUN_STEP` on a
migration's Job, :data:`AFTER_STEP` on the workloads it runs before; everything else first
(``-l '!webapp-constructs.io/migration-step'``)."""
RUN_STEP = "run"
AFTER_STEP = "after"

_NAME_ROOM = 63 - 9
"""A Job's name is its name and ``-`` and 8 characters of its pod template's digest."""


class MigrationJob(Workload):
    """A Job of the hardened pod template that must finish before the workloads in ``before``
    roll: a database migration (``alembic upgrade head``).

    A Job's pod template cannot change, so its name does: ``<name>-<8 hex digits of its spec>``;
    the same spec keeps its name (and its finished Job: it runs once per change, not at every
    apply or sync), a new one makes a new Job. The order comes from the objects themselves:

    - Argo CD: the Job is in sync wave :data:`JOB_WAVE` and the workloads of ``before`` in
      :data:`ROLL_WAVE`, so what it reads (wave 0, where objects without a wave are) exists first,
      and they roll once it completed. It is not a ``PreSync`` hook: a hook runs before every
      wave (before its own ServiceAccount exists) and again at every sync.
    - kubectl: the Job is labelled ``webapp-constructs.io/migration-step=run``, the workloads of
      ``before`` ``...=after``: apply ``-l '!webapp-constructs.io/migration-step'``, then the Job,
      ``kubectl wait --for=condition=complete``, then everything (docs/environments-and-gitops.md, "Migrations").

    Objects: ``service_account``, ``job``, ``network_policy``.

    Defaults: 2 retries, stopped after 10 minutes, kept when finished. Every other prop as
    :class:`~._job_props.MigrationJobProps` has it.
    """

    PROPS: ClassVar[type[MigrationJobProps]] = MigrationJobProps
    RENDERS: ClassVar[tuple[tuple[str, str], ...]] = (
        ("v1", "ServiceAccount"),
        ("batch/v1", "Job"),
        ("networking.k8s.io/v1", "NetworkPolicy"),
    )
    MAIN: ClassVar[str] = "job"
    props: MigrationJobProps

    def __init__(
        self, scope: Construct, id: str, *, image: str, before: Sequence[Workload], **options: Unpack[MigrationJobOptions]
    ) -> None:
        self.before = self._before(id, before)
        self._build(scope, id, self.check_props(id, image=image, **options))

    @classmethod
    def _kind_problems(cls, props: Any, id: str) -> list[Problem]:
        found = super()._kind_problems(props, id)
        name = props.name or id
        if len(name) > _NAME_ROOM:
            found.append(
                Problem(
                    ("name",),
                    f"{name} is {len(name)} characters; a migration's has at most {_NAME_ROOM} (its Job adds 9)",
                    "name-too-long",
                    name,
                )
            )
        return found

    def _before(self, id: str, before: Sequence[Workload]) -> list[Workload]:
        if isinstance(before, Workload) or not isinstance(before, Sequence) or isinstance(before, str):
            raise TypeError(f"{owner_name(type(self), id)}: before is a list of workloads, such as [api]")
        wrong = [w for w in before if not isinstance(w, Workload) or isinstance(w, MigrationJob)]
        if wrong:
            raise PropsError(
                owner_name(type(self), id),
                [
                    Problem(("before",), f"{type(w).__name__} is not a workload of this library that rolls", "type", w)
                    for w in wrong
                ],
            )
        return list(before)

    @classmethod
    def from_props(cls, scope: Construct, id: str, props: Any, before: Sequence[Workload] = ()) -> MigrationJob:
        """The migration ``id`` of props made by :meth:`check_props`, run before the workloads ``before``."""
        cls._own_props(id, props)
        job = cls.__new__(cls)
        job.before = job._before(id, before)
        job._build(scope, id, props)
        return job

    def _objects_of_kind(self) -> None:
        props = self.props
        template = self._pod_template()
        spec = drop_none(
            backoffLimit=props.backoff_limit,
            activeDeadlineSeconds=props.active_deadline_seconds,
            ttlSecondsAfterFinished=props.ttl_seconds_after_finished,
            template=template,
        )
        self._template = template

        self._spec = spec

        def annotations() -> dict[str, str]:
            found = {**(self._workload_annotations() or {}), SYNC_WAVE: str(JOB_WAVE)}
            if self.before:
                found[BEFORE_ANNOTATION] = ",".join(workload.name for workload in self.before)
            return found

        self._object("job", "batch/v1", "Job", name=Lazy(self.job_name), annotations=annotations, spec=spec)
        self._manifests["job"]["metadata"]["labels"] = {**self.labels, MIGRATION_STEP: RUN_STEP}
        for workload in self.before:
            _mark(workload._manifests[workload.MAIN], {MIGRATION_STEP: AFTER_STEP}, {SYNC_WAVE: str(ROLL_WAVE)})

    def _pod_spec_extra(self) -> dict[str, Any]:
        return {"restartPolicy": "Never"}

    def job_name(self) -> str:
        """The Job's name: ``<name>-<8 hex digits of its spec>`` (its pod template, retries and deadline)."""
        from ._digest import json_digest  # here: few charts hold a Job

        return f"{self.name}-{json_digest(resolve(self._spec))[:8]}"

    @property
    def job(self) -> Manifest:
        found = self._get("job")
        assert found is not None
        return found


def _mark(manifest: dict[str, Any], labels: dict[str, str], annotations: dict[str, str]) -> None:
    """Add ``labels`` and ``annotations`` to the metadata of a workload's object (its own annotations,
    computed when rendered, kept)."""
    meta = manifest["metadata"]
    meta["labels"] = {**(meta.get("labels") or {}), **labels}
    current = meta.get("annotations")
    if isinstance(current, Lazy):
        produce = current.produce
        meta["annotations"] = Lazy(lambda: {**(produce() or {}), **annotations})
    else:
        meta["annotations"] = {**(current or {}), **annotations}
