"""WorkerService: a Deployment that serves nothing."""

from __future__ import annotations

import cdk8s
import pytest

from constructs.api_service import ApiService
from constructs.pod_props import Autoscaling, Probe, Probes
from constructs.props import PropsError
from constructs.worker_service import WorkerService
from tests.helpers import by_kind, container, one


def test_no_service_no_port_and_a_policy_that_admits_nobody(chart: cdk8s.Chart) -> None:
    api = ApiService(chart, "api", image="api:1")
    mailer = WorkerService(chart, "mailer", image="api:1", command=["python", "-m", "mailer"])
    mailer.connect(api, env="API_URL")
    manifests = cdk8s.Testing.synth(chart)
    assert [m["kind"] for m in manifests if m["metadata"]["name"] == "mailer"] == [
        "ServiceAccount",
        "Deployment",
        "NetworkPolicy",
    ]
    main = container(one(manifests, "Deployment", "mailer"))
    assert not {"ports", "livenessProbe", "readinessProbe"} & set(main)
    assert main["env"] == [{"name": "API_URL", "value": "http://api:8000"}]
    assert (
        "ingress" not in one(manifests, "NetworkPolicy", "mailer")["spec"]
    )  # admits nobody: no rule (an empty list is dropped by the API server)
    admitted = one(manifests, "NetworkPolicy", "api")["spec"]["ingress"][0]["from"]
    assert admitted == [
        {"podSelector": {"matchLabels": {"app.kubernetes.io/instance": "test", "app.kubernetes.io/name": "mailer"}}}
    ]


def test_probes_when_given_a_command_and_autoscaling(chart: cdk8s.Chart) -> None:
    WorkerService(
        chart,
        "mailer",
        image="api:1",
        probes=Probes(liveness=Probe(exec_command=["/bin/healthy"]), readiness=Probe(exec_command=["/bin/ready"])),
        autoscaling=Autoscaling(max_replicas=4, target_cpu_utilization=None, target_memory_utilization=70),
    )
    manifests = cdk8s.Testing.synth(chart)
    main = container(one(manifests, "Deployment"))
    assert main["livenessProbe"] == {"exec": {"command": ["/bin/healthy"]}}
    assert one(manifests, "HorizontalPodAutoscaler")["spec"]["metrics"] == [
        {"type": "Resource", "resource": {"name": "memory", "target": {"type": "Utilization", "averageUtilization": 70}}}
    ]
    assert len(by_kind(manifests, "PodDisruptionBudget")) == 1


def test_a_worker_has_no_port_prop(chart: cdk8s.Chart) -> None:
    with pytest.raises(PropsError, match="port: unknown prop for WorkerService"):
        WorkerService(chart, "mailer", image="api:1", port=8000)  # type: ignore[call-arg]
