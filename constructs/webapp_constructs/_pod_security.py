"""The Pod Security Standards, checked on a rendered pod: the strictest level a pod meets, and
why it falls below the others.

The rules are those of Pod Security Admission (``k8s.io/pod-security-admission/policy``, levels as of
Kubernetes 1.27, the version the Namespaces pin) that a workload's own pod decides, every one of
them:

* "baseline": no Windows ``hostProcess``; no ``hostNetwork``, ``hostPID``, ``hostIPC``; no privileged
  container; capabilities added only from :data:`BASELINE_CAPABILITIES`; no ``hostPath`` volume; no
  ``hostPort``; AppArmor (the ``container.apparmor.security.beta.kubernetes.io/*`` annotations, and the
  later ``appArmorProfile`` fields) only ``runtime/default`` or ``localhost/*``; SELinux options with
  no ``user`` nor ``role`` and a type of :data:`SELINUX_TYPES`; ``procMount`` only ``Default``;
  seccomp never ``Unconfined`` (the fields, and the legacy ``seccomp.security.alpha.kubernetes.io``
  annotations only ``runtime/default``, ``docker/default`` or ``localhost/*``); sysctls only of
  :data:`SAFE_SYSCTLS`;
* "restricted", on top: volumes only of :data:`RESTRICTED_VOLUMES`; ``allowPrivilegeEscalation:
  false``; ``runAsNonRoot: true`` (the pod's, or every container's, and none false); no
  ``runAsUser: 0``; seccomp ``RuntimeDefault`` or ``Localhost`` (the pod's, or every container's);
  capabilities ``drop: [ALL]`` and added only ``NET_BIND_SERVICE`` (a Windows pod, ``os.name:
  windows``, is exempt from the last three and ``allowPrivilegeEscalation``, as since 1.25).

Every container counts (init and ephemeral ones too); a container's security context overrides
the pod's. It reads any pod, ours, cdk8s-plus's or a plain object's, as rendered (after JSON
patches), so a Namespace can enforce what every pod of an app meets.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, Literal, NamedTuple

__all__ = [
    "BASELINE_CAPABILITIES",
    "LEVELS",
    "RESTRICTED_VOLUMES",
    "SAFE_SYSCTLS",
    "SELINUX_TYPES",
    "Level",
    "PodSecurity",
    "evaluate",
    "evaluate_object",
    "pod_annotations_problems",
    "pod_spec_of",
    "pod_template_of",
    "stricter",
]

Level = Literal["restricted", "baseline", "privileged"]
LEVELS: tuple[Level, ...] = ("restricted", "baseline", "privileged")

BASELINE_CAPABILITIES = frozenset(
    {"AUDIT_WRITE", "CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL", "MKNOD", "NET_BIND_SERVICE"}
    | {"SETFCAP", "SETGID", "SETPCAP", "SETUID", "SYS_CHROOT"}
)
"""The capabilities "baseline" lets a container add (``capabilities_baseline``)."""

RESTRICTED_VOLUMES = frozenset(
    {"configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "persistentVolumeClaim", "projected", "secret"}
)
"""The volume types "restricted" allows (``restrictedVolumes``)."""

SAFE_SYSCTLS = frozenset(
    {
        "kernel.shm_rmid_forced",
        "net.ipv4.ip_local_port_range",
        "net.ipv4.ip_unprivileged_port_start",
        "net.ipv4.tcp_syncookies",
        "net.ipv4.ping_group_range",
        "net.ipv4.ip_local_reserved_ports",  # since 1.27
    }
)
"""The sysctls "baseline" allows as of Kubernetes 1.27 (``sysctls``): the "safe" set."""

SELINUX_TYPES = frozenset({"container_t", "container_init_t", "container_kvm_t"})
"""The SELinux types "baseline" allows as of Kubernetes 1.27 (``seLinuxOptions``), besides none."""

APPARMOR_PREFIX = "container.apparmor.security.beta.kubernetes.io/"
SECCOMP_POD_ANNOTATION = "seccomp.security.alpha.kubernetes.io/pod"
SECCOMP_CONTAINER_PREFIX = "container.seccomp.security.alpha.kubernetes.io/"

_POD_KINDS = frozenset({"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "ReplicationController", "Job"})


class PodSecurity(NamedTuple):
    """What a pod meets: its level, and each rule it breaks, as ``(level it breaks, why)``."""

    level: Level

    violations: tuple[tuple[Level, str], ...] = ()

    def below(self, level: Level) -> list[str]:
        """Why the pod does not meet ``level`` (empty when it does)."""
        # A rule of "baseline" broken breaks "restricted" too.
        return [why for broken, why in self.violations if LEVELS.index(broken) >= LEVELS.index(level)]

    def breaks(self, level: Level) -> list[str]:
        """Why the pod does not meet ``level``, each naming the level whose rule it breaks."""
        return [f"{why} (breaks {broken})" for broken, why in self.violations if LEVELS.index(broken) >= LEVELS.index(level)]

    def meets(self, level: Level) -> bool:
        """Whether the pod meets ``level``."""
        return LEVELS.index(self.level) <= LEVELS.index(level)


def stricter(first: Level, second: Level) -> Level:
    """The less strict of two levels: what both meet."""
    return first if LEVELS.index(first) >= LEVELS.index(second) else second


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def pod_template_of(manifest: Mapping[str, Any]) -> tuple[Mapping[str, Any], Mapping[str, Any]] | None:
    """The pod of a rendered workload (Pod, Deployment, StatefulSet, DaemonSet, ReplicaSet,
    ReplicationController, Job, CronJob, PodTemplate) as ``(its annotations, its spec)``, or None
    for any other object."""
    kind = manifest.get("kind")
    if kind == "Pod":
        return _mapping(_mapping(manifest.get("metadata")).get("annotations")), _mapping(manifest.get("spec"))
    if kind == "PodTemplate":
        template = _mapping(manifest.get("template"))
    elif kind == "CronJob":
        job = _mapping(_mapping(_mapping(manifest.get("spec")).get("jobTemplate")).get("spec"))
        template = _mapping(job.get("template"))
    elif kind in _POD_KINDS:
        template = _mapping(_mapping(manifest.get("spec")).get("template"))
    else:
        return None
    return _mapping(_mapping(template.get("metadata")).get("annotations")), _mapping(template.get("spec"))


def pod_spec_of(manifest: Mapping[str, Any]) -> Mapping[str, Any] | None:
    """The pod spec of a rendered workload (see :func:`pod_template_of`), or None for any other object."""
    found = pod_template_of(manifest)
    return None if found is None else found[1]


def evaluate_object(manifest: Mapping[str, Any]) -> PodSecurity | None:
    """What the pod of the rendered object ``manifest`` meets (its annotations included), or None
    for an object without a pod."""
    found = pod_template_of(manifest)
    return None if found is None else evaluate(found[1], found[0])


def _containers(spec: Mapping[str, Any]) -> Iterator[tuple[str, Mapping[str, Any], Mapping[str, Any]]]:
    """(name, container, its security context) of every container, init and ephemeral ones too."""
    for field in ("initContainers", "containers", "ephemeralContainers"):
        containers = spec.get(field)
        for container in containers if isinstance(containers, list) else []:
            if isinstance(container, Mapping):
                yield str(container.get("name", "?")), container, _mapping(container.get("securityContext"))


def _strings(value: Any) -> set[str]:
    """The strings of a list (anything else in it, or a list that is none, is no capability)."""
    return {entry for entry in value if isinstance(entry, str)} if isinstance(value, list) else set()


def _is_root(value: Any) -> bool:
    return type(value) is int and value == 0  # not False, which equals 0


def _allowed_apparmor(value: Any) -> bool:
    return isinstance(value, str) and (value == "runtime/default" or value.startswith("localhost/"))


def _allowed_legacy_seccomp(value: Any) -> bool:
    return isinstance(value, str) and (value in ("runtime/default", "docker/default") or value.startswith("localhost/"))


def pod_annotations_problems(annotations: Mapping[str, Any]) -> list[tuple[str, str]]:
    """The pod annotations that break "baseline" (AppArmor, the legacy seccomp ones), as
    ``(annotation, why)``."""
    found = []
    for key, value in annotations.items():
        if key.startswith(APPARMOR_PREFIX) and not _allowed_apparmor(value):
            container = key[len(APPARMOR_PREFIX) :]
            found.append((key, f"container {container}'s AppArmor profile is {value!r} (only runtime/default or localhost/*)"))
        elif (key == SECCOMP_POD_ANNOTATION or key.startswith(SECCOMP_CONTAINER_PREFIX)) and not _allowed_legacy_seccomp(value):
            whose = "the pod's" if key == SECCOMP_POD_ANNOTATION else f"container {key[len(SECCOMP_CONTAINER_PREFIX) :]}'s"
            found.append((key, f"{whose} legacy seccomp annotation {key} is {value!r} (only runtime/default or localhost/*)"))
    return found


def _selinux(options: Any, whose: str) -> Iterator[str]:
    options = _mapping(options)
    kind = options.get("type")
    if kind not in (None, "") and not (isinstance(kind, str) and kind in SELINUX_TYPES):
        yield f"{whose} SELinux type is {kind!r} (only {', '.join(sorted(SELINUX_TYPES))})"
    for field in ("user", "role"):
        if options.get(field) not in (None, ""):
            yield f"{whose} SELinux {field} is set ({options[field]!r})"


def _baseline(spec: Mapping[str, Any], annotations: Mapping[str, Any]) -> Iterator[str]:
    pod = _mapping(spec.get("securityContext"))
    if _mapping(pod.get("windowsOptions")).get("hostProcess") is True:
        yield "the pod is a Windows hostProcess pod"
    for field in ("hostNetwork", "hostPID", "hostIPC"):
        if spec.get(field) is True:
            yield f"{field}: true"
    volumes = spec.get("volumes")
    for volume in volumes if isinstance(volumes, list) else []:
        if isinstance(volume, Mapping) and volume.get("hostPath") is not None:
            yield f"volume {volume.get('name')} is a hostPath"
    yield from (why for _, why in pod_annotations_problems(annotations))
    if _mapping(pod.get("appArmorProfile")).get("type") == "Unconfined":
        yield "the pod's AppArmor profile is Unconfined"
    yield from _selinux(pod.get("seLinuxOptions"), "the pod's")
    if _mapping(pod.get("seccompProfile")).get("type") == "Unconfined":
        yield "the pod's seccompProfile is Unconfined"
    sysctls = pod.get("sysctls")
    for sysctl in sysctls if isinstance(sysctls, list) else []:
        name = _mapping(sysctl).get("name")
        if not (isinstance(name, str) and name in SAFE_SYSCTLS):
            yield f"the pod sets sysctl {name} (only {', '.join(sorted(SAFE_SYSCTLS))})"
    for name, container, own in _containers(spec):
        if _mapping(own.get("windowsOptions")).get("hostProcess") is True:
            yield f"container {name} is a Windows hostProcess container"
        if own.get("privileged") is True:
            yield f"container {name} is privileged"
        beyond = sorted(_strings(_mapping(own.get("capabilities")).get("add")) - BASELINE_CAPABILITIES)
        if beyond:
            yield f"container {name} adds {beyond}"
        ports = container.get("ports")
        for port in ports if isinstance(ports, list) else []:
            if _mapping(port).get("hostPort"):
                yield f"container {name} uses hostPort {port['hostPort']}"
        if _mapping(own.get("appArmorProfile")).get("type") == "Unconfined":
            yield f"container {name}'s AppArmor profile is Unconfined"
        yield from _selinux(own.get("seLinuxOptions"), f"container {name}'s")
        if own.get("procMount") is not None and own.get("procMount") != "Default":
            yield f"container {name}'s procMount is {own.get('procMount')!r} (only Default)"
        if _mapping(own.get("seccompProfile")).get("type") == "Unconfined":
            yield f"container {name}'s seccompProfile is Unconfined"


def _restricted(spec: Mapping[str, Any]) -> Iterator[str]:
    pod = _mapping(spec.get("securityContext"))
    windows = _mapping(spec.get("os")).get("name") == "windows"
    volumes = spec.get("volumes")
    for volume in volumes if isinstance(volumes, list) else []:
        kinds = set(_mapping(volume)) - {"name"}
        if kinds - RESTRICTED_VOLUMES - {"hostPath"}:  # a hostPath breaks "baseline" already
            yield f"volume {_mapping(volume).get('name')} is of type {', '.join(sorted(kinds - RESTRICTED_VOLUMES))}"
    if pod.get("runAsNonRoot") is False:
        yield "the pod sets runAsNonRoot: false"
    if _is_root(pod.get("runAsUser")):
        yield "the pod runs as user 0 (root)"
    pod_seccomp = _mapping(pod.get("seccompProfile")).get("type") if pod.get("seccompProfile") is not None else None
    pod_seccomp = pod_seccomp if isinstance(pod_seccomp, str) or pod_seccomp is None else repr(pod_seccomp)
    if pod_seccomp is not None and pod_seccomp not in ("RuntimeDefault", "Localhost", "Unconfined") and not windows:
        yield f"the pod's seccompProfile is {pod_seccomp!r} (RuntimeDefault or Localhost)"
    for name, _, own in _containers(spec):
        if not windows and own.get("allowPrivilegeEscalation") is not False:
            yield f"container {name} does not set allowPrivilegeEscalation: false"
        if own.get("runAsNonRoot") is False:
            yield f"container {name} sets runAsNonRoot: false"
        elif own.get("runAsNonRoot") is not True and pod.get("runAsNonRoot") is not True:
            yield f"container {name} does not set runAsNonRoot: true (nor does the pod)"
        if _is_root(own.get("runAsUser")):
            yield f"container {name} runs as user 0 (root)"
        if not windows:
            if own.get("seccompProfile") is not None:
                seccomp = _mapping(own.get("seccompProfile")).get("type")
                if seccomp not in ("RuntimeDefault", "Localhost", "Unconfined"):  # Unconfined breaks "baseline"
                    yield f"container {name}'s seccompProfile is {seccomp!r} (RuntimeDefault or Localhost)"
            elif pod_seccomp not in ("RuntimeDefault", "Localhost", "Unconfined"):
                yield f"container {name} has no seccompProfile RuntimeDefault or Localhost (nor has the pod)"
            capabilities = _mapping(own.get("capabilities"))
            if "ALL" not in _strings(capabilities.get("drop")):
                yield f"container {name} does not drop ALL capabilities"
            extra = sorted(_strings(capabilities.get("add")) - {"NET_BIND_SERVICE"})
            if extra and not set(extra) - BASELINE_CAPABILITIES:  # beyond those breaks "baseline" already
                yield f"container {name} adds {extra} (only NET_BIND_SERVICE)"


def evaluate(spec: Mapping[str, Any], annotations: Mapping[str, Any] | None = None) -> PodSecurity:
    """The strictest Pod Security Standard the pod spec ``spec`` with the pod annotations
    ``annotations`` meets, and why not a stricter one."""
    found: list[tuple[Level, str]] = [("baseline", why) for why in _baseline(spec, annotations or {})]
    found += [("restricted", why) for why in _restricted(spec)]
    level: Level = "restricted"
    if any(broken == "baseline" for broken, _ in found):
        level = "privileged"
    elif found:
        level = "baseline"
    return PodSecurity(level, tuple(found))
