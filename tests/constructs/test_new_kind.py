"""CONTRIBUTING's "Adding a kind", done here: a DaemonSet kind is one class on the seams every kind
uses (PROPS, RENDERS, MAIN, POD_PATH, _objects_of_kind), and it comes with everything a kind has:
the hardened pod, its ServiceAccount and NetworkPolicy, connect(), checked props."""

from __future__ import annotations

from typing import Any, ClassVar

import cdk8s
import pytest

from tests.crd_schemas import validate_kubernetes
from tests.restricted import restricted_violations
from webapp_constructs import PropsError, pod_security_of
from webapp_constructs._api_service import ApiService
from webapp_constructs._manifest import Manifest
from webapp_constructs._workload import Workload
from webapp_constructs._workload_props import WorkloadProps


class DaemonService(Workload):
    PROPS: ClassVar[type[WorkloadProps]] = WorkloadProps
    RENDERS: ClassVar[tuple[tuple[str, str], ...]] = (
        ("v1", "ServiceAccount"),
        ("apps/v1", "DaemonSet"),
        ("networking.k8s.io/v1", "NetworkPolicy"),
    )
    MAIN: ClassVar[str] = "daemon-set"

    def _objects_of_kind(self) -> None:
        spec = {"selector": {"matchLabels": self.selector}, "template": self._pod_template()}
        self._object("daemon-set", "apps/v1", "DaemonSet", spec=spec)

    @property
    def daemon_set(self) -> Manifest:
        found = self._get("daemon-set")
        assert found is not None
        return found


def test_a_kind_of_ones_own_renders_hardened_and_connects(chart: cdk8s.Chart) -> None:
    api = ApiService(chart, "api", image="shop/api:1")
    agent = DaemonService(chart, "agent", image="shop/agent:1", command=["agent"])
    agent.connect(api, env="API_URL")
    objects = cdk8s.Testing.synth(chart)
    for manifest in objects:
        validate_kubernetes(manifest)
    daemon = next(m for m in objects if m["kind"] == "DaemonSet")
    pod: dict[str, Any] = daemon["spec"]["template"]["spec"]
    assert restricted_violations(pod) == []
    assert pod["serviceAccountName"] == "agent"
    assert pod["containers"][0]["env"] == [{"name": "API_URL", "value": "http://api:8000"}]
    api_policy = next(m for m in objects if m["kind"] == "NetworkPolicy" and m["metadata"]["name"] == "api")
    assert {"podSelector": {"matchLabels": agent.selector}} in api_policy["spec"]["ingress"][0]["from"]
    assert pod_security_of([agent])[0] == "restricted"
    assert agent.daemon_set.kind == "DaemonSet"


def test_its_props_are_checked_as_every_kind_s(chart: cdk8s.Chart) -> None:
    with pytest.raises(PropsError, match=r"DaemonService 'agent': replicas: unknown prop.*\n.*DaemonService 'agent': image: "):
        DaemonService(chart, "agent", image="Not An Image", replicas=2)  # type: ignore[call-arg]
