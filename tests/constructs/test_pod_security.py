"""The Pod Security Standards, read off any pod spec."""

from __future__ import annotations

from typing import Any

import pytest

from tests.restricted import restricted_violations
from webapp_constructs._pod_security import evaluate, evaluate_object, stricter

RESTRICTED: dict[str, Any] = {
    "securityContext": {"runAsNonRoot": True, "seccompProfile": {"type": "RuntimeDefault"}},
    "containers": [{"name": "app", "securityContext": {"allowPrivilegeEscalation": False, "capabilities": {"drop": ["ALL"]}}}],
}


def with_container(**security: Any) -> dict[str, Any]:
    container = {"name": "app", "securityContext": {**RESTRICTED["containers"][0]["securityContext"], **security}}
    return {**RESTRICTED, "containers": [container]}


@pytest.mark.parametrize(
    ("spec", "level", "why"),
    [
        (RESTRICTED, "restricted", ""),
        (with_container(capabilities={"drop": ["ALL"], "add": ["NET_BIND_SERVICE"]}), "restricted", ""),
        (with_container(capabilities={"drop": []}), "baseline", "does not drop ALL"),
        (with_container(allowPrivilegeEscalation=True), "baseline", "allowPrivilegeEscalation"),
        (with_container(runAsNonRoot=False), "baseline", "runAsNonRoot"),
        (with_container(capabilities={"drop": ["ALL"], "add": ["CHOWN"]}), "baseline", "adds ['CHOWN']"),
        (with_container(capabilities={"drop": ["ALL"], "add": ["SYS_ADMIN"]}), "privileged", "adds ['SYS_ADMIN']"),
        (with_container(privileged=True), "privileged", "is privileged"),
        ({**RESTRICTED, "hostNetwork": True}, "privileged", "hostNetwork"),
        ({**RESTRICTED, "volumes": [{"name": "h", "hostPath": {"path": "/"}}]}, "privileged", "hostPath"),
        ({**RESTRICTED, "securityContext": {"runAsNonRoot": True}}, "baseline", "seccompProfile"),
        (
            {**RESTRICTED, "initContainers": [{"name": "init", "securityContext": {}}]},
            "baseline",
            "container init does not",
        ),
    ],
)
def test_levels(spec: dict[str, Any], level: str, why: str) -> None:
    found = evaluate(spec)
    assert found.level == level
    assert why in "; ".join(found.below("restricted"))
    assert found.below("privileged") == []


def test_stricter_is_what_both_meet() -> None:
    assert stricter("restricted", "baseline") == "baseline"
    assert stricter("privileged", "baseline") == "privileged"


# Issue 28, item 7: every rule of the Pod Security Standards (1.27), each at its boundary, the
# annotations included. Each case is also read by the tests' own checker (tests/restricted.py,
# written apart from the library's): both must agree on whether the pod is "restricted".

APPARMOR = "container.apparmor.security.beta.kubernetes.io/app"
SECCOMP_POD = "seccomp.security.alpha.kubernetes.io/pod"
SECCOMP_CONTAINER = "container.seccomp.security.alpha.kubernetes.io/app"


def with_pod(**fields: Any) -> dict[str, Any]:
    return {**RESTRICTED, **fields}


def with_pod_context(**security: Any) -> dict[str, Any]:
    return {**RESTRICTED, "securityContext": {**RESTRICTED["securityContext"], **security}}


def sysctl(name: str) -> dict[str, Any]:
    return with_pod_context(sysctls=[{"name": name, "value": "1"}])


CASES: list[tuple[str, dict[str, Any], dict[str, str], str]] = [
    # AppArmor: only runtime/default or localhost/*
    ("apparmor unconfined", RESTRICTED, {APPARMOR: "unconfined"}, "privileged"),
    ("apparmor empty", RESTRICTED, {APPARMOR: ""}, "privileged"),
    ("apparmor runtime/default", RESTRICTED, {APPARMOR: "runtime/default"}, "restricted"),
    ("apparmor localhost", RESTRICTED, {APPARMOR: "localhost/k8s-nginx"}, "restricted"),
    ("another annotation", RESTRICTED, {"prometheus.io/scrape": "true"}, "restricted"),
    # the legacy seccomp annotations
    ("seccomp pod annotation unconfined", RESTRICTED, {SECCOMP_POD: "unconfined"}, "privileged"),
    ("seccomp pod annotation runtime/default", RESTRICTED, {SECCOMP_POD: "runtime/default"}, "restricted"),
    ("seccomp container annotation unconfined", RESTRICTED, {SECCOMP_CONTAINER: "unconfined"}, "privileged"),
    ("seccomp container annotation docker/default", RESTRICTED, {SECCOMP_CONTAINER: "docker/default"}, "restricted"),
    # sysctls: only the safe set of 1.27
    ("sysctl kernel.core_pattern", sysctl("kernel.core_pattern"), {}, "privileged"),
    ("sysctl net.core.somaxconn", sysctl("net.core.somaxconn"), {}, "privileged"),
    ("sysctl tcp_keepalive_time (safe from 1.29 only)", sysctl("net.ipv4.tcp_keepalive_time"), {}, "privileged"),
    ("sysctl ip_local_port_range", sysctl("net.ipv4.ip_local_port_range"), {}, "restricted"),
    ("sysctl ip_local_reserved_ports (safe since 1.27)", sysctl("net.ipv4.ip_local_reserved_ports"), {}, "restricted"),
    # host namespaces, ports and paths
    ("hostPID", with_pod(hostPID=True), {}, "privileged"),
    ("hostIPC", with_pod(hostIPC=True), {}, "privileged"),
    ("hostPID false", with_pod(hostPID=False), {}, "restricted"),
    # proc mount, SELinux, Windows hostProcess
    ("procMount Unmasked", with_container(procMount="Unmasked"), {}, "privileged"),
    ("procMount Default", with_container(procMount="Default"), {}, "restricted"),
    ("SELinux type spc_t", with_container(seLinuxOptions={"type": "spc_t"}), {}, "privileged"),
    ("SELinux type container_t", with_container(seLinuxOptions={"type": "container_t", "level": "s0:c1"}), {}, "restricted"),
    ("SELinux user", with_pod_context(seLinuxOptions={"user": "system_u"}), {}, "privileged"),
    ("SELinux role", with_container(seLinuxOptions={"role": "sysadm_r"}), {}, "privileged"),
    ("pod hostProcess", with_pod_context(windowsOptions={"hostProcess": True}), {}, "privileged"),
    ("container hostProcess", with_container(windowsOptions={"hostProcess": True}), {}, "privileged"),
    ("container not hostProcess", with_container(windowsOptions={"hostProcess": False}), {}, "restricted"),
    # capabilities, privileged, escalation
    ("privileged false", with_container(privileged=False), {}, "restricted"),
    ("adds NET_RAW", with_container(capabilities={"drop": ["ALL"], "add": ["NET_RAW"]}), {}, "privileged"),
    ("adds KILL", with_container(capabilities={"drop": ["ALL"], "add": ["KILL"]}), {}, "baseline"),
    # volumes
    ("nfs volume", with_pod(volumes=[{"name": "n", "nfs": {"server": "s", "path": "/"}}]), {}, "baseline"),
    ("csi volume", with_pod(volumes=[{"name": "c", "csi": {"driver": "d"}}]), {}, "restricted"),
    # users and seccomp
    ("pod runAsNonRoot false", with_pod_context(runAsNonRoot=False), {}, "baseline"),
    (
        "pod runAsNonRoot false, every container true",
        {**with_pod_context(runAsNonRoot=False), "containers": [with_container(runAsNonRoot=True)["containers"][0]]},
        {},
        "baseline",
    ),
    ("container runAsUser 0", with_container(runAsUser=0), {}, "baseline"),
    ("pod runAsUser 0", with_pod_context(runAsUser=0), {}, "baseline"),
    ("container runAsUser 1", with_container(runAsUser=1), {}, "restricted"),
    ("seccomp Localhost", with_pod_context(seccompProfile={"type": "Localhost", "localhostProfile": "p.json"}), {}, "restricted"),
    ("pod seccomp Unconfined", with_pod_context(seccompProfile={"type": "Unconfined"}), {}, "privileged"),
    ("container seccomp Unconfined", with_container(seccompProfile={"type": "Unconfined"}), {}, "privileged"),
    # every kind of container counts
    ("ephemeral container unhardened", with_pod(ephemeralContainers=[{"name": "debug"}]), {}, "baseline"),
    (
        "ephemeral container privileged",
        with_pod(ephemeralContainers=[{"name": "d", "securityContext": {"privileged": True}}]),
        {},
        "privileged",
    ),
]
CASES.append(
    (
        "hostPort 8080",
        {**RESTRICTED, "containers": [{**RESTRICTED["containers"][0], "ports": [{"containerPort": 80, "hostPort": 8080}]}]},
        {},
        "privileged",
    )
)
CASES.append(
    (
        "hostPort 0",
        {**RESTRICTED, "containers": [{**RESTRICTED["containers"][0], "ports": [{"containerPort": 80, "hostPort": 0}]}]},
        {},
        "restricted",
    )
)


@pytest.mark.parametrize(("spec", "annotations", "level"), [case[1:] for case in CASES], ids=[case[0] for case in CASES])
def test_every_rule_at_its_boundary(spec: dict[str, Any], annotations: dict[str, str], level: str) -> None:
    found = evaluate(spec, annotations)
    assert found.level == level, found.violations
    assert (found.level == "restricted") == (restricted_violations(spec, annotations) == [])
    if level != "restricted":
        assert found.breaks("restricted")
        assert all(why.endswith(("(breaks baseline)", "(breaks restricted)")) for why in found.breaks("restricted"))


def test_a_windows_pod_is_exempt_from_the_linux_rules_of_restricted() -> None:
    bare = {"os": {"name": "windows"}, "securityContext": {"runAsNonRoot": True}, "containers": [{"name": "app"}]}
    assert evaluate(bare).level == "restricted"
    assert evaluate({**bare, "os": {"name": "linux"}}).level == "baseline"


def test_the_checkers_can_fail() -> None:
    # Neither reading passes everything: the same broken pod is refused by both.
    broken = with_container(privileged=True)
    assert evaluate(broken).level == "privileged"
    assert restricted_violations(broken) == ["app: privileged"]


def test_the_pod_of_every_workload_kind_is_read_with_its_annotations() -> None:
    template = {"metadata": {"annotations": {APPARMOR: "unconfined"}}, "spec": RESTRICTED}
    for manifest in (
        {"kind": "Deployment", "spec": {"template": template}},
        {"kind": "ReplicationController", "spec": {"template": template}},
        {"kind": "CronJob", "spec": {"jobTemplate": {"spec": {"template": template}}}},
        {"kind": "PodTemplate", "template": template},
        {"kind": "Pod", **template},
    ):
        found = evaluate_object(manifest)
        assert found is not None
        assert found.level == "privileged", manifest["kind"]
    assert evaluate_object({"kind": "ConfigMap"}) is None


def test_a_hostile_shape_is_read_not_a_traceback() -> None:
    odd: dict[str, Any] = {
        "securityContext": {
            "sysctls": [{"name": ["kernel.core_pattern"]}, "x"],
            "seLinuxOptions": {"type": ["spc_t"]},
            "runAsUser": False,
        },
        "containers": [
            {"name": "app", "securityContext": {"capabilities": {"add": [{"x": 1}, "SYS_ADMIN"], "drop": "ALL"}}},
            "x",
        ],
        "volumes": ["x", {"name": "v", "hostPath": None}],
        "initContainers": {"name": "not a list"},
    }
    found = evaluate(odd, {"container.apparmor.security.beta.kubernetes.io/app": None})
    assert found.level == "privileged"
    reasons = "; ".join(found.below("restricted"))
    assert "adds ['SYS_ADMIN']" in reasons
    assert "does not drop ALL" in reasons
    assert "runs as user 0" not in reasons  # runAsUser false is no user (the API server refuses it)
    assert evaluate_object({"kind": "Deployment", "spec": {"template": "x"}}) == evaluate({})
