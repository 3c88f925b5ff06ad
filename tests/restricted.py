"""The Pod Security Standard "restricted" (Kubernetes 1.27), written out again for the tests, apart
from the library's own reading of it (constructs/webapp_constructs/_pod_security.py): a test that used the library to
check the library would pass whatever the library got wrong."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

ALLOWED_VOLUMES = {"configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "persistentVolumeClaim", "projected", "secret"}
# The Pod Security Standards page (kubernetes.io/docs/concepts/security/pod-security-standards, v1.27):
SAFE_SYSCTLS = [
    "kernel.shm_rmid_forced",
    "net.ipv4.ip_local_port_range",
    "net.ipv4.ip_unprivileged_port_start",
    "net.ipv4.tcp_syncookies",
    "net.ipv4.ping_group_range",
    "net.ipv4.ip_local_reserved_ports",
]
SELINUX_TYPES = ["", "container_t", "container_init_t", "container_kvm_t"]


def _profile_allowed(value: str, also: tuple[str, ...] = ()) -> bool:
    return value == "runtime/default" or value in also or value[:10] == "localhost/"


def _annotation_violations(annotations: Mapping[str, Any]) -> list[str]:
    problems = []
    for key, value in annotations.items():
        if key.split("/")[0] == "container.apparmor.security.beta.kubernetes.io" and not _profile_allowed(value):
            problems.append(f"annotation {key}: {value}")
        seccomp = (
            key == "seccomp.security.alpha.kubernetes.io/pod"
            or key.split("/")[0] == "container.seccomp.security.alpha.kubernetes.io"
        )
        if seccomp and not _profile_allowed(value, ("docker/default",)):
            problems.append(f"annotation {key}: {value}")
    return problems


def _se_linux(options: Mapping[str, Any], who: str) -> list[str]:
    bad = options.get("type", "") not in SELINUX_TYPES or options.get("user", "") != "" or options.get("role", "") != ""
    return [f"{who}: seLinuxOptions {dict(options)}"] if bad else []


def restricted_violations(pod_spec: Mapping[str, Any], annotations: Mapping[str, Any] | None = None) -> list[str]:
    """Every rule of "restricted" (and so of "baseline") the pod spec, with the pod's
    ``annotations``, breaks, each naming the container; [] when none. (Windows pods, which
    "restricted" exempts from a few rules, are not read here.)"""
    problems: list[str] = _annotation_violations(annotations or {})
    pod_context = pod_spec.get("securityContext", {})
    if pod_context.get("windowsOptions", {}).get("hostProcess"):
        problems.append("pod: hostProcess")
    problems += _se_linux(pod_context.get("seLinuxOptions", {}), "pod")
    for sysctl in pod_context.get("sysctls", []):
        if sysctl["name"] not in SAFE_SYSCTLS:
            problems.append(f"pod: sysctl {sysctl['name']}")
    if pod_context.get("runAsNonRoot") is False:
        problems.append("pod: runAsNonRoot false")
    if pod_context.get("seccompProfile", {}).get("type") == "Unconfined":
        problems.append("pod: seccompProfile Unconfined")
    for key in ("hostNetwork", "hostPID", "hostIPC"):
        if pod_spec.get(key):
            problems.append(f"pod: {key}")
    for volume in pod_spec.get("volumes", []):
        kinds = set(volume) - {"name"}
        if not kinds <= ALLOWED_VOLUMES:
            problems.append(f"volume {volume['name']}: {sorted(kinds)}")
    if pod_context.get("runAsUser") == 0:
        problems.append("pod: runAsUser 0")
    containers = [*pod_spec.get("initContainers", []), *pod_spec.get("containers", []), *pod_spec.get("ephemeralContainers", [])]
    for container in containers:
        name, context = container["name"], container.get("securityContext", {})
        if context.get("privileged"):
            problems.append(f"{name}: privileged")
        if context.get("windowsOptions", {}).get("hostProcess"):
            problems.append(f"{name}: hostProcess")
        if context.get("procMount", "Default") != "Default":
            problems.append(f"{name}: procMount {context['procMount']}")
        problems += _se_linux(context.get("seLinuxOptions", {}), name)
        if context.get("allowPrivilegeEscalation") is not False:
            problems.append(f"{name}: allowPrivilegeEscalation is not false")
        if context.get("runAsNonRoot", pod_context.get("runAsNonRoot")) is not True:
            problems.append(f"{name}: runAsNonRoot is not true")
        if context.get("runAsUser") == 0:
            problems.append(f"{name}: runAsUser 0")
        seccomp = context.get("seccompProfile", pod_context.get("seccompProfile", {})).get("type")
        if seccomp not in ("RuntimeDefault", "Localhost"):
            problems.append(f"{name}: seccompProfile {seccomp}")
        capabilities = context.get("capabilities", {})
        if "ALL" not in capabilities.get("drop", []):
            problems.append(f"{name}: capabilities not dropped")
        if set(capabilities.get("add", [])) - {"NET_BIND_SERVICE"}:
            problems.append(f"{name}: adds {capabilities['add']}")
        for port in container.get("ports", []):
            if port.get("hostPort", 0) != 0:
                problems.append(f"{name}: hostPort")
    return problems
