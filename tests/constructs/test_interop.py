"""Interop with cdk8s-plus-27: its workloads reach ours and ours reach them; cdk8s-plus is loaded
only when a cdk8s-plus object is involved."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import cdk8s
import cdk8s_plus_27 as kp

from tests.helpers import by_kind, loaded_by, one
from webapp_constructs._api_service import ApiService

ROOT = Path(__file__).resolve().parents[2]


def policy_of(manifests: list[dict[str, Any]], name: str) -> dict[str, Any]:
    return one(manifests, "NetworkPolicy", name)


def test_a_cdk8s_plus_workload_may_reach_ours(chart: cdk8s.Chart) -> None:
    api = ApiService(chart, "api", image="api:1")
    nightly = kp.CronJob(
        chart,
        "cleanup",
        schedule=cdk8s.Cron.daily(),
        containers=[kp.ContainerProps(image="api:1", command=["python", "-m", "app.cleanup"])],
    )
    job = kp.Job(chart, "migrate", containers=[kp.ContainerProps(image="api:1")])
    api.allow_from(nightly)
    api.allow_from(job)
    manifests = cdk8s.Testing.synth(chart)
    peers = policy_of(manifests, "api")["spec"]["ingress"][0]["from"]
    cron = one(manifests, "CronJob")["spec"]["jobTemplate"]["spec"]["template"]["metadata"]["labels"]
    migrate = one(manifests, "Job")["spec"]["template"]["metadata"]["labels"]
    assert peers == [{"podSelector": {"matchLabels": cron}}, {"podSelector": {"matchLabels": migrate}}]


def test_ours_may_be_reached_from_the_cdk8s_plus_side(chart: cdk8s.Chart) -> None:
    api = ApiService(chart, "api", image="api:1")
    web = kp.Deployment(chart, "web", containers=[kp.ContainerProps(image="web:1", port_number=3000)])
    web.connections.allow_to(api.pods(), ports=[kp.NetworkPolicyPort.tcp(8000)], isolation=kp.PodConnectionsIsolation.POD)
    manifests = cdk8s.Testing.synth(chart)
    (egress,) = [p for p in by_kind(manifests, "NetworkPolicy") if p["metadata"]["name"] != "api"]
    assert egress["spec"]["egress"][0]["to"] == [
        {
            "namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "test"}},
            "podSelector": {"matchLabels": {"app.kubernetes.io/instance": "test", "app.kubernetes.io/name": "api"}},
        }
    ]
    assert api.pods() is api.pods()


def test_without_cdk8s_plus_objects_it_is_never_loaded(tmp_path: Path) -> None:
    program = (
        "import cdk8s\n"
        "from webapp_constructs._api_service import ApiService\n"
        "chart = cdk8s.Chart(cdk8s.App(), 'todo')\n"
        "ApiService(chart, 'api', image='api:1').allow_from({'app': 'x'})\n"
        "cdk8s.Testing.synth(chart)\n"
    )
    assert loaded_by(program, ["cdk8s_plus_27", "cdk8s_plus_27."], cwd=tmp_path) == []


def test_a_cdk8s_plus_workload_admits_ours(chart: cdk8s.Chart) -> None:
    api = ApiService(chart, "api", image="api:1")
    web = kp.Deployment(chart, "web", containers=[kp.ContainerProps(image="web:1", port_number=3000)])
    web.connections.allow_from(api.pods(), isolation=kp.PodConnectionsIsolation.POD)
    manifests = cdk8s.Testing.synth(chart)
    (ingress,) = [p for p in by_kind(manifests, "NetworkPolicy") if p["metadata"]["name"] != "api"]
    peer = ingress["spec"]["ingress"][0]["from"][0]
    assert peer["podSelector"] == {"matchLabels": {"app.kubernetes.io/instance": "test", "app.kubernetes.io/name": "api"}}
