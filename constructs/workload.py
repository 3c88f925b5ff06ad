"""The shared core of WebService, ApiService and McpService: one Deployment and what goes with it.

Rendered as :class:`~constructs.manifest.Manifest` objects, so every field is exactly what the
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
from typing import Any, Literal

from constructs import Construct
from constructs.manifest import Manifest, chart_namespace, object_meta
from constructs.values import ProbeProps, ResourceAmounts, WorkloadProps

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


def _drop_none(**fields: Any) -> dict[str, Any]:
    return {key: value for key, value in fields.items() if value is not None}


class Workload(Construct):
    """A Deployment of one container, its Service and ServiceAccount, and optional HPA, PDB and
    NetworkPolicy.

    Construct IDs (``service-account``, ``service``, ``deployment``, ``hpa``, ``pdb``,
    ``network-policy``) are stable API: renaming them churns every snapshot. Each object is a
    :class:`~constructs.manifest.Manifest`; its ``manifest`` dict is the escape hatch.
    """

    def __init__(self, scope: Construct, id: str, *, props: WorkloadProps, context: WorkloadContext) -> None:
        super().__init__(scope, id)
        self.props = props
        self.context = context
        self._namespace = chart_namespace(scope)
        self.service_account = self._object("service-account", "v1", "ServiceAccount", automountServiceAccountToken=False)
        self.service = self._object("service", "v1", "Service", spec=self._service_spec())
        self.deployment = self._object("deployment", "apps/v1", "Deployment", spec=self._deployment_spec())
        self.autoscaler = (
            self._object("hpa", "autoscaling/v2", "HorizontalPodAutoscaler", spec=self._autoscaler_spec())
            if props.autoscaling
            else None
        )
        # maxUnavailable 1 (not minAvailable): a drain can always evict one pod, even at one replica.
        self.disruption_budget = (
            self._object("pdb", "policy/v1", "PodDisruptionBudget", spec={"maxUnavailable": 1, "selector": self._selector()})
            if props.wants_disruption_budget
            else None
        )
        self.network_policy = (
            self._object("network-policy", "networking.k8s.io/v1", "NetworkPolicy", spec=self._policy_spec(context.network))
            if context.network
            else None
        )

    def _object(self, id: str, api_version: str, kind: str, **body: Any) -> Manifest:
        context = self.context
        metadata = object_meta(context.name, namespace=self._namespace, labels=context.labels, annotations=context.annotations)
        return Manifest(self, id, {"apiVersion": api_version, "kind": kind, "metadata": metadata, **body})

    def _selector(self) -> dict[str, Any]:
        return {"matchLabels": dict(self.context.selector)}

    def _service_spec(self) -> dict[str, Any]:
        props = self.props
        port = _drop_none(
            name=PORT_NAME,
            protocol="TCP",
            port=props.service_port,
            targetPort=props.container_port,
            nodePort=props.service.node_port,
        )
        return {"type": props.service_type, "selector": dict(self.context.selector), "ports": [port]}

    def _deployment_spec(self) -> dict[str, Any]:
        context = self.context
        template_meta: dict[str, Any] = {"labels": dict(context.labels)}
        if context.pod_annotations:
            template_meta["annotations"] = dict(context.pod_annotations)
        return _drop_none(
            replicas=None if self.props.autoscaling else self.props.replicas,
            selector=self._selector(),
            strategy={"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 0, "maxSurge": 1}},
            template={"metadata": template_meta, "spec": self._pod_spec()},
        )

    def _pod_spec(self) -> dict[str, Any]:
        security = self.props.security_context
        paths = self.props.effective_writable_paths if security.read_only_root_filesystem else []
        return _drop_none(
            serviceAccountName=self.context.name,
            automountServiceAccountToken=False,
            terminationGracePeriodSeconds=self.props.termination_grace_period_seconds,
            securityContext=_drop_none(
                runAsNonRoot=security.run_as_non_root,
                runAsUser=security.run_as_user,
                runAsGroup=security.run_as_group,
                fsGroup=security.fs_group,
                seccompProfile={"type": security.seccomp_profile},
            ),
            containers=[self._container(paths)],
            volumes=[{"name": _volume_name(p), "emptyDir": {}} for p in paths] or None,
        )

    def _container(self, writable_paths: list[str]) -> dict[str, Any]:
        props = self.props
        security = props.security_context
        resources = props.effective_resources
        return _drop_none(
            name=self.context.component,
            image=props.image.reference,
            imagePullPolicy=props.image.pull_policy,
            command=props.command,
            args=props.args,
            ports=[{"name": PORT_NAME, "containerPort": props.container_port, "protocol": "TCP"}],
            env=[_env_var(ref) for ref in self.context.env] or None,
            resources=_drop_none(requests=_quantities(resources.requests), limits=_quantities(resources.limits)),
            livenessProbe=self._probe(props.probes.liveness),
            readinessProbe=self._probe(props.probes.readiness),
            securityContext=_drop_none(
                allowPrivilegeEscalation=security.allow_privilege_escalation,
                readOnlyRootFilesystem=security.read_only_root_filesystem,
                runAsNonRoot=security.run_as_non_root,
                capabilities=_drop_none(
                    drop=list(security.capabilities.drop) or None, add=list(security.capabilities.add) or None
                ),
            ),
            volumeMounts=[{"name": _volume_name(p), "mountPath": p} for p in writable_paths] or None,
        )

    def _probe(self, probe: ProbeProps) -> dict[str, Any]:
        port = self.props.container_port
        action = {"httpGet": {"path": probe.path, "port": port}} if probe.path is not None else {"tcpSocket": {"port": port}}
        return action | _drop_none(
            initialDelaySeconds=probe.initial_delay_seconds,
            periodSeconds=probe.period_seconds,
            timeoutSeconds=probe.timeout_seconds,
            failureThreshold=probe.failure_threshold,
        )

    def _autoscaler_spec(self) -> dict[str, Any]:
        scaling = self.props.autoscaling
        assert scaling is not None
        return {
            "scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": self.context.name},
            "minReplicas": scaling.min_replicas,
            "maxReplicas": scaling.max_replicas,
            "metrics": [
                {
                    "type": "Resource",
                    "resource": {
                        "name": "cpu",
                        "target": {"type": "Utilization", "averageUtilization": scaling.target_cpu_utilization},
                    },
                }
            ],
        }

    def _policy_spec(self, access: NetworkAccess) -> dict[str, Any]:
        port = [{"protocol": "TCP", "port": self.props.container_port}]
        ingress: list[dict[str, Any]]
        if access.from_anywhere:
            ingress = [{"ports": port}]
        else:
            peers: list[dict[str, Any]] = [{"podSelector": {"matchLabels": dict(s)}} for s in access.from_pods]
            peers += [
                {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": namespace}}}
                for namespace in access.from_namespaces
            ]
            ingress = [{"from": peers, "ports": port}] if peers else []
        spec: dict[str, Any] = {"podSelector": self._selector(), "policyTypes": ["Ingress"], "ingress": ingress}
        if access.egress is not None:
            spec["policyTypes"] = ["Ingress", "Egress"]
            spec["egress"] = _egress_rules(access.egress)
        return spec


def _egress_rules(egress: EgressAccess) -> list[dict[str, Any]]:
    dns = {
        "to": [
            {
                "namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "kube-system"}},
                "podSelector": {"matchLabels": {"k8s-app": "kube-dns"}},
            }
        ],
        "ports": [{"protocol": "UDP", "port": 53}, {"protocol": "TCP", "port": 53}],
    }
    rules: list[dict[str, Any]] = [dns]
    rules += [
        {"to": [{"podSelector": {"matchLabels": dict(selector)}}], "ports": [{"protocol": "TCP", "port": port}]}
        for selector, port in egress.to_pods
    ]
    if egress.external_ports:
        rules.append(
            {
                "to": [{"ipBlock": {"cidr": cidr}} for cidr in egress.external_cidrs],
                "ports": [{"protocol": "TCP", "port": port} for port in egress.external_ports],
            }
        )
    return rules


def _env_var(ref: EnvRef) -> dict[str, Any]:
    selector = {"name": ref.object_name, "key": ref.key}
    source = {"configMapKeyRef": selector} if ref.source == "configMap" else {"secretKeyRef": selector}
    return {"name": ref.key, "valueFrom": source}


def _quantities(amounts: ResourceAmounts) -> dict[str, str] | None:
    return _drop_none(cpu=amounts.cpu, memory=amounts.memory) or None
