"""harden: the Pod Security Standard "restricted" for a cdk8s-plus workload.

cdk8s-plus-27 renders ``runAsNonRoot`` and a read-only root filesystem, but has no setting for a
seccomp profile nor for dropping every capability (no ``Capability.ALL``): its pods meet
"baseline" only, and a Namespace that enforces "restricted" refuses them. ``harden`` adds what is
missing as JSON patches on the rendered object, and writable emptyDirs where asked, through
cdk8s-plus's own volume API.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import cdk8s

from .peers import is_cdk8s_plus
from .pod_template import DEFAULT_USER
from .prop_rules import USER_ID, WRITABLE_PATH

__all__ = ["harden"]


def _pod_path(kind: str) -> str:
    if kind == "CronJob":
        return "/spec/jobTemplate/spec/template/spec"
    if kind == "Pod":
        return "/spec"
    return "/spec/template/spec"


def harden(
    workload: Any,
    *,
    writable_paths: Sequence[str] = (),
    run_as_user: int | None = DEFAULT_USER,
    run_as_group: int | None = None,
) -> None:
    """Give the cdk8s-plus workload ``workload`` (``kp.Deployment``, ``kp.StatefulSet``,
    ``kp.DaemonSet``, ``kp.Job``, ``kp.CronJob``, ``kp.Pod``) the pod and container security
    contexts of this library's own: ``runAsNonRoot``, ``seccompProfile: RuntimeDefault``, and on
    every container and init container ``allowPrivilegeEscalation: false``, a read-only root
    filesystem, ``capabilities: {drop: [ALL]}``, not privileged.

    ``writable_paths``: directories that get a writable emptyDir in every container (the image
    writes there: ``/data`` for redis). ``run_as_user``: the UID every container runs as. Default:
    10001, numeric, so that the pod starts whatever ``USER`` the image names (with a name, such
    as ``USER appuser``, or root, ``runAsNonRoot`` refuses to start it); None: the image's user,
    which must then be a number. ``run_as_group``: the GID. Default: the UID's number (no group 0).
    Call it once the workload has all
    its containers: a container added later is not hardened (and a Namespace that enforces
    "restricted" refuses it at synth).
    """
    if not is_cdk8s_plus(workload) or not hasattr(workload, "containers"):
        raise TypeError(f"harden takes a cdk8s-plus workload (kp.Deployment, kp.CronJob, ...), not {type(workload).__name__}")
    problems = [p for path in writable_paths for p in WRITABLE_PATH(path)]
    if isinstance(writable_paths, str):
        problems.insert(0, f"writable_paths is a list of directories, such as [{writable_paths!r}]")
    for name, value in (("run_as_user", run_as_user), ("run_as_group", run_as_group)):
        if value is not None and (not isinstance(value, int) or isinstance(value, bool)):
            problems.append(f"{name}: {value!r} is not a number (a UID or GID such as 10001, or None)")
        elif value is not None:
            problems += [f"{name}: {p}" for p in USER_ID(value)]
    if run_as_user == 0:
        problems.append("run_as_user: 0 is root, and harden keeps runAsNonRoot (run as a non-root UID, or None for the image's)")
    if problems:
        raise ValueError("harden: " + "; ".join(str(p) for p in problems))
    api_object = cdk8s.ApiObject.of(workload)
    pod = _pod_path(api_object.kind)
    patches = [
        cdk8s.JsonPatch.add(f"{pod}/securityContext/runAsNonRoot", True),
        cdk8s.JsonPatch.add(f"{pod}/securityContext/seccompProfile", {"type": "RuntimeDefault"}),
    ]
    group = run_as_group if run_as_group is not None else run_as_user
    if run_as_user is not None:
        patches.append(cdk8s.JsonPatch.add(f"{pod}/securityContext/runAsUser", run_as_user))
    if group is not None:
        patches.append(cdk8s.JsonPatch.add(f"{pod}/securityContext/runAsGroup", group))
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
            volume = plus.Volume.from_empty_dir(workload, f"writable-{name}", name)
            for container in (*workload.containers, *workload.init_containers):
                container.mount(path, volume)
