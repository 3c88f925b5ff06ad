"""Every pod of every preset and of every gitops environment starts an image whose USER is a name
(issue 29, item 10): a numeric user wherever ``runAsNonRoot`` holds, a group that is not 0, and
``fsGroup`` wherever a Secret or a volume claim is mounted; a Next.js frontend sees its build and
writes where Next.js writes. Rendered as in tests/test_canonical.py; the kubelet and filesystem
models are those of tests/constructs/test_run_as.py and tests/constructs/test_next_writable.py."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.constructs.test_next_writable import IMAGE_FILES, WRITES, main_view
from tests.constructs.test_run_as import kubelet_refusals
from tests.test_canonical import PRESETS, environments_file, manifests, render_environments, render_preset
from webapp_constructs._pod_security import pod_spec_of


def pods(files: dict[str, bytes]) -> list[tuple[str, dict[str, Any], dict[str, Any]]]:
    found = []
    for _, manifest in manifests(files):
        pod = pod_spec_of(manifest)
        if pod is not None:
            found.append((str(manifest["metadata"]["name"]), manifest, dict(pod)))
    return found


def problems(files: dict[str, bytes]) -> list[str]:
    found = []
    for name, _, pod in pods(files):
        found += [f"{name}: {refusal}" for refusal in kubelet_refusals(pod)]
        needs_fs_group = any("secret" in v or "persistentVolumeClaim" in v for v in pod.get("volumes", []))
        if needs_fs_group and pod["securityContext"].get("runAsNonRoot") and not pod["securityContext"].get("fsGroup"):
            found.append(f"{name}: a Secret or claim mounted without fsGroup")
        if any(m["mountPath"] == "/app/.next/cache" for c in pod["containers"] for m in c.get("volumeMounts", [])):
            main = pod["containers"][0]["name"]
            pod = {**pod, "containers": [{**c, "name": "web"} if c["name"] == main else c for c in pod["containers"]]}
            seen, writable = main_view(pod)
            if seen != IMAGE_FILES or writable != set(WRITES):
                found.append(f"{name}: Next.js sees {sorted(seen)}, writes {sorted(writable)}")
    return found


@pytest.mark.parametrize("preset", PRESETS)
def test_every_pod_of_a_preset_starts_whatever_user_its_image_names(preset: str, tmp_path: Path) -> None:
    files = render_preset(preset, tmp_path / "out")
    assert pods(files)
    assert problems(files) == []


def test_every_pod_of_every_gitops_environment_starts_whatever_user_its_image_names(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.migration import inject_migration

    inject_migration(monkeypatch)
    files = render_environments(environments_file(tmp_path, "flux+migration+externalsecret"), tmp_path / "out")
    assert {manifest["kind"] for _, manifest, _ in pods(files)} >= {"Deployment", "Job"}
    assert problems(files) == []
