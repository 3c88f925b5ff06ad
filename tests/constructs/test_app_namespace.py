"""AppNamespace: the Namespace enforces the Pod Security Standard the app's pods meet."""

from __future__ import annotations

from typing import Any

import cdk8s
import cdk8s_plus_27 as kp
import pytest

from tests.helpers import one
from webapp_constructs._api_service import ApiService
from webapp_constructs._app_namespace import AppNamespace, namespace_pod_security, pod_security_labels, pod_security_of
from webapp_constructs._harden import harden
from webapp_constructs._manifest import audit_reasons
from webapp_constructs._pod_props import Capabilities, Security
from webapp_constructs._props import PropsError
from webapp_constructs._web_service import WebService


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


# Issue 28, item 6: the cluster's own namespaces, whichever way the Namespace is named.


@pytest.mark.parametrize(
    ("chart_namespace", "id", "name"),
    [
        (None, "ns", "default"),
        ("default", "ns", None),
        (None, "default", None),
        ("kube-system", "ns", None),
        (None, "kube-public", None),
    ],
)
def test_no_namespace_of_the_cluster_whichever_way_it_is_named(chart_namespace: str | None, id: str, name: str | None) -> None:
    chart = cdk8s.Chart(cdk8s.Testing.app(), "c", namespace=chart_namespace)
    with pytest.raises(PropsError, match=r"AppNamespace '.*': name: (default|kube-\w+) is (one of )?the cluster's own"):
        AppNamespace(chart, id, name=name)


@pytest.mark.parametrize("name", ["default-app", "kubeapps", "my-kube-system"])
def test_a_namespace_of_the_apps_own_next_to_them(name: str) -> None:
    AppNamespace(cdk8s.Chart(cdk8s.Testing.app(), "c", namespace=name), "ns")
    AppNamespace(cdk8s.Chart(cdk8s.Testing.app(), "c"), name)


# Issue 28, item 7: the finished objects (after JSON patches and every escape hatch) against the
# level their Namespace enforces, ours, cdk8s-plus's and plain ApiObjects alike.


def shop() -> tuple[cdk8s.App, cdk8s.Chart]:
    app = cdk8s.App()
    chart = cdk8s.Chart(app, "shop", namespace="shop")
    AppNamespace(chart, "ns")
    return app, chart


def hardened_redis(chart: cdk8s.Chart, **props: Any) -> kp.Deployment:
    redis = kp.Deployment(chart, "redis", containers=[kp.ContainerProps(image="redis:7.2", port_number=6379)], **props)
    harden(redis, writable_paths=["/data"])
    return redis


@pytest.mark.parametrize(
    ("patch", "refused"),
    [
        (cdk8s.JsonPatch.add("/spec/template/spec/hostPID", True), "hostPID: true (breaks baseline)"),
        (cdk8s.JsonPatch.add("/spec/template/spec/hostPID", False), None),
        (
            cdk8s.JsonPatch.add("/spec/template/spec/containers/0/securityContext/privileged", True),
            "is privileged (breaks baseline)",
        ),
        (cdk8s.JsonPatch.add("/spec/template/spec/containers/0/securityContext/privileged", False), None),
        (
            cdk8s.JsonPatch.add(
                "/spec/template/metadata/annotations", {"seccomp.security.alpha.kubernetes.io/pod": "unconfined"}
            ),
            "legacy seccomp annotation",
        ),
        (
            cdk8s.JsonPatch.add(
                "/spec/template/metadata/annotations", {"seccomp.security.alpha.kubernetes.io/pod": "runtime/default"}
            ),
            None,
        ),
    ],
)
def test_a_json_patch_on_our_deployment_is_checked(patch: cdk8s.JsonPatch, refused: str | None) -> None:
    app, chart = shop()
    api = ApiService(chart, "api", image="shop/api:1.4.0")
    cdk8s.ApiObject.of(api.deployment).add_json_patch(patch)
    problems = namespace_pod_security(app)
    if refused is None:
        assert problems == []
        return
    (line,) = problems
    assert line.startswith(
        "Deployment api (shop/api) does not meet the Pod Security Standard 'restricted' that namespace shop enforces: "
    )
    assert refused in line
    assert "Remove the JSON patch or annotation that sets it" in line
    assert line.endswith("or give AppNamespace(pod_security='privileged') on purpose")


@pytest.mark.parametrize(
    ("annotation", "accepted"),
    [
        ({"container.apparmor.security.beta.kubernetes.io/main": "unconfined"}, False),
        ({"container.apparmor.security.beta.kubernetes.io/main": "runtime/default"}, True),
        ({"seccomp.security.alpha.kubernetes.io/pod": "unconfined"}, False),
        ({"seccomp.security.alpha.kubernetes.io/pod": "localhost/redis.json"}, True),
    ],
)
def test_pod_annotations_of_a_hardened_kp_pod(annotation: dict[str, str], accepted: bool) -> None:
    app, chart = shop()
    redis = hardened_redis(chart)
    for key, value in annotation.items():
        redis.pod_metadata.add_annotation(key, value)
    problems = namespace_pod_security(app)
    assert (problems == []) is accepted
    if not accepted:
        assert problems[0].startswith("Deployment 'redis' (shop/redis) does not meet the Pod Security Standard 'restricted'")
        assert "(breaks baseline)" in problems[0]


@pytest.mark.parametrize(
    ("name", "accepted"),
    [("kernel.core_pattern", False), ("net.core.somaxconn", False), ("net.ipv4.ip_local_port_range", True)],
)
def test_sysctls_of_a_hardened_kp_pod(name: str, accepted: bool) -> None:
    app, chart = shop()
    hardened_redis(chart, security_context=kp.PodSecurityContextProps(sysctls=[kp.Sysctl(name=name, value="1")]))
    problems = namespace_pod_security(app)
    assert (problems == []) is accepted
    if not accepted:
        assert f"the pod sets sysctl {name}" in problems[0]


def test_a_plain_api_object_is_checked_too() -> None:
    app, chart = shop()
    pod = {"containers": [{"name": "debug", "image": "busybox:1.36"}], "volumes": [{"name": "root", "hostPath": {"path": "/"}}]}
    debug = cdk8s.ApiObject(chart, "debug", api_version="v1", kind="Pod", metadata={"name": "debug"})
    debug.add_json_patch(cdk8s.JsonPatch.add("/spec", pod))
    (line,) = namespace_pod_security(app)
    assert line.startswith("Pod debug (shop/debug) does not meet")
    assert "volume root is a hostPath (breaks baseline)" in line
    assert "container debug does not set allowPrivilegeEscalation: false (breaks restricted)" in line


def test_the_synth_refuses_and_a_level_given_on_purpose_accepts(tmp_path: Any) -> None:
    app, chart = shop()
    api = ApiService(chart, "api", image="shop/api:1.4.0")
    cdk8s.ApiObject.of(api.deployment).add_json_patch(cdk8s.JsonPatch.add("/spec/template/spec/hostPID", True))
    with pytest.raises(RuntimeError, match=r"Deployment api \(shop/api\) does not meet .*hostPID: true \(breaks baseline\)"):
        app.synth()
    app = cdk8s.App(outdir=str(tmp_path))
    chart = cdk8s.Chart(app, "shop", namespace="shop")
    AppNamespace(chart, "ns", pod_security="privileged")
    api = ApiService(chart, "api", image="shop/api:1.4.0")
    cdk8s.ApiObject.of(api.deployment).add_json_patch(cdk8s.JsonPatch.add("/spec/template/spec/hostPID", True))
    app.synth()


# Issue 28, item 8: a checkov skip annotation's reason, on any object, whichever way it got there.


@pytest.mark.parametrize(("reason", "accepted"), [("x", False), ("\u200b" * 11, False), ("the mesh probes it", True)])
def test_a_checkov_skip_annotation_needs_its_reason_everywhere(reason: str, accepted: bool) -> None:
    app, chart = shop()
    annotation = {"checkov.io/skip9": f"CKV_K8S_8={reason}"}
    if accepted:
        ApiService(chart, "api", image="shop/api:1.4.0", annotations=annotation, pod_annotations=annotation)
    else:
        with pytest.raises(PropsError, match=r"annotations: annotation checkov.io/skip9: the reason for CKV_K8S_8: .* visible"):
            ApiService(chart, "api", image="shop/api:1.4.0", annotations=annotation)
        with pytest.raises(
            PropsError, match=r"pod_annotations: annotation checkov.io/skip9: the reason for CKV_K8S_8: .* visible"
        ):
            ApiService(chart, "api", image="shop/api:1.4.0", pod_annotations=annotation)
    redis = hardened_redis(chart)
    redis.metadata.add_annotation("checkov.io/skip9", f"CKV_K8S_8={reason}")
    redis.pod_metadata.add_annotation("checkov.io/skip3", f"CKV_K8S_9={reason}")
    problems = audit_reasons(app)
    if accepted:
        assert problems == []
        return
    assert [line.split(":")[0] for line in problems] == ["Deployment 'redis' (shop/redis)"] * 2
    assert "annotation checkov.io/skip9: the reason for CKV_K8S_8" in problems[0]
    assert "annotation (pod) checkov.io/skip3: the reason for CKV_K8S_9" in problems[1]


@pytest.mark.parametrize("value", ["CKV_K8S_8", "CKV_K8S_8=", "checkov:skip=CKV_K8S_8"])
def test_a_skip_without_any_reason(value: str) -> None:
    from webapp_constructs._audit import audit_annotation_problems

    key = "checkov.io/skip1" if value.startswith("CKV") else "note"
    (problem,) = audit_annotation_problems({key: value})
    assert "CKV_K8S_8" in problem
    assert audit_annotation_problems({key: value.rstrip("=") + ("=" if key != "note" else ":") + "a reason that says why"}) == []


def test_a_namespace_refused_for_its_chart_leaves_nothing_in_the_tree() -> None:
    """Refused before it joins the tree: the app synthesizes as before (it used to end in an
    AttributeError from the half-made Namespace), and the ID is free."""
    from webapp_constructs import App

    app = App(outdir="unused")
    chart = cdk8s.Chart(app, "other", namespace="other")
    with pytest.raises(PropsError, match="name: shop is not the chart's namespace other"):
        AppNamespace(chart, "ns", name="shop")
    assert chart.node.children == []
    AppNamespace(chart, "ns")
    assert [m["metadata"]["name"] for m in cdk8s.Testing.synth(chart)] == ["other"]
