"""WorkerService: a Deployment that serves nothing."""

from __future__ import annotations

import cdk8s
import pytest

from tests.helpers import by_kind, container, one
from webapp_constructs._api_service import ApiService
from webapp_constructs._pod_props import Autoscaling, Probe, Probes
from webapp_constructs._props import PropsError
from webapp_constructs._worker_service import WorkerService


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


@pytest.mark.parametrize(
    ("probe", "what"),
    [(Probe(path="/healthz"), "an HTTP probe of '/healthz'"), (Probe(period_seconds=5), "a TCP probe")],
)
def test_a_probe_that_would_check_nothing_is_refused_not_dropped(chart: cdk8s.Chart, probe: Probe, what: str) -> None:
    """A worker listens on no port: an HTTP or TCP probe without its own port would be left out."""
    with pytest.raises(PropsError, match=rf"probes.readiness: {what} needs a port, and a WorkerService listens on none"):
        WorkerService(chart, "mailer", image="api:1", probes=Probes(readiness=probe))


def test_a_probe_with_its_port_is_rendered(chart: cdk8s.Chart) -> None:
    """The boundary beside it: the same probes with their port are the worker's."""
    probes = Probes(liveness=Probe(period_seconds=5, port=9000), readiness=Probe(path="/healthz", port=9000))
    WorkerService(chart, "mailer", image="api:1", probes=probes)
    main = container(one(cdk8s.Testing.synth(chart), "Deployment"))
    assert main["livenessProbe"] == {"tcpSocket": {"port": 9000}, "periodSeconds": 5}
    assert main["readinessProbe"] == {"httpGet": {"path": "/healthz", "port": 9000}}
