"""Pods start whatever user the image names (issue 29, item 10): every kind runs as a numeric,
non-root UID and a non-zero GID by default (10001/10001), overridable; fsGroup where a volume needs
it; extra containers and cdk8s-plus workloads (``harden``) alike.

:func:`kubelet_refusals` plays what the kubelet checks when it starts a container whose image
names its user (``USER appuser``): with ``runAsNonRoot`` and no numeric ``runAsUser`` (the
container's, else the pod's) it refuses (CreateContainerConfigError); without ``runAsGroup`` the
process runs with GID 0."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import cdk8s
import cdk8s_plus_27 as kp
import pytest

from webapp_constructs._api_service import ApiService
from webapp_constructs._harden import harden
from webapp_constructs._mcp_service import McpService
from webapp_constructs._migration_job import MigrationJob
from webapp_constructs._pod_props import Container, Security, Volume
from webapp_constructs._pod_security import pod_spec_of
from webapp_constructs._scheduled_job import ScheduledJob
from webapp_constructs._web_service import WebService
from webapp_constructs._worker_service import WorkerService

IMAGE = "shop/app:1"  # built with USER appuser: a name, not a number


def kubelet_refusals(pod: dict[str, Any]) -> list[str]:
    """Why the kubelet would not start (or start as GID 0) each container of ``pod`` (a pod
    spec), for an image whose ``USER`` is a name."""
    found = []
    pod_context = pod.get("securityContext", {})
    for container in [*pod.get("initContainers", []), *pod["containers"]]:
        own = container.get("securityContext", {})
        non_root = own.get("runAsNonRoot", pod_context.get("runAsNonRoot", False))
        user = own.get("runAsUser", pod_context.get("runAsUser"))
        group = own.get("runAsGroup", pod_context.get("runAsGroup"))
        if non_root and not isinstance(user, int):
            found.append(f"{container['name']}: CreateContainerConfigError (runAsNonRoot, image has non-numeric user)")
        if non_root and not group:
            found.append(f"{container['name']}: runs with GID 0")
    return found


def chart() -> cdk8s.Chart:
    return cdk8s.Chart(cdk8s.Testing.app(), "test", namespace="test")


def pods(scope: cdk8s.Chart) -> list[dict[str, Any]]:
    found = [pod_spec_of(m) for m in cdk8s.Testing.synth(scope)]
    return [dict(pod) for pod in found if pod is not None]


KINDS: dict[str, Callable[..., Any]] = {
    "api": lambda c, **o: ApiService(c, "x", image=IMAGE, **o),
    "web": lambda c, **o: WebService(c, "x", image=IMAGE, **o),
    "mcp": lambda c, **o: McpService(c, "x", image=IMAGE, **o),
    "worker": lambda c, **o: WorkerService(c, "x", image=IMAGE, **o),
    "scheduled": lambda c, **o: ScheduledJob(c, "x", image=IMAGE, schedule="0 3 * * *", **o),
    "migration": lambda c, **o: MigrationJob(c, "x", image=IMAGE, before=[ApiService(c, "api", image=IMAGE)], **o),
}


@pytest.mark.parametrize("kind", list(KINDS))
def test_every_kind_starts_an_image_that_names_its_user(kind: str) -> None:
    scope = chart()
    KINDS[kind](scope)
    for pod in pods(scope):
        assert kubelet_refusals(pod) == []
        assert {k: pod["securityContext"].get(k) for k in ("runAsUser", "runAsGroup", "fsGroup")} == {
            "runAsUser": 10001,
            "runAsGroup": 10001,
            "fsGroup": None,  # no volume needs it
        }


@pytest.mark.parametrize("kind", list(KINDS))
def test_the_user_and_group_are_overridable(kind: str) -> None:
    scope = chart()
    KINDS[kind](scope, security=Security(run_as_user=1000))
    pod = pods(scope)[-1]  # a migration's Job comes after the Deployment it runs before
    assert (pod["securityContext"]["runAsUser"], pod["securityContext"]["runAsGroup"]) == (1000, 1000)
    scope = chart()
    KINDS[kind](scope, security=Security(run_as_user=1000, run_as_group=3000, fs_group=4000))
    contexts = [p["securityContext"] for p in pods(scope)]
    assert {"runAsUser": 1000, "runAsGroup": 3000, "fsGroup": 4000}.items() <= contexts[-1].items()


def test_a_root_image_keeps_its_own_user() -> None:
    scope = chart()
    why = {"run_as_non_root": "nginx starts as root to switch user"}
    WebService(scope, "x", image="nginx:1", server="nginx", security=Security(run_as_non_root=False, reasons=why))
    (pod,) = pods(scope)
    assert "runAsUser" not in pod["securityContext"]
    assert "runAsGroup" not in pod["securityContext"]
    assert kubelet_refusals(pod) == []


def test_fs_group_where_a_volume_needs_it() -> None:
    for volume, fs_group in (
        (Volume.secret("keys", "/etc/keys"), 10001),
        (Volume.pvc("data", "/var/lib/app"), 10001),
        (Volume.config_map("settings", "/etc/app"), None),
        (Volume.empty_dir("/cache"), None),
    ):
        scope = chart()
        ApiService(scope, "x", image=IMAGE, volumes=[volume])
        (pod,) = pods(scope)
        assert pod["securityContext"].get("fsGroup") == fs_group, volume.kind
    scope = chart()
    ApiService(scope, "x", image=IMAGE, volumes=[Volume.secret("keys", "/etc/keys")], security=Security(run_as_user=1001))
    assert pods(scope)[0]["securityContext"]["fsGroup"] == 1001
    scope = chart()
    ApiService(scope, "x", image=IMAGE, sidecars=[Container(name="s", image=IMAGE, volumes=[Volume.secret("k", "/etc/k")])])
    assert pods(scope)[0]["securityContext"]["fsGroup"] == 10001  # an extra container's volume counts too


def test_extra_containers_run_as_the_pod_or_as_their_own() -> None:
    scope = chart()
    root = Security(
        run_as_non_root=False,
        run_as_user=0,
        reasons={"run_as_non_root": "chowns the volume before start", "run_as_user": "chown needs root"},
    )
    ApiService(
        scope,
        "x",
        image=IMAGE,
        init_containers=[Container(name="plain", image=IMAGE), Container(name="chown", image=IMAGE, security=root)],
        sidecars=[Container(name="own", image=IMAGE, security=Security(run_as_user=2000))],
    )
    (pod,) = pods(scope)
    plain, chown = pod["initContainers"]
    assert "runAsUser" not in plain["securityContext"]  # the pod's
    assert (chown["securityContext"]["runAsUser"], chown["securityContext"].get("runAsGroup")) == (0, None)
    own = pod["containers"][1]["securityContext"]
    assert (own["runAsUser"], own["runAsGroup"]) == (2000, 2000)
    assert kubelet_refusals(pod) == []
    # the main container runs as the image's root: a non-root extra container gets its own numeric user
    scope = chart()
    why = {"run_as_non_root": "nginx starts as root to switch user"}
    WebService(
        scope,
        "x",
        image="nginx:1",
        server="nginx",
        security=Security(run_as_non_root=False, reasons=why),
        sidecars=[Container(name="exporter", image=IMAGE, port=9113)],
    )
    (pod,) = pods(scope)
    exporter = pod["containers"][1]["securityContext"]
    assert (exporter["runAsUser"], exporter["runAsGroup"]) == (10001, 10001)
    assert kubelet_refusals(pod) == []


def test_the_checker_refuses_what_the_kubelet_refuses() -> None:
    named = {"securityContext": {"runAsNonRoot": True}, "containers": [{"name": "main"}]}
    assert len(kubelet_refusals(named)) == 2
    group_zero = {"securityContext": {"runAsNonRoot": True, "runAsUser": 10001}, "containers": [{"name": "main"}]}
    assert kubelet_refusals(group_zero) == ["main: runs with GID 0"]


def test_harden_gives_a_cdk8s_plus_pod_a_numeric_user_and_group() -> None:
    scope = chart()
    web = kp.Deployment(scope, "web", containers=[kp.ContainerProps(image=IMAGE)])
    harden(web)
    (pod,) = pods(scope)
    assert (pod["securityContext"]["runAsUser"], pod["securityContext"]["runAsGroup"]) == (10001, 10001)
    assert kubelet_refusals(pod) == []
    scope = chart()
    web = kp.Deployment(scope, "web", containers=[kp.ContainerProps(image=IMAGE)])
    harden(web, run_as_user=1000, run_as_group=2000)
    (pod,) = pods(scope)
    assert (pod["securityContext"]["runAsUser"], pod["securityContext"]["runAsGroup"]) == (1000, 2000)
    scope = chart()
    web = kp.Deployment(scope, "web", containers=[kp.ContainerProps(image="shop/numeric:1")])
    harden(web, run_as_user="image")  # the image's own user, which must be a number
    (pod,) = pods(scope)
    assert "runAsUser" not in pod["securityContext"]
    assert "runAsGroup" not in pod["securityContext"]
    # what the workload's own pod security context names is kept; fsGroup where a volume needs it
    scope = chart()
    context = kp.PodSecurityContextProps(user=1000, group=1000)
    web = kp.Deployment(scope, "web", containers=[kp.ContainerProps(image=IMAGE)], security_context=context)
    keys = kp.Secret(scope, "keys", string_data={"a": "b"})
    web.containers[0].mount("/etc/keys", kp.Volume.from_secret(scope, "keys-volume", keys))
    harden(web)
    (pod,) = pods(scope)
    assert {k: pod["securityContext"][k] for k in ("runAsUser", "runAsGroup", "fsGroup")} == {
        "runAsUser": 1000,
        "runAsGroup": 1000,
        "fsGroup": 1000,
    }
    scope = chart()
    web = kp.Deployment(scope, "web", containers=[kp.ContainerProps(image=IMAGE)], security_context=context)
    harden(web, run_as_user=2000)  # named here: it wins
    assert pods(scope)[0]["securityContext"]["runAsUser"] == 2000
    bad: Any
    for bad, what in (
        ("1000", "not a number"),
        (True, "not a number"),
        (-1, "user or group id"),
        (0, "0 is root"),
        ("root", "image"),
    ):
        with pytest.raises(ValueError, match=what):
            harden(web, run_as_user=bad)
    with pytest.raises(ValueError, match="run_as_group"):
        harden(web, run_as_group="x")  # type: ignore[arg-type]
