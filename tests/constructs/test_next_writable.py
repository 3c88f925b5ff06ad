"""A Next.js frontend with ``app_dir="/app"`` is writable where Next.js 15 writes at run time
(issue 29, item 10): ``/app/.next/cache`` and ``/app/.next/server`` (regenerated ISR pages beside the built server
files), the latter seeded from the image so that the built files stay visible.

:func:`main_view` plays the pod's start on a model of the image's filesystem: each emptyDir
starts empty, the init containers run in order (``cp -R SRC/. DST/`` copies what the container
sees at SRC into the volume mounted at DST), then the main container sees, at each path, its
volume's files where one is mounted, else the image's, read-only."""

from __future__ import annotations

from typing import Any

import cdk8s
import pytest

from webapp_constructs._pod_props import Container, Security
from webapp_constructs._pod_security import evaluate, pod_spec_of
from webapp_constructs._props import PropsError
from webapp_constructs._web_service import WebService

IMAGE_FILES = {"/app/server.js", "/app/.next/server/app/page.js", "/app/.next/server/pages-manifest.json", "/app/public/x"}
WRITES = ["/app/.next/cache/fetch-cache/x", "/app/.next/server/app/blog/1.html", "/tmp/x"]
"""Where a Next.js 15 standalone server writes at run time (fetch cache, an ISR page, temp files)."""


def _mount(container: dict[str, Any], path: str) -> tuple[str, str] | None:
    """The volume mounted over ``path`` in ``container`` and the mount path (the deepest one)."""
    found = [
        (m["mountPath"], m["name"]) for m in container.get("volumeMounts", []) if (path + "/").startswith(m["mountPath"] + "/")
    ]
    if not found:
        return None
    mount_path, name = max(found)
    return name, mount_path


def _sees(container: dict[str, Any], volumes: dict[str, set[str]], path: str) -> bool:
    mounted = _mount(container, path)
    if mounted is None:
        return path in IMAGE_FILES
    name, mount_path = mounted
    return path[len(mount_path) :] in volumes[name]


def main_view(pod: dict[str, Any]) -> tuple[set[str], set[str]]:
    """The image's files the main container sees, and which of :data:`WRITES` it can write."""
    volumes: dict[str, set[str]] = {v["name"]: set() for v in pod.get("volumes", []) if "emptyDir" in v}
    for init in pod.get("initContainers", []):
        command = init.get("command", [])
        if command[:2] == ["cp", "-R"]:
            source, target = command[2].removesuffix("/."), command[3].rstrip("/")
            name, _ = _mount(init, target) or ("", "")
            assert name, f"{init['name']} copies into {target}, which is no volume"
            volumes[name] |= {f[len(source) :] for f in IMAGE_FILES if f.startswith(source + "/") and _sees(init, volumes, f)}
    (main,) = [c for c in pod["containers"] if c["name"] == "web"]
    read_only_root = main.get("securityContext", {}).get("readOnlyRootFilesystem", False)
    seen = {f for f in IMAGE_FILES if _sees(main, volumes, f)}
    writable = {path for path in WRITES if not read_only_root or _mount(main, path) is not None}
    return seen, writable


def web_pod(**props: Any) -> dict[str, Any]:
    chart = cdk8s.Chart(cdk8s.Testing.app(), "test", namespace="test")
    WebService(chart, "web", image="shop/web:1", **{"app_dir": "/app", **props})
    (pod,) = [p for p in (pod_spec_of(m) for m in cdk8s.Testing.synth(chart)) if p is not None]
    return dict(pod)


def test_next_writes_where_it_writes_and_still_sees_its_build() -> None:
    pod = web_pod()
    seen, writable = main_view(pod)
    assert seen == IMAGE_FILES
    assert writable == set(WRITES)
    (seed,) = pod["initContainers"]
    assert seed["image"] == "shop/web:1"
    assert seed["securityContext"]["readOnlyRootFilesystem"] is True
    assert evaluate(pod).level == "restricted"


def test_without_the_seed_the_model_sees_the_build_hidden() -> None:
    pod = web_pod()
    del pod["initContainers"]
    seen, _ = main_view(pod)
    assert "/app/.next/server/app/page.js" not in seen  # an empty emptyDir over the build: the checker fails


def test_without_the_writable_server_directory_isr_cannot_write() -> None:
    pod = web_pod(writable_paths=["/tmp", "/app/.next/cache"])  # isrFlushToDisk: false in next.config
    assert "initContainers" not in pod
    seen, writable = main_view(pod)
    assert seen == IMAGE_FILES
    assert "/app/.next/server/app/blog/1.html" not in writable


def test_nginx_and_a_writable_root_need_no_seed() -> None:
    why = {"run_as_non_root": "nginx starts as root to switch user"}
    nginx = web_pod(server="nginx", app_dir=None, security=Security(run_as_non_root=False, reasons=why))
    assert "initContainers" not in nginx
    writable = Security(read_only_root_filesystem=False, reasons={"read_only_root_filesystem": "the app writes all over"})
    assert "initContainers" not in web_pod(security=writable)


def test_the_seed_comes_before_the_users_init_containers_and_runs_as_the_pod() -> None:
    pod = web_pod(init_containers=[Container(name="wait", image="busybox:1.36")], security=Security(run_as_user=1001))
    assert [c["name"] for c in pod["initContainers"]] == ["seed-next-server", "wait"]
    assert "runAsUser" not in pod["initContainers"][0]["securityContext"]  # the pod's 1001: it owns the copies
    assert pod["securityContext"]["runAsUser"] == 1001
    with pytest.raises(PropsError, match=r"init_containers\[0\]\.name: seed-next-server is the init container"):
        web_pod(init_containers=[Container(name="seed-next-server", image="busybox:1.36")])


def test_without_app_dir_only_tmp_is_writable_and_nothing_is_seeded() -> None:
    """The library knows no image's layout: without ``app_dir`` a Next.js server gets ``/tmp``."""
    pod = web_pod(app_dir=None)
    assert "initContainers" not in pod
    (main,) = pod["containers"]
    assert [m["mountPath"] for m in main["volumeMounts"]] == ["/tmp"]


def test_app_dir_places_the_writable_directories_and_the_seed() -> None:
    pod = web_pod(app_dir="/srv/web/")
    (main,) = pod["containers"]
    assert [m["mountPath"] for m in main["volumeMounts"]] == ["/tmp", "/srv/web/.next/cache", "/srv/web/.next/server"]
    (seed,) = pod["initContainers"]
    assert seed["command"] == ["cp", "-R", "/srv/web/.next/server/.", "/seed/"]


@pytest.mark.parametrize(
    ("props", "says"),
    [
        ({"server": "nginx"}, r"app_dir: is where a Next.js server is; nginx has none: leave it out"),
        ({"app_dir": "app"}, r"app_dir: "),
    ],
)
def test_app_dir_is_an_absolute_path_of_a_next_js_server(props: dict[str, Any], says: str) -> None:
    with pytest.raises(PropsError, match=says):
        web_pod(**props)
