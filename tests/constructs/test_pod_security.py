"""The Pod Security Standards, read off any pod spec."""

from __future__ import annotations

from typing import Any

import pytest

from constructs.pod_security import evaluate, stricter

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
