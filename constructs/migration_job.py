"""MigrationJob: a Job that must finish before the workloads it names roll (a database migration)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar, Unpack

from constructs import Construct

from .common import owner_name
from .job_props import MigrationJobOptions, MigrationJobProps
from .manifest import Lazy, Manifest, resolve
from .pod_template import drop_none
from .props import Problem, PropsError
from .workload import Workload

__all__ = ["BEFORE_ANNOTATION", "HOOK_ANNOTATIONS", "MigrationJob"]

BEFORE_ANNOTATION = "todo-constructs.io/migration-before"
"""The Deployments a migration must finish before (comma-separated names): what a deploy orders by."""

HOOK_ANNOTATIONS = {
    "argocd.argoproj.io/hook": "PreSync",
    "argocd.argoproj.io/hook-delete-policy": "BeforeHookCreation",
    "helm.sh/hook": "pre-install,pre-upgrade",
    "helm.sh/hook-delete-policy": "before-hook-creation",
}
"""Run it first under Argo CD (a PreSync hook) and Helm (a pre-install and pre-upgrade hook);
each new run replaces the last."""

_NAME_ROOM = 63 - 9
"""A Job's name is its name and ``-`` and 8 characters of its pod template's digest."""


class MigrationJob(Workload):
    """A Job of the hardened pod template that must finish before the workloads in ``before``
    roll: a database migration (``alembic upgrade head``).

    A Job's pod template cannot change, so its name does: ``<name>-<8 hex digits of the template>``;
    the same template keeps its name (and its finished Job), a new one makes a new Job. It carries
    Argo CD's PreSync and Helm's pre-install/pre-upgrade hook annotations, so those run it first;
    with plain kubectl, apply it, ``kubectl wait --for=condition=complete``, then the rest (the
    values app prints that order). Objects: ``service_account``, ``job``, ``network_policy``.

    Defaults: 2 retries, stopped after 10 minutes, kept when finished. Every other prop as
    :class:`~.job_props.MigrationJobProps` has it.
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
                Problem(("name",), f"{name} is {len(name)} characters; a migration's has at most {_NAME_ROOM} (its Job adds 9)")
            )
        return found

    def _before(self, id: str, before: Sequence[Workload]) -> list[Workload]:
        if isinstance(before, Workload) or not isinstance(before, Sequence) or isinstance(before, str):
            raise TypeError(f"{owner_name(type(self), id)}: before is a list of workloads, such as [api]")
        wrong = [w for w in before if not isinstance(w, Workload) or isinstance(w, MigrationJob)]
        if wrong:
            raise PropsError(
                owner_name(type(self), id),
                [Problem(("before",), f"{type(w).__name__} is not a workload of this library that rolls") for w in wrong],
            )
        return list(before)

    @classmethod
    def from_props(cls, scope: Construct, id: str, props: Any, before: Sequence[Workload] = ()) -> MigrationJob:
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

        def annotations() -> dict[str, str]:
            found = {**HOOK_ANNOTATIONS, **(self._workload_annotations() or {})}
            if self.before:
                found[BEFORE_ANNOTATION] = ",".join(workload.name for workload in self.before)
            return found

        self._object("job", "batch/v1", "Job", name=Lazy(self.job_name), annotations=annotations, spec=spec)

    def _pod_spec_extra(self) -> dict[str, Any]:
        return {"restartPolicy": "Never"}

    def job_name(self) -> str:
        """The Job's name: ``<name>-<8 hex digits of its pod template>``."""
        from .digest import json_digest  # here: few charts hold a Job

        return f"{self.name}-{json_digest(resolve(self._template))[:8]}"

    @property
    def job(self) -> Manifest:
        found = self._get("job")
        assert found is not None
        return found
