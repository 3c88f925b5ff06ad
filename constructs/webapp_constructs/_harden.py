"""harden: the Pod Security Standard "restricted" for a cdk8s-plus workload.

cdk8s-plus-27 renders ``runAsNonRoot`` and a read-only root filesystem, but has no setting for a
seccomp profile nor for dropping every capability (no ``Capability.ALL``): its pods meet
"baseline" only, and a Namespace that enforces "restricted" refuses them. ``harden`` adds what is
missing as JSON patches on the rendered object, and writable emptyDirs where asked, through
cdk8s-plus's own volume API.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Literal

import cdk8s

from ._peers import is_cdk8s_plus
from ._pod_template import DEFAULT_USER
from ._prop_rules import USER_ID, WRITABLE_PATH

if TYPE_CHECKING:
    import cdk8s_plus_27

__all__ = ["harden"]


def _pod_path(kind: str) -> str:
    if kind == "CronJob":
        return "/spec/jobTemplate/spec/template/spec"
    if kind == "Pod":
        return "/spec"
    return "/spec/template/spec"


def _pod_spec(manifest: Any, path: str) -> dict[str, Any]:
    """The pod spec at ``path`` (``/spec/template/spec``) of the rendered ``manifest``."""
    found = manifest
    for part in path.strip("/").split("/"):
        found = found.get(part) if isinstance(found, dict) else None
    return found if isinstance(found, dict) else {}


def harden(
    workload: cdk8s_plus_27.AbstractPod,
    *,
    writable_paths: Sequence[str] = (),
    run_as_user: int | Literal["image"] | None = None,
    run_as_group: int | None = None,
) -> None:
    """Give the cdk8s-plus workload ``workload`` (``kp.Deployment``, ``kp.StatefulSet``,
    ``kp.DaemonSet``, ``kp.Job``, ``kp.CronJob``, ``kp.Pod``) the pod and container security
    contexts of this library's own: ``runAsNonRoot``, ``seccompProfile: RuntimeDefault``, and on
    every container and init container ``allowPrivilegeEscalation: false``, a read-only root
    filesystem, ``capabilities: {drop: [ALL]}``, not privileged.

    ``writable_paths``: directories that get a writable emptyDir in every container (the image
    writes there: ``/data`` for redis). ``run_as_user``: the UID every container runs as. Default:
    the one the workload's pod security context names (``security_context=kp.PodSecurityContextProps(user=...)``),
    else 10001: numeric, so that the pod starts whatever ``USER`` the image names (with a name,
    such as ``USER appuser``, or root, ``runAsNonRoot`` refuses to start it); ``"image"``: the
    image's user, which must then be a number. ``run_as_group``: the GID. Default: the pod's own,
    else the UID's number (no group 0). ``fsGroup``: the pod's own, else that group when the pod
    mounts a Secret or a volume claim (a non-root process reads their files through it).
    Call it once the workload has all its volumes and all
    its containers: a container added later is not hardened (and a Namespace that enforces
    "restricted" refuses it at synth). Calling it again is safe: it hardens the containers added
    since, and adds the ``writable_paths`` not given before (an emptyDir is made once per path, and
    mounted once per container).
    """
    if not is_cdk8s_plus(workload) or not hasattr(workload, "containers"):
        raise TypeError(f"harden takes a cdk8s-plus workload (kp.Deployment, kp.CronJob, ...), not {type(workload).__name__}")
    problems = [p for path in writable_paths for p in WRITABLE_PATH(path)]
    if isinstance(writable_paths, str):
        problems.insert(0, f"writable_paths is a list of directories, such as [{writable_paths!r}]")
    for name, value in (("run_as_user", run_as_user), ("run_as_group", run_as_group)):
        if value is None or (name == "run_as_user" and value == "image"):
            continue
        if not isinstance(value, int) or isinstance(value, bool):
            other = ', "image" (the image\'s user)' if name == "run_as_user" else ""
            problems.append(f"{name}: {value!r} is not a number (a UID or GID such as 10001{other}, or None: the default)")
        else:
            problems += [f"{name}: {p}" for p in USER_ID(value)]
    if run_as_user == 0:
        problems.append(
            'run_as_user: 0 is root, and harden keeps runAsNonRoot (run as a non-root UID, or "image" for the image\'s)'
        )
    if problems:
        raise ValueError("harden: " + "; ".join(str(p) for p in problems))
    api_object = cdk8s.ApiObject.of(workload)
    pod = _pod_path(api_object.kind)
    patches = [
        cdk8s.JsonPatch.add(f"{pod}/securityContext/runAsNonRoot", True),
        cdk8s.JsonPatch.add(f"{pod}/securityContext/seccompProfile", {"type": "RuntimeDefault"}),
    ]
    rendered = _pod_spec(api_object.to_json(), pod)
    own = rendered.get("securityContext") or {}
    user = own.get("runAsUser", DEFAULT_USER) if run_as_user is None else None if run_as_user == "image" else run_as_user
    group = run_as_group if run_as_group is not None else own.get("runAsGroup", user or None)
    fs_group = own.get("fsGroup")
    if fs_group is None and group and any("secret" in v or "persistentVolumeClaim" in v for v in rendered.get("volumes") or []):
        fs_group = group
    for field, value in (("runAsUser", user), ("runAsGroup", group), ("fsGroup", fs_group)):
        if value is not None:
            patches.append(cdk8s.JsonPatch.add(f"{pod}/securityContext/{field}", value))
    for field, containers in (("containers", workload.containers), ("initContainers", workload.init_containers)):
        for index, _ in enumerate(containers):
            where = f"{pod}/{field}/{index}/securityContext"
            patches += [
                cdk8s.JsonPatch.add(f"{where}/allowPrivilegeEscalation", False),
                cdk8s.JsonPatch.add(f"{where}/privileged", False),
                cdk8s.JsonPatch.add(f"{where}/readOnlyRootFilesystem", True),
                cdk8s.JsonPatch.add(f"{where}/runAsNonRoot", True),
                cdk8s.JsonPatch.add(f"{where}/capabilities", {"drop": ["ALL"]}),
            ]
    api_object.add_json_patch(*patches)
    if writable_paths:
        import re
        import sys

        plus = sys.modules[type(workload).__module__.split(".")[0]]
        for path in writable_paths:
            name = re.sub(r"[^a-z0-9]+", "-", path.lower()).strip("-") or "root"
            volume: Any = workload.node.try_find_child(f"writable-{name}")  # made by an earlier harden()
            if volume is None:
                volume = plus.Volume.from_empty_dir(workload, f"writable-{name}", name)
            for container in (*workload.containers, *workload.init_containers):
                if all(mount.path != path for mount in container.mounts):
                    container.mount(path, volume)
