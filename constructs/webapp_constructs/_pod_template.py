"""The hardened pod template every workload kind shares: the main container, init containers and
sidecars hardened alike, volumes, scheduling, and the pod's security context.

Only the props decide what is rendered: no field appears that the props do not ask for, and the
defaults meet the Pod Security Standard "restricted".
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from . import _rules as rules
from ._pod_props import Container, Probe, Probes, ResourceAmounts, Resources, Security, Volume
from ._props import Problem, Term, evolve, literal
from ._quantity import canonical_quantity

__all__ = [
    "DEFAULT_USER",
    "FS_GROUP_VOLUMES",
    "PORT_NAME",
    "container_spec",
    "drop_none",
    "main_container_name",
    "pod_problems",
    "pod_security_context",
    "quantities",
    "run_as",
]

PORT_NAME = "http"


def drop_none(**fields: Any) -> dict[str, Any]:
    return {key: value for key, value in fields.items() if value is not None}


def quantities(amounts: ResourceAmounts) -> dict[str, str] | None:
    canonical = {key: canonical_quantity(value) for key, value in (("cpu", amounts.cpu), ("memory", amounts.memory)) if value}
    return canonical or None


def _probe(probe: Probe | None, port: int | None) -> dict[str, Any] | None:
    if probe is None:
        return None
    action = probe.action(port)
    if action is None:
        return None
    return action | drop_none(
        initialDelaySeconds=probe.initial_delay_seconds,
        periodSeconds=probe.period_seconds,
        timeoutSeconds=probe.timeout_seconds,
        failureThreshold=probe.failure_threshold,
    )


DEFAULT_USER = 10001
"""The UID and GID a container runs as when its :class:`~._pod_props.Security` runs as non-root and
names none: numeric, so that the kubelet can verify ``runAsNonRoot`` whatever ``USER`` the image
names (with a name, such as ``USER appuser``, the pod fails with ``CreateContainerConfigError``:
"image has non-numeric user ... cannot verify user is non-root"); above 10000, so that no user of
the host has it (checkov CKV_K8S_40); and a group, so that the process does not run with GID 0."""

FS_GROUP_VOLUMES = frozenset({"secret", "persistentVolumeClaim"})
"""The volume kinds whose files a non-root process reads only through ``fsGroup``: a Secret's
files are root's, mode 0400 (with ``fsGroup`` the kubelet makes them 0440, that group's), and a
volume claim's files are the disk's owner's."""


def run_as(security: Security) -> tuple[int | None, int | None]:
    """The UID and GID of ``security``, after their defaults: the UID given, else
    :data:`DEFAULT_USER` when it runs as non-root (else the image's: None); the GID given, else the
    UID's number when it is not root (else the image's: None)."""
    user = security.run_as_user
    if user is None and security.run_as_non_root:
        user = DEFAULT_USER
    group = security.run_as_group if security.run_as_group is not None else (user or None)
    return user, group


def pod_security_context(security: Security, volumes: Iterable[Volume] = ()) -> dict[str, Any]:
    """The pod's security context, from the main container's security (:func:`run_as`), with
    ``fsGroup``: the one given, else the group when one of the pod's ``volumes`` needs it
    (:data:`FS_GROUP_VOLUMES`)."""
    user, group = run_as(security)
    fs_group = security.fs_group
    if fs_group is None and group and any(volume.kind in FS_GROUP_VOLUMES for volume in volumes):
        fs_group = group
    return drop_none(
        runAsNonRoot=security.run_as_non_root,
        runAsUser=user,
        runAsGroup=group,
        fsGroup=fs_group,
        seccompProfile={"type": security.seccomp_profile},
    )


def _extra_user(security: Security, pod_user: int | None) -> dict[str, Any]:
    """An extra container's own UID and GID: those given; else the pod's (nothing rendered), or
    :data:`DEFAULT_USER` where the pod has none and the container runs as non-root; the GID of a
    UID given (or defaulted here) is that UID's number unless given."""
    user = security.run_as_user
    if user is None and security.run_as_non_root and pod_user is None:
        user = DEFAULT_USER
    group = security.run_as_group if security.run_as_group is not None else (user or None)
    return drop_none(runAsUser=user, runAsGroup=group)


def _container_security(security: Security, *, own_user: bool, pod_user: int | None = None) -> dict[str, Any]:
    capabilities = security.capabilities
    context = drop_none(
        allowPrivilegeEscalation=security.allow_privilege_escalation,
        readOnlyRootFilesystem=security.read_only_root_filesystem,
        runAsNonRoot=security.run_as_non_root,
        capabilities=drop_none(drop=list(capabilities.drop) or None, add=list(capabilities.add) or None),
    )
    if own_user:  # an extra container may run as another user than the pod's
        context |= _extra_user(security, pod_user)
    return context


def writable_volumes(security: Security, paths: Iterable[str], prefix: str | None = None) -> list[Volume]:
    """The emptyDirs of ``paths`` (none when the root filesystem is writable anyway), their names
    prefixed with ``prefix`` (an extra container's own)."""
    if not security.read_only_root_filesystem:
        return []
    volumes = [Volume.empty_dir(path) for path in paths]
    if prefix is None:
        return volumes

    return [evolve(volume, volume_name=f"{prefix}-{volume.name}"[:63].rstrip("-")) for volume in volumes]


def container_spec(
    *,
    name: str,
    image: str,
    image_pull_policy: str,
    command: Sequence[str] | None,
    args: Sequence[str] | None,
    port: int | None,
    env: Any,
    env_from: Any,
    resources: Resources,
    probes: Probes | None,
    security: Security,
    volumes: Sequence[Volume],
    pre_stop: Sequence[str] | None = None,
    own_user: bool = False,
    pod_user: int | None = None,
) -> dict[str, Any]:
    """A container as Kubernetes spells it (``env`` and ``env_from`` may be lazy)."""
    return drop_none(
        name=name,
        image=image,
        imagePullPolicy=image_pull_policy,
        command=list(command) if command is not None else None,
        args=list(args) if args is not None else None,
        ports=[{"name": PORT_NAME, "containerPort": port, "protocol": "TCP"}] if port is not None else None,
        env=env,
        envFrom=env_from,
        resources=drop_none(requests=quantities(resources.requests), limits=quantities(resources.limits)),
        livenessProbe=_probe(probes.liveness, port) if probes is not None else None,
        readinessProbe=_probe(probes.readiness, port) if probes is not None else None,
        startupProbe=_probe(probes.startup, port) if probes is not None else None,
        lifecycle={"preStop": {"exec": {"command": list(pre_stop)}}} if pre_stop is not None else None,
        securityContext=_container_security(security, own_user=own_user, pod_user=pod_user),
        volumeMounts=[volume.mount() for volume in volumes] or None,
    )


def extra_container(container: Container, *, probed: bool, pod_user: int | None = None) -> tuple[dict[str, Any], list[Volume]]:
    """An init container or sidecar, hardened as the main one, and the volumes it needs
    (``pod_user``: the pod's UID, which it runs as unless its security names another)."""
    volumes = [*writable_volumes(container.security, container.writable_paths, container.name), *container.volumes]
    spec = container_spec(
        name=container.name,
        image=container.image,
        image_pull_policy=container.image_pull_policy,
        command=container.command,
        args=container.args,
        port=container.port,
        env=[{"name": key, "value": value} for key, value in container.env.items()] or None,
        env_from=None,
        resources=container.resources,
        probes=Probes() if probed and container.port is not None else None,
        security=container.security,
        volumes=volumes,
        own_user=True,
        pod_user=pod_user,
    )
    return spec, volumes


def _mount_problems(
    writable: Sequence[str], volumes: Sequence[Volume], where: tuple[str | int, ...], whose: str
) -> list[Problem]:
    """Two mounts at one path of one container (``validateVolumeMounts``: a mountPath is unique;
    ``/tmp`` and ``/tmp/`` are one directory)."""
    found: list[Problem] = []
    seen: dict[str, str] = {}
    for index, path in enumerate(writable):
        key = path.rstrip("/") or "/"
        if key in seen:
            found.append(
                Problem.worded(
                    (*where, "writable_paths", index),
                    f"{literal(path)} is listed twice in {literal(whose)} {{0}}",
                    Term.prop("writable_paths"),
                    code="listed-twice",
                    value=path,
                )
            )
        seen.setdefault(key, "writable")
    for index, volume in enumerate(volumes):
        key = volume.mount_path.rstrip("/") or "/"
        if seen.get(key) == "writable":
            found.append(
                Problem.worded(
                    (*where, "volumes", index),
                    f"{literal(volume.mount_path)} is already a writable emptyDir of {literal(whose)} ({{0}}, whose default "
                    f"has /tmp); mount this volume elsewhere, or leave {literal(volume.mount_path)} out of {{0}}",
                    Term.prop("writable_paths"),
                    code="mounted-over-writable-path",
                    value=volume.mount_path,
                )
            )
        seen.setdefault(key, "volume")  # two volumes at one path: the props refuse it themselves
    return found


def main_container_name(component: str | None, construct_id: str, name: str | None) -> str:
    """The main container's name: the component, else the construct ID, the first that is a
    container name (a DNS-1123 label), else the workload's name (``ApiService(chart, "Api",
    name="api")``: a construct ID in capitals names no container)."""
    for candidate in (component, construct_id):
        if candidate is not None and not rules.dns1123_label(candidate):
            return candidate
    return name or construct_id


def pod_problems(
    *,
    main_name: str,
    main_security: Security,
    main_writable: Sequence[str],
    main_volumes: Sequence[Volume],
    init_containers: Sequence[Container],
    sidecars: Sequence[Container],
) -> list[Problem]:
    """What the API server would refuse in the pod these props render (``ValidatePodSpec`` of
    ``k8s.io/kubernetes/pkg/apis/core/validation``, 1.27), beyond each prop's own rules: the main
    container's name (:func:`main_container_name`) is no init container's or sidecar's; no two
    mounts at one path of a container; no two different volumes of one name in the pod."""
    found: list[Problem] = []
    extras = [("init_containers", index, c) for index, c in enumerate(init_containers)]
    extras += [("sidecars", index, c) for index, c in enumerate(sidecars)]
    for field, index, container in extras:
        if container.name == main_name:
            found.append(
                Problem(
                    (field, index, "name"),
                    f"{container.name} is the main container's name (the component, else the construct ID); "
                    "name this one otherwise",
                    "container-name-taken",
                    container.name,
                )
            )
    writable = list(main_writable) if main_security.read_only_root_filesystem else []
    found += _mount_problems(writable, main_volumes, (), "the main container")
    for field, index, container in extras:
        own = list(container.writable_paths) if container.security.read_only_root_filesystem else []
        found += _mount_problems(own, container.volumes, (field, index), f"container {container.name}")
    volumes: dict[str, tuple[dict[str, Any], tuple[str | int, ...]]] = {}
    pod: list[tuple[tuple[str | int, ...], Volume]] = [
        ((), v) for v in (*writable_volumes(main_security, main_writable), *main_volumes)
    ]
    for field, index, container in extras:
        own_volumes = [*writable_volumes(container.security, container.writable_paths, container.name), *container.volumes]
        pod += [((field, index), volume) for volume in own_volumes]
    for where, volume in pod:
        body = volume.pod_volume()
        if volume.name in volumes and volumes[volume.name][0] != body:
            found.append(
                Problem.worded(
                    (*where, "volumes"),
                    f"two different volumes of the pod are named {literal(volume.name)}; give one another {{0}}",
                    Term.prop("volume_name"),
                    code="volume-name-twice",
                    value=volume.name,
                )
            )
        volumes.setdefault(volume.name, (body, where))
    return found
