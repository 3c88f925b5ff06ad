"""``appDir`` of a web service (where the Next.js server is in the image): ``/app`` by default for
Next.js, refused for nginx and whenever it is no absolute directory, each at its file:line, exit 1,
nothing written."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.helpers import by_kind, yaml_load_all
from values_app import cli


def run(tmp_path: Path, server: str, app_dir: Any = None) -> tuple[int, list[str], Path]:
    web: dict[str, Any] = {"kind": "web", "server": server, "image": {"repository": "w", "tag": "1"}}
    if app_dir is not None:
        web["appDir"] = app_dir
    document = {"release": "t", "appVersion": "1", "namespace": {"name": "t"}, "services": {"web": web}}
    values = tmp_path / "v.yaml"
    values.write_text(yaml.safe_dump(document, sort_keys=False))
    stderr = io.StringIO()
    out = tmp_path / "out"
    status = cli.run(values=values, outdir=out, environ={}, stderr=stderr, quiet=True)
    return status, stderr.getvalue().splitlines(), out


def mounts(out: Path) -> list[str]:
    docs = [doc for path in sorted(out.glob("*.yaml")) for doc in yaml_load_all(path.read_text()) if doc]
    (deployment,) = by_kind(docs, "Deployment")
    (container,) = deployment["spec"]["template"]["spec"]["containers"]
    return [mount["mountPath"] for mount in container["volumeMounts"]]


@pytest.mark.parametrize(
    ("app_dir", "paths"),
    [
        (None, ["/tmp", "/app/.next/cache", "/app/.next/server"]),
        ("/srv/web", ["/tmp", "/srv/web/.next/cache", "/srv/web/.next/server"]),
    ],
)
def test_next_js_is_writable_under_its_app_dir(tmp_path: Path, app_dir: str | None, paths: list[str]) -> None:
    status, lines, out = run(tmp_path, "nextjs", app_dir)
    assert (status, lines) == (0, [])
    assert mounts(out) == paths


@pytest.mark.parametrize(
    ("server", "app_dir", "says"),
    [
        ("nginx", "/app", "is where a Next.js server is; nginx has none: leave it out"),
        ("nextjs", "", "'' is not an absolute directory path"),
        ("nextjs", "relative", "'relative' is not an absolute directory path"),
        ("nextjs", "/app/../etc", "'/app/../etc' is not an absolute directory path"),
        ("nextjs", ["/app"], "is a list, expected string"),
        ("nextjs", 5, "is a number, expected string"),
    ],
)
def test_a_wrong_app_dir_is_one_line_at_its_place(tmp_path: Path, server: str, app_dir: Any, says: str) -> None:
    status, lines, out = run(tmp_path, server, app_dir)
    assert status == 1
    assert len(lines) == 1, lines
    values = tmp_path / "v.yaml"
    line = next(n for n, text in enumerate(values.read_text().splitlines(), 1) if text.strip().startswith("appDir:"))
    assert lines[0].startswith(f"error: {values}:{line}: services.web.appDir: "), lines
    assert says in lines[0]
    assert not out.exists()
