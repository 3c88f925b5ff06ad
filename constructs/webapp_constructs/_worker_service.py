"""WorkerService: a Deployment that serves nothing (a queue consumer, a mailer): no Service, no
port, and a NetworkPolicy that admits nobody."""

from __future__ import annotations

from typing import ClassVar, Unpack

from constructs import Construct

from ._deployment_workload import DeploymentWorkload
from ._workload_props import DeploymentOptions, DeploymentProps

__all__ = ["WorkerService"]


class WorkerService(DeploymentWorkload):
    """A worker's Deployment: the pod template of every workload (hardened, its own
    ServiceAccount), no Service and no port, so its pods admit no connection; it reaches what it
    :meth:`~._workload.Workload.connect`\\ s to. Probes only when given (a command, say): there is
    no port to check.

    Defaults: 100m/500m CPU and 128Mi/512Mi memory; a writable ``/tmp``; one replica. Every other
    prop as :class:`~._workload_props.DeploymentProps` has it.
    """

    PROPS: ClassVar[type[DeploymentProps]] = DeploymentProps

    def __init__(self, scope: Construct, id: str, *, image: str, **options: Unpack[DeploymentOptions]) -> None:
        self._build(scope, id, self.check_props(id, image=image, **options))
