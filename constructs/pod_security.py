"""The Pod Security Standards, checked on a rendered pod spec: the strictest level a pod meets, and
why it falls below the others.

The rules are those of Pod Security Admission (``k8s.io/pod-security-admission/policy``, levels as of
Kubernetes 1.27) that a workload's own spec decides: every container and init container counts,
a container's security context overrides the pod's. It reads any pod spec, ours or cdk8s-plus's,
so a Namespace can enforce what every pod of a chart meets.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, Literal, Self

from .record import Record, item

__all__ = ["BASELINE_CAPABILITIES", "LEVELS", "Level", "PodSecurity", "evaluate", "pod_spec_of", "stricter"]

Level = Literal["restricted", "baseline", "privileged"]
LEVELS: tuple[Level, ...] = ("restricted", "baseline", "privileged")

BASELINE_CAPABILITIES = frozenset(
    {"AUDIT_WRITE", "CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL", "MKNOD", "NET_BIND_SERVICE"}
    | {"SETFCAP", "SETGID", "SETPCAP", "SETUID", "SYS_CHROOT"}
)
"""The capabilities "baseline" lets a container add (``capabilities_baseline``)."""

_RESTRICTED_VOLUMES = frozenset(
    {"configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "persistentVolumeClaim", "projected", "secret"}
)


class PodSecurity(Record):
    """What a pod spec meets: its level, and each rule it breaks, as ``(level it breaks, why)``."""

    __slots__ = ()
    _fields = ("level", "violations")

    def __new__(cls, level: Level, violations: tuple[tuple[Level, str], ...] = ()) -> Self:
        return tuple.__new__(cls, (level, violations))

    level: Level = item(0)

    violations: tuple[tuple[Level, str], ...] = item(1)

    def below(self, level: Level) -> list[str]:
        """Why the pod does not meet ``level`` (empty when it does)."""
        # A rule of "baseline" broken breaks "restricted" too.
        return [why for broken, why in self.violations if LEVELS.index(broken) >= LEVELS.index(level)]


def stricter(first: Level, second: Level) -> Level:
    """The less strict of two levels: what both meet."""
    return first if LEVELS.index(first) >= LEVELS.index(second) else second


def pod_spec_of(manifest: Mapping[str, Any]) -> Mapping[str, Any] | None:
    """The pod spec of a rendered workload (Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet,
    Job, CronJob), or None for any other object."""
    kind = manifest.get("kind")
    spec = manifest.get("spec") or {}
    if kind == "Pod":
        return spec
    if kind == "CronJob":
        spec = ((spec.get("jobTemplate") or {}).get("spec")) or {}
    if kind in ("Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job", "CronJob"):
        template = spec.get("template") or {}
        found = template.get("spec")
        return found if isinstance(found, Mapping) else {}
    return None


def _containers(spec: Mapping[str, Any]) -> Iterator[Mapping[str, Any]]:
    for field in ("initContainers", "containers", "ephemeralContainers"):
        for container in spec.get(field) or []:
            if isinstance(container, Mapping):
                yield container


def evaluate(spec: Mapping[str, Any]) -> PodSecurity:
    """The strictest Pod Security Standard the pod spec ``spec`` meets, and why not a stricter one."""
    found: list[tuple[Level, str]] = []
    pod = spec.get("securityContext") or {}
    for field in ("hostNetwork", "hostPID", "hostIPC"):
        if spec.get(field):
            found.append(("baseline", f"{field}: true"))
    volumes = [volume for volume in spec.get("volumes") or [] if isinstance(volume, Mapping)]
    for volume in volumes:
        kinds = set(volume) - {"name"}
        if "hostPath" in kinds:
            found.append(("baseline", f"volume {volume.get('name')} is a hostPath"))
        elif kinds and not kinds <= _RESTRICTED_VOLUMES:
            found.append(("restricted", f"volume {volume.get('name')} is of type {', '.join(sorted(kinds))}"))
    pod_seccomp = (pod.get("seccompProfile") or {}).get("type")
    if pod_seccomp == "Unconfined":
        found.append(("baseline", "the pod's seccompProfile is Unconfined"))
    if pod.get("runAsUser") == 0:
        found.append(("restricted", "the pod runs as user 0 (root)"))
    for container in _containers(spec):
        name = container.get("name", "?")
        own = container.get("securityContext") or {}
        if own.get("privileged"):
            found.append(("baseline", f"container {name} is privileged"))
        capabilities = own.get("capabilities") or {}
        added = set(capabilities.get("add") or [])
        if added - BASELINE_CAPABILITIES:
            found.append(("baseline", f"container {name} adds {sorted(added - BASELINE_CAPABILITIES)}"))
        elif added - {"NET_BIND_SERVICE"}:
            found.append(("restricted", f"container {name} adds {sorted(added - {'NET_BIND_SERVICE'})}"))
        if "ALL" not in (capabilities.get("drop") or []):
            found.append(("restricted", f"container {name} does not drop ALL capabilities"))
        if own.get("allowPrivilegeEscalation") is not False:
            found.append(("restricted", f"container {name} does not set allowPrivilegeEscalation: false"))
        non_root = own.get("runAsNonRoot", pod.get("runAsNonRoot"))
        if non_root is not True:
            found.append(("restricted", f"container {name} does not set runAsNonRoot: true"))
        if own.get("runAsUser") == 0:
            found.append(("restricted", f"container {name} runs as user 0 (root)"))
        seccomp = (own.get("seccompProfile") or {}).get("type", pod_seccomp)
        if seccomp == "Unconfined" and own.get("seccompProfile"):
            found.append(("baseline", f"container {name}'s seccompProfile is Unconfined"))
        elif seccomp not in ("RuntimeDefault", "Localhost"):
            found.append(("restricted", f"container {name} has no seccompProfile RuntimeDefault"))
        for port in container.get("ports") or []:
            if isinstance(port, Mapping) and port.get("hostPort"):
                found.append(("baseline", f"container {name} uses hostPort {port['hostPort']}"))
    level: Level = "restricted"
    if any(broken == "baseline" for broken, _ in found):
        level = "privileged"
    elif found:
        level = "baseline"
    return PodSecurity(level, tuple(found))
