"""The library installs into a fresh virtualenv from this checkout and works from a project of
its own: the program of docs/library.md, verbatim, synthesized outside the repository, renders
issue 21's contract (tests/bookshop.py); nothing is written into the upstream `constructs` package's
directory. In this repository the same program is examples/quickstart.py (tests/test_examples.py)."""

from __future__ import annotations

import importlib.metadata
import os
import subprocess
import sys
import venv
from pathlib import Path

import pytest
from packaging.requirements import Requirement

from tests.bookshop import check_bookshop
from tests.helpers import load_all, yaml_load

ROOT = Path(__file__).resolve().parent.parent


def readme_program() -> str:
    section = (ROOT / "docs" / "library.md").read_text().split("## Use the constructs in your own chart", 1)[1]
    return section.split("```python\n", 1)[1].split("```", 1)[0]


def test_the_readme_program_is_the_issue_contract() -> None:
    """Issue 21's program: the names it imports and the calls it makes are the contract."""
    program = readme_program()
    assert (
        "from webapp_constructs import (ApiService, AppNamespace, McpService, MigrationJob, ScheduledJob, Volume,\n"
        "                             WebService, WorkerService, harden)\n"
    ) in program
    for call in (
        'AppNamespace(chart, "ns")',
        'harden(redis, writable_paths=["/data"])',
        'volumes=[Volume.config_map(settings, "/etc/shop")]',
        'node_selector={"pool": "general"}, image_pull_secrets=["regcred"]',
        'pod_annotations={"prometheus.io/scrape": "true"}',
        'api.env_from_config_map(settings, ["LOG_LEVEL"])',
        'api.env_from_secret(creds, ["DATABASE_URL"])',
        'api.connect(cache, env="REDIS_URL", scheme="redis")',
        'api.connect(tools, env="TOOLS_URL")',
        'web.connect(api, env="API_URL")',
        'mailer.connect(api, env="API_URL")',
        'report.connect(api, env="API_URL")',
        'schedule="0 3 * * *"',
        "before=[api, mailer])",
    ):
        assert call in program, call


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A new virtualenv outside the repository with `pip install <checkout>` (the package built
    and installed as any user's pip does). Its dependencies are the project venv's own pinned
    ones, seen through a .pth file, rather than downloaded and unpacked again (~20 s); the package's
    declared requirements, `[plus]` included, are then checked to be met by them."""
    home = tmp_path_factory.mktemp("venv")
    venv.create(home / "venv", with_pip=False)  # pip runs from outside it (pip --python): faster
    python = home / "venv" / "bin" / "python"
    purelib = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    ours = next(path for path in sys.path if path.endswith("site-packages") and Path(path).is_dir())
    (Path(purelib) / "project-dependencies.pth").write_text(ours + "\n")
    pip = [sys.executable, "-m", "pip", "--python", str(python), "--disable-pip-version-check"]
    # hatchling comes from requirements-dev; nothing is byte-compiled (the program runs once)
    install = [*pip, "install", "--quiet", "--no-deps", "--no-build-isolation", "--no-compile", str(ROOT)]
    result = subprocess.run(install, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    # every requirement the package declares, [plus] included, is met at its pinned version (read
    # in-process: the new venv sees this venv's packages, through the .pth file)
    (dist,) = [d for d in importlib.metadata.distributions(path=[purelib]) if d.metadata["Name"] == "webapp-constructs"]
    requirements = [Requirement(text) for text in dist.requires or ()]
    assert any(requirement.name == "cdk8s-plus-27" for requirement in requirements)
    for requirement in requirements:
        assert importlib.metadata.version(requirement.name) in requirement.specifier, requirement
    return python


def test_the_readme_program_runs_from_a_project_of_its_own(installed: Path, tmp_path: Path) -> None:
    project = tmp_path / "my-app"
    project.mkdir()
    (project / "main.py").write_text(readme_program())  # verbatim
    env = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "JSII_NODE", "SYSTEMROOT")}
    result = subprocess.run([str(installed), "main.py"], cwd=project, env=env, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert [p.name for p in (project / "dist").iterdir()] == ["bookshop.k8s.yaml"]
    check_bookshop(load_all((project / "dist" / "bookshop.k8s.yaml").read_text()))


def test_it_installs_as_its_own_package_imported_before_or_after_cdk8s(installed: Path, tmp_path: Path) -> None:
    program = (
        "import json, pathlib\n"
        "from webapp_constructs import ApiService\n"  # before cdk8s
        "import cdk8s, constructs, webapp_constructs\n"
        "chart = cdk8s.Chart(cdk8s.App(), 'todo')\n"
        "ApiService(chart, 'api', image='api:1')\n"
        "upstream = sorted(p.name for p in pathlib.Path(constructs.__file__).parent.glob('*.py'))\n"
        "objects = len(cdk8s.Testing.synth(chart))\n"
        "print(json.dumps([upstream, webapp_constructs.__file__, sorted(webapp_constructs.__all__), objects]))\n"
    )
    env = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "JSII_NODE", "SYSTEMROOT")}
    result = subprocess.run([str(installed), "-c", program], cwd=tmp_path, env=env, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    upstream, location, exported, objects = yaml_load(result.stdout.splitlines()[-1])
    assert upstream == ["__init__.py"]  # the upstream package's own directory: nothing of ours
    assert "/site-packages/webapp_constructs/" in location
    assert sys.prefix not in location
    assert {"ApiService", "McpService", "WebService", "AppConfig", "AppSecret", "PropsError"} <= set(exported)
    assert objects == 4


def test_the_wheel_carries_the_licence(installed: Path) -> None:
    """The installed distribution's metadata names Apache-2.0 and ships the LICENSE file, the
    repository's own, byte for byte (read in-process: no extra subprocess)."""
    site = [str(path) for path in installed.parent.parent.glob("lib/python*/site-packages")]
    (dist,) = [d for d in importlib.metadata.distributions(path=site) if d.metadata["Name"] == "webapp-constructs"]
    assert dist.metadata["License-Expression"] == "Apache-2.0"
    assert dist.metadata.get_all("License-File") == ["LICENSE"]
    shipped = [file for file in dist.files or () if file.name == "LICENSE"]
    assert len(shipped) == 1
    text = shipped[0].read_text()
    assert text == (ROOT / "LICENSE").read_text()
    for words in ("Apache License", "Version 2.0, January 2004", "END OF TERMS AND CONDITIONS"):
        assert words in text
