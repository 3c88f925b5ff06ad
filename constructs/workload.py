"""The shared core of WebService, ApiService and McpService: one Deployment and what goes with it.

Rendered with the generated ``k8s`` API (``imports/k8s``), so every field is exactly what the
props say: no generated name suffixes, no construct-path selector labels, no default resources
or startup probes that nobody asked for.

Per service: a ServiceAccount (no API token mounted), a Service, a Deployment (hardened to the
Pod Security Standard "restricted" unless the props relax it; rolling updates that never drop
below the desired count), and when asked or implied a HorizontalPodAutoscaler, a
PodDisruptionBudget and a NetworkPolicy.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

from constructs import Construct
from constructs.values import ProbeProps, ResourceAmounts, WorkloadProps
from imports import k8s

__all__ = ["EgressAccess", "EnvRef", "NetworkAccess", "Workload", "WorkloadContext", "audit_annotations"]

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
class EgressAccess:
    """Where the pods may connect to, once egress is denied by default."""

    to_pods: Sequence[tuple[Mapping[str, str], int]] = ()
    """Selectors of the app's pods this one calls, with their container ports."""
    external_ports: Sequence[int] = ()
    """TCP ports it may reach outside the cluster."""
    external_cidrs: Sequence[str] = ("0.0.0.0/0",)


@dataclass(frozen=True, kw_only=True)
class NetworkAccess:
    """Who may connect to the pods (their container port only)."""

    from_pods: Sequence[Mapping[str, str]] = ()
    """Selectors of the pods (same namespace) that may connect."""
    from_namespaces: Sequence[str] = ()
    """Namespaces whose pods may connect, e.g. the ingress controller's."""
    from_anywhere: bool = False
    """Anyone may connect (a browser through a node port)."""
    egress: EgressAccess | None = None
    """Egress rules, or None to leave egress open."""


@dataclass(frozen=True, kw_only=True)
class WorkloadContext:
    """What a workload takes from the app around it (the chart computes it from the values)."""

    name: str
    """Name of every object of the service."""
    component: str
    """The service's key; also its container's name."""
    labels: Mapping[str, str]
    """Labels of every object and of the pods; must include ``selector``."""
    selector: Mapping[str, str]
    """Labels the Service, the Deployment, the PodDisruptionBudget and the NetworkPolicy select the pods by."""
    env: Sequence[EnvRef] = ()
    """Environment variables, key by key. Default: none."""
    pod_annotations: Mapping[str, str] = field(default_factory=dict)
    """Annotations of the pod template, such as the config checksum. Default: none."""
    annotations: Mapping[str, str] = field(default_factory=dict)
    """Annotations of every object of the service, such as audit skips. Default: none."""
    network: NetworkAccess | None = None
    """Render a NetworkPolicy with these rules. Default: none."""

    def __post_init__(self) -> None:
        missing = {k: v for k, v in self.selector.items() if self.labels.get(k) != v}
        if missing:
            raise ValueError(f"{self.name}: the pod labels lack the selector labels {missing}")


def audit_annotations(skips: Mapping[str, str]) -> dict[str, str]:
    """``checkov.io/skipN: CHECK=reason`` annotations, one per deliberate exception."""
    return {f"checkov.io/skip{i}": f"{check}={reason}" for i, (check, reason) in enumerate(sorted(skips.items()), 1)}


def _volume_name(path: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", path.lower()).strip("-")[:63] or "root"


class Workload(Construct):
    """A Deployment of one container, its Service and ServiceAccount, and optional HPA, PDB and
    NetworkPolicy.

    Construct IDs (``service-account``, ``service``, ``deployment``, ``hpa``, ``pdb``,
    ``network-policy``) are stable API: renaming them churns every snapshot.
    """

    def __init__(self, scope: Construct, id: str, *, props: WorkloadProps, context: WorkloadContext) -> None:
        super().__init__(scope, id)
        self.props = props
        self.context = context
        self.service_account = k8s.KubeServiceAccount(
            self, "service-account", metadata=self._metadata(), automount_service_account_token=False
        )
        self.service = k8s.KubeService(self, "service", metadata=self._metadata(), spec=self._service_spec())
        self.deployment = k8s.KubeDeployment(self, "deployment", metadata=self._metadata(), spec=self._deployment_spec())
        self.autoscaler = self._autoscaler() if props.autoscaling else None
        self.disruption_budget = self._disruption_budget() if props.wants_disruption_budget else None
        self.network_policy = self._network_policy(context.network) if context.network else None

    def _metadata(self) -> k8s.ObjectMeta:
        return k8s.ObjectMeta(
            name=self.context.name, labels=dict(self.context.labels), annotations=dict(self.context.annotations) or None
        )

    def _port(self) -> k8s.IntOrString:
        return k8s.IntOrString.from_number(self.props.container_port)

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
                    target_port=self._port(),
                    node_port=props.service.node_port,
                )
            ],
        )

    def _deployment_spec(self) -> k8s.DeploymentSpec:
        context = self.context
        return k8s.DeploymentSpec(
            replicas=None if self.props.autoscaling else self.props.replicas,
            selector=k8s.LabelSelector(match_labels=dict(context.selector)),
            strategy=k8s.DeploymentStrategy(
                type="RollingUpdate",
                rolling_update=k8s.RollingUpdateDeployment(
                    max_unavailable=k8s.IntOrString.from_number(0), max_surge=k8s.IntOrString.from_number(1)
                ),
            ),
            template=k8s.PodTemplateSpec(
                metadata=k8s.ObjectMeta(labels=dict(context.labels), annotations=dict(context.pod_annotations) or None),
                spec=self._pod_spec(),
            ),
        )

    def _pod_spec(self) -> k8s.PodSpec:
        security = self.props.security_context
        paths = self.props.effective_writable_paths if security.read_only_root_filesystem else []
        return k8s.PodSpec(
            service_account_name=self.context.name,
            automount_service_account_token=False,
            termination_grace_period_seconds=self.props.termination_grace_period_seconds,
            security_context=k8s.PodSecurityContext(
                run_as_non_root=security.run_as_non_root,
                run_as_user=security.run_as_user,
                run_as_group=security.run_as_group,
                fs_group=security.fs_group,
                seccomp_profile=k8s.SeccompProfile(type=security.seccomp_profile),
            ),
            containers=[self._container(paths)],
            volumes=[k8s.Volume(name=_volume_name(p), empty_dir=k8s.EmptyDirVolumeSource()) for p in paths] or None,
        )

    def _container(self, writable_paths: list[str]) -> k8s.Container:
        props = self.props
        security = props.security_context
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
            security_context=k8s.SecurityContext(
                allow_privilege_escalation=security.allow_privilege_escalation,
                read_only_root_filesystem=security.read_only_root_filesystem,
                run_as_non_root=security.run_as_non_root,
                capabilities=k8s.Capabilities(
                    drop=list(security.capabilities.drop) or None, add=list(security.capabilities.add) or None
                ),
            ),
            volume_mounts=[k8s.VolumeMount(name=_volume_name(p), mount_path=p) for p in writable_paths] or None,
        )

    def _probe(self, probe: ProbeProps) -> k8s.Probe:
        port = self._port()
        return k8s.Probe(
            http_get=k8s.HttpGetAction(path=probe.path, port=port) if probe.path is not None else None,
            tcp_socket=k8s.TcpSocketAction(port=port) if probe.path is None else None,
            initial_delay_seconds=probe.initial_delay_seconds,
            period_seconds=probe.period_seconds,
            timeout_seconds=probe.timeout_seconds,
            failure_threshold=probe.failure_threshold,
        )

    def _autoscaler(self) -> k8s.KubeHorizontalPodAutoscalerV2:
        scaling = self.props.autoscaling
        assert scaling is not None
        return k8s.KubeHorizontalPodAutoscalerV2(
            self,
            "hpa",
            metadata=self._metadata(),
            spec=k8s.HorizontalPodAutoscalerSpecV2(
                scale_target_ref=k8s.CrossVersionObjectReferenceV2(
                    api_version="apps/v1", kind="Deployment", name=self.context.name
                ),
                min_replicas=scaling.min_replicas,
                max_replicas=scaling.max_replicas,
                metrics=[
                    k8s.MetricSpecV2(
                        type="Resource",
                        resource=k8s.ResourceMetricSourceV2(
                            name="cpu",
                            target=k8s.MetricTargetV2(type="Utilization", average_utilization=scaling.target_cpu_utilization),
                        ),
                    )
                ],
            ),
        )

    def _disruption_budget(self) -> k8s.KubePodDisruptionBudget:
        # maxUnavailable 1 (not minAvailable): a drain can always evict one pod, even at one replica.
        return k8s.KubePodDisruptionBudget(
            self,
            "pdb",
            metadata=self._metadata(),
            spec=k8s.PodDisruptionBudgetSpec(
                max_unavailable=k8s.IntOrString.from_number(1),
                selector=k8s.LabelSelector(match_labels=dict(self.context.selector)),
            ),
        )

    def _network_policy(self, access: NetworkAccess) -> k8s.KubeNetworkPolicy:
        port = [k8s.NetworkPolicyPort(protocol="TCP", port=self._port())]
        if access.from_anywhere:
            ingress = [k8s.NetworkPolicyIngressRule(ports=port)]
        else:
            peers = [k8s.NetworkPolicyPeer(pod_selector=k8s.LabelSelector(match_labels=dict(s))) for s in access.from_pods]
            peers += [
                k8s.NetworkPolicyPeer(
                    namespace_selector=k8s.LabelSelector(match_labels={"kubernetes.io/metadata.name": namespace})
                )
                for namespace in access.from_namespaces
            ]
            ingress = [k8s.NetworkPolicyIngressRule(from_=peers, ports=port)] if peers else []
        egress = _egress_rules(access.egress) if access.egress is not None else None
        return k8s.KubeNetworkPolicy(
            self,
            "network-policy",
            metadata=self._metadata(),
            spec=k8s.NetworkPolicySpec(
                pod_selector=k8s.LabelSelector(match_labels=dict(self.context.selector)),
                policy_types=["Ingress", "Egress"] if egress is not None else ["Ingress"],
                ingress=ingress,
                egress=egress,
            ),
        )


def _egress_rules(egress: EgressAccess) -> list[k8s.NetworkPolicyEgressRule]:
    dns = k8s.NetworkPolicyEgressRule(
        to=[
            k8s.NetworkPolicyPeer(
                namespace_selector=k8s.LabelSelector(match_labels={"kubernetes.io/metadata.name": "kube-system"}),
                pod_selector=k8s.LabelSelector(match_labels={"k8s-app": "kube-dns"}),
            )
        ],
        ports=[k8s.NetworkPolicyPort(protocol=protocol, port=k8s.IntOrString.from_number(53)) for protocol in ("UDP", "TCP")],
    )
    rules = [dns]
    rules += [
        k8s.NetworkPolicyEgressRule(
            to=[k8s.NetworkPolicyPeer(pod_selector=k8s.LabelSelector(match_labels=dict(selector)))],
            ports=[k8s.NetworkPolicyPort(protocol="TCP", port=k8s.IntOrString.from_number(port))],
        )
        for selector, port in egress.to_pods
    ]
    if egress.external_ports:
        rules.append(
            k8s.NetworkPolicyEgressRule(
                to=[k8s.NetworkPolicyPeer(ip_block=k8s.IpBlock(cidr=cidr)) for cidr in egress.external_cidrs],
                ports=[k8s.NetworkPolicyPort(protocol="TCP", port=k8s.IntOrString.from_number(p)) for p in egress.external_ports],
            )
        )
    return rules


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
