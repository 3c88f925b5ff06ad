"""harden: the Pod Security Standard "restricted" for a cdk8s-plus workload.

cdk8s-plus-27 renders ``runAsNonRoot`` and a read-only root filesystem, but has no setting for a
seccomp profile nor for dropping every capability (no ``Capability.ALL``): its pods meet
"baseline" only, and a Namespace that enforces "restricted" refuses them. ``harden`` adds what is
missing as JSON patches on the rendered object, and writable emptyDirs where asked, through
cdk8s-plus's own volume API.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import cdk8s

from .peers import is_cdk8s_plus
from .prop_rules import USER_ID, WRITABLE_PATH

if TYPE_CHECKING:
    import cdk8s_plus_27

__all__ = ["harden"]


def _pod_path(kind: str) -> str:
    if kind == "CronJob":
        return "/spec/jobTemplate/spec/template/spec"
    if kind == "Pod":
        return "/spec"
    return "/spec/template/spec"


def harden(workload: cdk8s_plus_27.AbstractPod, *, writable_paths: Sequence[str] = (), run_as_user: int | None = None) -> None:
    """Give the cdk8s-plus workload ``workload`` (``kp.Deployment``, ``kp.StatefulSet``,
    ``kp.DaemonSet``, ``kp.Job``, ``kp.CronJob``, ``kp.Pod``) the pod and container security
    contexts of this library's own: ``runAsNonRoot``, ``seccompProfile: RuntimeDefault``, and on
    every container and init container ``allowPrivilegeEscalation: false``, a read-only root
    filesystem, ``capabilities: {drop: [ALL]}``, not privileged.

    ``writable_paths``: directories that get a writable emptyDir in every container (the image
    writes there: ``/data`` for redis). ``run_as_user``: the UID to run as, for an image whose own
    user is root (``runAsNonRoot`` refuses to start it otherwise). Call it once the workload has all
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
    problems += list(USER_ID(run_as_user)) if run_as_user is not None else []
    if problems:
        raise ValueError("harden: " + "; ".join(str(p) for p in problems))
    api_object = cdk8s.ApiObject.of(workload)
    pod = _pod_path(api_object.kind)
    patches = [
        cdk8s.JsonPatch.add(f"{pod}/securityContext/runAsNonRoot", True),
        cdk8s.JsonPatch.add(f"{pod}/securityContext/seccompProfile", {"type": "RuntimeDefault"}),
    ]
    if run_as_user is not None:
        patches.append(cdk8s.JsonPatch.add(f"{pod}/securityContext/runAsUser", run_as_user))
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
