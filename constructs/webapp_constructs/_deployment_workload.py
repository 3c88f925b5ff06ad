"""DeploymentWorkload: a workload that runs as a Deployment (rolling updates that never drop below
the desired count), with a HorizontalPodAutoscaler and a PodDisruptionBudget when asked or implied.
The base of :class:`~._worker_service.WorkerService` and of every service."""

from __future__ import annotations

from typing import Any, ClassVar

from ._manifest import Manifest
from ._workload import Workload
from ._workload_props import DeploymentProps

__all__ = ["DeploymentWorkload"]


class DeploymentWorkload(Workload):
    """A Deployment of the pod template (``maxUnavailable: 0``, ``maxSurge: 1``), and an HPA and a
    PDB when asked or implied. Objects: ``service_account``, ``deployment``, ``hpa``, ``pdb``,
    ``network_policy`` (construct IDs ``service-account``, ``deployment``, ``hpa``, ``pdb``,
    ``network-policy``, stable API)."""

    PROPS: ClassVar[type[DeploymentProps]] = DeploymentProps
    RENDERS: ClassVar[tuple[tuple[str, str], ...]] = (
        ("v1", "ServiceAccount"),
        ("apps/v1", "Deployment"),
        ("autoscaling/v2", "HorizontalPodAutoscaler"),
        ("policy/v1", "PodDisruptionBudget"),
        ("networking.k8s.io/v1", "NetworkPolicy"),
    )
    props: DeploymentProps

    def _objects_of_kind(self) -> None:
        self._deployment_objects()

    def _deployment_objects(self) -> None:
        props = self.props
        self._object("deployment", "apps/v1", "Deployment", annotations=self._main_annotations(), spec=self._deployment_spec())
        if props.autoscaling is not None:
            self._object("hpa", "autoscaling/v2", "HorizontalPodAutoscaler", spec=self._autoscaler_spec())
        if props.wants_disruption_budget:
            # maxUnavailable 1 (not minAvailable): a drain can always evict one pod, even at one replica.
            self._object("pdb", "policy/v1", "PodDisruptionBudget", spec={"maxUnavailable": 1, "selector": self._match()})

    def _match(self) -> dict[str, Any]:
        return {"matchLabels": dict(self.selector)}

    def _deployment_spec(self) -> dict[str, Any]:
        props = self.props
        spec: dict[str, Any] = {}
        if props.autoscaling is None:
            spec["replicas"] = props.replicas if props.replicas is not None else 1
        spec["selector"] = self._match()
        spec["strategy"] = {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 0, "maxSurge": 1}}
        spec["template"] = self._pod_template()
        return spec

    def _autoscaler_spec(self) -> dict[str, Any]:
        scaling = self.props.autoscaling
        assert scaling is not None
        return {
            "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": self.name},
            "minReplicas": scaling.min_replicas,
            "maxReplicas": scaling.max_replicas,
            "metrics": scaling.metric_specs(),
        }

    @property
    def deployment(self) -> Manifest:
        found = self._get("deployment")
        assert found is not None
        return found

    @property
    def hpa(self) -> Manifest | None:
        """The HorizontalPodAutoscaler, with ``autoscaling``."""
        return self._get("hpa")

    @property
    def pdb(self) -> Manifest | None:
        """The PodDisruptionBudget, with more than one replica, an autoscaler, or when asked."""
        return self._get("pdb")
