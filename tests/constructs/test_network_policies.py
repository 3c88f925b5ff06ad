"""DefaultDeny: closes the app's pods to everything the services do not allow."""

from __future__ import annotations

import cdk8s
import pytest

from tests.helpers import one
from webapp_constructs._network_policies import DefaultDeny


@pytest.mark.parametrize(("egress", "types"), [(False, ["Ingress"]), (True, ["Ingress", "Egress"])])
def test_denies_ingress_and_optionally_egress(chart: cdk8s.Chart, egress: bool, types: list[str]) -> None:
    DefaultDeny(chart, "deny", name="rel-default-deny", pod_selector={"app.kubernetes.io/instance": "rel"}, egress=egress)
    policy = one(cdk8s.Testing.synth(chart), "NetworkPolicy", "rel-default-deny")
    assert policy["spec"] == {"podSelector": {"matchLabels": {"app.kubernetes.io/instance": "rel"}}, "policyTypes": types}
    assert policy["metadata"]["labels"]["app.kubernetes.io/component"] == "deny"
