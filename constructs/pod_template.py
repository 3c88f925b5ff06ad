"""The hardened pod template every workload kind shares: the main container, init containers and
sidecars hardened alike, volumes, scheduling, and the pod's security context.

Only the props decide what is rendered: no field appears that the props do not ask for, and the
defaults meet the Pod Security Standard "restricted".
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from . import rules
from .pod_props import Container, Probe, Probes, ResourceAmounts, Resources, Security, Volume
from .props import Problem, evolve
from .quantity import canonical_quantity

__all__ = [
    "PORT_NAME",
    "container_spec",
    "drop_none",
    "main_container_name",
    "pod_problems",
    "pod_security_context",
    "quantities",
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


def pod_security_context(security: Security) -> dict[str, Any]:
    """The pod's security context, from the main container's security."""
    return drop_none(
        runAsNonRoot=security.run_as_non_root,
        runAsUser=security.run_as_user,
        runAsGroup=security.run_as_group,
        fsGroup=security.fs_group,
        seccompProfile={"type": security.seccomp_profile},
    )


def _container_security(security: Security, *, own_user: bool) -> dict[str, Any]:
    capabilities = security.capabilities
    context = drop_none(
        allowPrivilegeEscalation=security.allow_privilege_escalation,
        readOnlyRootFilesystem=security.read_only_root_filesystem,
        runAsNonRoot=security.run_as_non_root,
        capabilities=drop_none(drop=list(capabilities.drop) or None, add=list(capabilities.add) or None),
    )
    if own_user:  # an extra container may run as another user than the pod's
        context |= drop_none(runAsUser=security.run_as_user, runAsGroup=security.run_as_group)
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
        securityContext=_container_security(security, own_user=own_user),
        volumeMounts=[volume.mount() for volume in volumes] or None,
    )


def extra_container(container: Container, *, probed: bool) -> tuple[dict[str, Any], list[Volume]]:
    """An init container or sidecar, hardened as the main one, and the volumes it needs."""
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
            found.append(Problem((*where, "writable_paths", index), f"{path} is listed twice in {whose} writable_paths"))
        seen.setdefault(key, "writable")
    for index, volume in enumerate(volumes):
        key = volume.mount_path.rstrip("/") or "/"
        if seen.get(key) == "writable":
            found.append(
                Problem(
                    (*where, "volumes", index),
                    f"{volume.mount_path} is already a writable emptyDir of {whose} (writable_paths, whose default has "
                    f"/tmp); mount this volume elsewhere, or leave {volume.mount_path} out of writable_paths",
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
                Problem(
                    (*where, "volumes"),
                    f"two different volumes of the pod are named {volume.name}; give one another volume_name",
                )
            )
        volumes.setdefault(volume.name, (body, where))
    return found
