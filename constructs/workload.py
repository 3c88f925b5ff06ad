"""The shared core of WebService, ApiService and McpService: one Deployment and its Service.

Rendered with the generated ``k8s`` API (``imports/k8s``), so every field is exactly what the
props say: no generated name suffixes, no construct-path selector labels, no default resources
or startup probes that nobody asked for.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from constructs import Construct
from constructs.values import ProbeProps, ResourceAmounts, WorkloadProps
from imports import k8s

__all__ = ["EnvRef", "Workload", "WorkloadContext"]

PORT_NAME = "http"


@dataclass(frozen=True, kw_only=True)
class EnvRef:
    """One environment variable taken from one key of a ConfigMap or a Secret.

    The variable is named like the key.
    """

    key: str
    source: Literal["configMap", "secret"]
    object_name: str
    """Name of the ConfigMap or Secret that holds ``key``."""


@dataclass(frozen=True, kw_only=True)
class WorkloadContext:
    """What a workload takes from the app around it (the chart computes it from the values)."""

    name: str
    """Name of the Deployment and the Service."""
    component: str
    """The service's key; also its container's name."""
    labels: Mapping[str, str]
    """Labels of the Deployment, the Service and the pods; must include ``selector``."""
    selector: Mapping[str, str]
    """Labels the Service and the Deployment select the pods by."""
    env: Sequence[EnvRef] = ()
    """Environment variables, key by key. Default: none."""

    def __post_init__(self) -> None:
        missing = {k: v for k, v in self.selector.items() if self.labels.get(k) != v}
        if missing:
            raise ValueError(f"{self.name}: the pod labels lack the selector labels {missing}")


class Workload(Construct):
    """A Deployment of one container and a Service in front of it.

    Construct IDs (``deployment``, ``service``) are stable API: renaming them churns every snapshot.
    """

    def __init__(self, scope: Construct, id: str, *, props: WorkloadProps, context: WorkloadContext) -> None:
        super().__init__(scope, id)
        self.props = props
        self.context = context
        metadata = k8s.ObjectMeta(name=context.name, labels=dict(context.labels))
        self.service = k8s.KubeService(self, "service", metadata=metadata, spec=self._service_spec())
        self.deployment = k8s.KubeDeployment(self, "deployment", metadata=metadata, spec=self._deployment_spec())

    def _service_spec(self) -> k8s.ServiceSpec:
        props = self.props
        return k8s.ServiceSpec(
            type=props.service_type,
            selector=dict(self.context.selector),
            ports=[
                k8s.ServicePort(
                    name=PORT_NAME,
                    protocol="TCP",
                    port=props.service_port,
                    target_port=k8s.IntOrString.from_number(props.container_port),
                    node_port=props.service.node_port,
                )
            ],
        )

    def _deployment_spec(self) -> k8s.DeploymentSpec:
        context = self.context
        return k8s.DeploymentSpec(
            replicas=self.props.replicas,
            selector=k8s.LabelSelector(match_labels=dict(context.selector)),
            template=k8s.PodTemplateSpec(
                metadata=k8s.ObjectMeta(labels=dict(context.labels)),
                spec=self._pod_spec(),
            ),
        )

    def _pod_spec(self) -> k8s.PodSpec:
        security = self.props.security_context
        return k8s.PodSpec(
            security_context=k8s.PodSecurityContext(
                run_as_non_root=security.run_as_non_root,
                run_as_user=security.run_as_user,
                run_as_group=security.run_as_group,
                fs_group=security.fs_group,
            ),
            containers=[self._container()],
        )

    def _container(self) -> k8s.Container:
        props = self.props
        return k8s.Container(
            name=self.context.component,
            image=props.image.reference,
            image_pull_policy=props.image.pull_policy,
            command=props.command,
            args=props.args,
            ports=[k8s.ContainerPort(name=PORT_NAME, container_port=props.container_port, protocol="TCP")],
            env=[_env_var(ref) for ref in self.context.env] or None,
            resources=_resources(props.effective_resources.requests, props.effective_resources.limits),
            liveness_probe=self._probe(props.probes.liveness),
            readiness_probe=self._probe(props.probes.readiness),
        )

    def _probe(self, probe: ProbeProps) -> k8s.Probe:
        port = k8s.IntOrString.from_number(self.props.container_port)
        return k8s.Probe(
            http_get=k8s.HttpGetAction(path=probe.path, port=port) if probe.path is not None else None,
            tcp_socket=k8s.TcpSocketAction(port=port) if probe.path is None else None,
            initial_delay_seconds=probe.initial_delay_seconds,
            period_seconds=probe.period_seconds,
            timeout_seconds=probe.timeout_seconds,
            failure_threshold=probe.failure_threshold,
        )


def _env_var(ref: EnvRef) -> k8s.EnvVar:
    if ref.source == "configMap":
        source = k8s.EnvVarSource(config_map_key_ref=k8s.ConfigMapKeySelector(name=ref.object_name, key=ref.key))
    else:
        source = k8s.EnvVarSource(secret_key_ref=k8s.SecretKeySelector(name=ref.object_name, key=ref.key))
    return k8s.EnvVar(name=ref.key, value_from=source)


def _quantities(amounts: ResourceAmounts) -> dict[str, k8s.Quantity] | None:
    out = {name: k8s.Quantity.from_string(value) for name, value in (("cpu", amounts.cpu), ("memory", amounts.memory)) if value}
    return out or None


def _resources(requests: ResourceAmounts, limits: ResourceAmounts) -> k8s.ResourceRequirements:
    return k8s.ResourceRequirements(requests=_quantities(requests), limits=_quantities(limits))
