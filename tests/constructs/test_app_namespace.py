"""AppNamespace: the Namespace enforces the Pod Security Standard the app's pods meet."""

from __future__ import annotations

import cdk8s
import pytest

from constructs.api_service import ApiService
from constructs.app_namespace import AppNamespace, pod_security_labels, pod_security_of
from constructs.pod_props import Capabilities, Security
from constructs.props import PropsError
from constructs.web_service import WebService
from tests.helpers import one


def namespace(chart: cdk8s.Chart) -> dict[str, object]:
    return one(cdk8s.Testing.synth(chart), "Namespace")


def test_restricted_when_every_pod_meets_it(chart: cdk8s.Chart) -> None:
    level, exceptions = pod_security_of([ApiService(chart, "api", image="api:1"), WebService(chart, "web", image="web:1")])
    assert (level, exceptions) == ("restricted", {})
    AppNamespace(chart, "todo", pod_security=level)
    labels = namespace(chart)["metadata"]["labels"]  # type: ignore[index]
    assert {k: v for k, v in labels.items() if k.startswith("pod-security")} == {
        "pod-security.kubernetes.io/enforce": "restricted",
        "pod-security.kubernetes.io/enforce-version": "v1.27",
    }
    assert "namespace" not in namespace(chart)["metadata"]  # type: ignore[operator]


def test_baseline_with_warnings_and_the_reason_when_one_service_needs_it(chart: cdk8s.Chart) -> None:
    nginx = WebService(
        chart,
        "web",
        image="nginx:1",
        server="nginx",
        security=Security(
            run_as_non_root=False,
            capabilities=Capabilities(add=["NET_BIND_SERVICE", "CHOWN"]),
            reasons={"run_as_non_root": "nginx starts as root", "capabilities.add": "nginx chowns its cache"},
        ),
    )
    level, exceptions = pod_security_of([nginx, ApiService(chart, "api", image="api:1")])
    assert level == "baseline"
    AppNamespace(chart, "todo", pod_security=level, pod_security_exceptions=exceptions)
    meta = namespace(chart)["metadata"]
    assert {k: v for k, v in meta["labels"].items() if k.startswith("pod-security")} == {  # type: ignore[index]
        "pod-security.kubernetes.io/enforce": "baseline",
        "pod-security.kubernetes.io/enforce-version": "v1.27",
        "pod-security.kubernetes.io/warn": "restricted",
        "pod-security.kubernetes.io/warn-version": "v1.27",
        "pod-security.kubernetes.io/audit": "restricted",
        "pod-security.kubernetes.io/audit-version": "v1.27",
    }
    assert meta["annotations"] == {  # type: ignore[index]
        "pod-security-exceptions": "web: run_as_non_root=False lets the container run as root (nginx starts as "
        "root); capabilities.add ['CHOWN'] goes beyond NET_BIND_SERVICE (nginx chowns its cache)"
    }
    assert pod_security_labels("privileged")["pod-security.kubernetes.io/enforce"] == "privileged"


@pytest.mark.parametrize("name", ["kube-system", "kube-public", "kube-anything"])
def test_never_one_of_the_clusters_own(chart: cdk8s.Chart, name: str) -> None:
    with pytest.raises(PropsError, match=f"name: {name} is one of the cluster's own namespaces"):
        AppNamespace(chart, "ns", name=name)
