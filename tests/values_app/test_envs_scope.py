"""``--env`` scopes everything (issue 29, item 7): only the environments named are loaded, built,
validated and written; a ``--set`` applies where its path exists, or to the environment it names
(``<env>:<path>=<value>``); an error from a ``--set`` names the flag; ``image.tag`` tags every
service's image."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest

from tests.values_app.test_gitops import PRODUCTION, STAGING, gitops_file, objects, tree
from values_app import cli
from values_app.layers import ValuesError
from values_app.loader import load_values
from values_app.settings import Setting

ROOT = Path(__file__).resolve().parents[2]
LOCAL = ROOT / "values" / "003-local-k8s-deployment.yaml"


def dev_without_mcp(directory: Path) -> Path:
    """An overlay of the default preset without its MCP server (the issue's ``overlays/dev.yaml``)."""
    path = directory / "dev.yaml"
    path.write_text(
        f"extends: {LOCAL}\n"
        "services:\n"
        "  mcp: null\n"
        "  backend:\n"
        "    env:\n"
        "      config: [CORS_ORIGINS, BETTER_AUTH_URL]\n"
        "configMaps:\n"
        "  todo-chatbot-config:\n"
        "    MCP_SERVER_URL: null\n"
        "    MCP_SERVER_PORT: null\n"
    )
    return path


def environments_file(directory: Path) -> Path:
    path = directory / "environments.yaml"
    path.write_text(f"environments:\n  dev: {{values: [{dev_without_mcp(directory)}]}}\n  staging: {{values: [{STAGING}]}}\n")
    return path


def envs(file: Path, outdir: Path, *flags: str, names: tuple[str, ...] = ()) -> tuple[int, str]:
    stderr = io.StringIO()
    settings = [Setting(flag.split(" ", 1)[1], string=flag.startswith("--set-string")) for flag in flags]
    status = cli.environments(
        file=file, outdir=outdir, names=list(names), settings=settings, environ={}, stderr=stderr, quiet=True
    )
    return status, stderr.getvalue()


def images(output: Path) -> dict[str, str]:
    """Deployment name -> its first container's image."""
    return {
        m["metadata"]["name"]: m["spec"]["template"]["spec"]["containers"][0]["image"]
        for m in objects(output, "*.k8s.yaml")
        if m["kind"] == "Deployment"
    }


# --- a --set where its path exists -------------------------------------------------------------


def test_a_set_applies_to_the_environments_that_have_its_path(tmp_path: Path) -> None:
    file, out = environments_file(tmp_path), tmp_path / "dist"
    assert envs(file, out, "--set services.mcp.image.tag=0123456") == (0, "")
    assert images(out / "staging")["todo-mcp"].startswith("ghcr.io/example/todo-backend:0123456@sha256:")
    assert "todo-mcp" not in images(out / "dev")  # dev has no MCP server: the flag is not for it
    # the command, and the same with only dev named:
    assert envs(file, out, "--set services.mcp.image.tag=0123456", names=("staging",)) == (0, "")
    status, stderr = envs(file, out, "--set services.mcp.image.tag=0123456", names=("dev",))
    assert status == 1
    assert stderr == (
        "error: --set services.mcp.image.tag=0123456: services.mcp.image.tag=0123456: no environment has its path "
        "(services.mcp; of dev); name the environment (<env>:services.mcp.image.tag=0123456) or fix the path\n"
    )


def test_a_path_into_fields_applies_even_where_no_file_gives_them(tmp_path: Path) -> None:
    file, out = environments_file(tmp_path), tmp_path / "dist"
    assert envs(file, out, "--set services.backend.resources.limits.cpu=2,networkPolicies.enabled=true") == (0, "")
    for name in ("dev", "staging"):
        backend = next(
            m
            for m in objects(out / name, "20-app.k8s.yaml")
            if m["kind"] == "Deployment" and m["metadata"]["name"] == "todo-backend"
        )
        assert backend["spec"]["template"]["spec"]["containers"][0]["resources"]["limits"]["cpu"] == "2"


def test_a_typo_in_a_service_name_applies_nowhere_and_says_so(tmp_path: Path) -> None:
    status, stderr = envs(environments_file(tmp_path), tmp_path / "dist", "--set services.bakend.replicas=3")
    assert status == 1
    assert stderr.startswith(
        "error: --set services.bakend.replicas=3: services.bakend.replicas=3: "
        "no environment has its path (services.bakend; of dev, staging)"
    )
    assert not (tmp_path / "dist").exists()


# --- a --set that names its environment ----------------------------------------------------------


def test_a_set_names_its_environment(tmp_path: Path) -> None:
    file, out = environments_file(tmp_path), tmp_path / "dist"
    assert envs(file, out) == (0, "")
    dev_before = tree(out / "dev")
    assert envs(file, out, "--set staging:services.backend.replicas=5,services.frontend.replicas=4") == (0, "")
    deployments = {
        m["metadata"]["name"]: m["spec"].get("replicas")
        for m in objects(out / "staging", "20-app.k8s.yaml")
        if m["kind"] == "Deployment"
    }
    assert deployments["todo-backend"] == 5
    assert deployments["todo-frontend"] == 4
    assert tree(out / "dev") == dev_before


def test_a_set_for_an_environment_the_file_lacks_is_bad_usage(tmp_path: Path) -> None:
    file = environments_file(tmp_path)
    status, stderr = envs(file, tmp_path / "dist", "--set qa:services.backend.replicas=3")
    assert status == 2
    assert stderr == f"error: --set qa:services.backend.replicas=3: 'qa' is not an environment of {file} (one of dev, staging)\n"


def test_an_error_from_a_set_names_the_flag_never_an_overlay_line(tmp_path: Path) -> None:
    file = environments_file(tmp_path)
    status, stderr = envs(file, tmp_path / "dist", "--set dev:services.mcp.image.tag=0123456")
    assert status == 1
    lines = stderr.splitlines()
    assert lines
    assert all(line.startswith("error: dev: --set services.mcp.image.tag=0123456: services.mcp") for line in lines), lines
    # the same through a single synth's loader: the overlay's `mcp: null` line is not the culprit
    with pytest.raises(ValuesError) as raised:
        load_values(dev_without_mcp(tmp_path), [Setting("services.mcp.image.tag=0123456")])
    assert raised.value.lines == [
        "--set services.mcp.image.tag=0123456: services.mcp: missing 'kind' (one of web, api, mcp, worker, cronjob, migration)"
    ]


# --- image.tag: one tag for every service ----------------------------------------------------------


@pytest.mark.parametrize(
    ("flag", "tag"),
    [
        (Setting("image.tag=0123456"), "0123456"),
        (Setting("image.tag=1234567"), "1234567"),
        (Setting("image.tag=abc1234", string=True), "abc1234"),
    ],
)
def test_image_tag_tags_every_service_typed_as_helm_types_it(flag: Setting, tag: str) -> None:
    values = load_values(LOCAL, [flag])
    assert {key: service.image.tag for key, service in values.services.items()} == dict.fromkeys(values.services, tag)


def test_image_tag_refuses_a_digest_a_file_pins_unless_a_flag_sets_it_too() -> None:
    with pytest.raises(ValuesError) as raised:
        load_values(PRODUCTION, [Setting("image.tag=abc1234", string=True)])
    assert len(raised.value.lines) == 3  # frontend, backend, mcp
    assert raised.value.lines[0].startswith(
        f"--set-string image.tag=abc1234: services.frontend.image: its digest sha256:{'1' * 64} (pinned by "
    )
    assert re.search(r"\(pinned by \S*values/production\.yaml:\d+\)", raised.value.lines[0])
    digests = [Setting(f"services.{key}.image.digest=sha256:{'a' * 64}") for key in ("frontend", "backend", "mcp")]
    values = load_values(PRODUCTION, [Setting("image.tag=abc1234", string=True), *digests])
    assert {service.image.reference for service in values.services.values()} == {
        f"ghcr.io/example/todo-{name}:abc1234@sha256:{'a' * 64}" for name in ("frontend", "backend")
    }


@pytest.mark.parametrize(
    ("text", "error"),
    [
        (
            "image.digest=sha256:x",
            "--set image.digest=sha256:x: image.digest: only image.tag applies to every service; set services.<key>.image.digest",
        ),
        ("image.tag=null", "--set image.tag=null: image.tag: null would leave every image without a tag; give a tag"),
        (
            "image.tag=bad/tag",
            "--set image.tag=bad/tag: services.frontend.image.tag: 'bad/tag' is not an image tag "
            "(letters, digits, '_', '.', '-'; at most 128)",
        ),
    ],
)
def test_image_tag_mistakes_name_the_flag(text: str, error: str) -> None:
    with pytest.raises(ValuesError) as raised:
        load_values(LOCAL, [Setting(text)])
    assert raised.value.lines[0] == error


# --- gitops: only the environments named are loaded ---------------------------------------------------


@pytest.mark.parametrize("production_file", ["broken", "missing"])
def test_gitops_env_loads_only_the_environments_named(tmp_path: Path, production_file: str) -> None:
    """Once production is rendered, `--env staging` never reads production's values again (here
    broken on purpose): its directory and its Application stay byte for byte."""
    production = tmp_path / "production.yaml"
    production.write_text(f"extends: {PRODUCTION}\n")
    file = gitops_file(tmp_path, environments=f"  staging:\n    values: [{STAGING}]\n  production:\n    values: [{production}]\n")
    out = tmp_path / "deploy"
    stderr = io.StringIO()
    assert cli.environments(file=file, outdir=out, environ={}, stderr=stderr, quiet=True) == 0, stderr.getvalue()
    production_before, applications_before = tree(out / "clusters" / "production"), objects(out / "argocd")
    production.write_text("services: {backend: {replicas: -1}}\n")  # would fail if it were loaded
    if production_file == "missing":
        production.unlink()  # nor need it be there
    stderr = io.StringIO()
    status = cli.environments(
        file=file,
        outdir=out,
        names=["staging"],
        settings=[Setting("services.backend.replicas=3")],
        environ={},
        stderr=stderr,
        quiet=True,
    )
    assert status == 0, stderr.getvalue()
    assert tree(out / "clusters" / "production") == production_before
    assert objects(out / "argocd") == applications_before  # production's Application kept as it was
    staging = {
        m["metadata"]["name"]: m["spec"].get("replicas")
        for m in objects(out / "clusters" / "staging", "20-app.k8s.yaml")
        if m["kind"] == "Deployment"
    }
    assert staging["todo-backend"] == 3
    # diff --environments --env staging with the same flag: production is neither rendered nor compared
    stdout, stderr = io.StringIO(), io.StringIO()
    status = cli.diff_environments(
        file=file, against=out, names=["staging"], settings=[Setting("services.backend.replicas=4")], stdout=stdout, stderr=stderr
    )
    assert status == 1, stderr.getvalue()
    assert stderr.getvalue().splitlines() == [
        "staging: 1 changed, 0 added, 0 removed",
        "argocd: no changes",
    ]


@pytest.mark.parametrize(
    ("tool", "gitops"),
    [("argocd", ""), ("argocd", "  applicationSet: true\n"), ("flux", "")],
)
def test_the_controller_objects_of_an_env_run_are_those_of_a_full_run(tmp_path: Path, tool: str, gitops: str) -> None:
    """The environments not rendered are read back from the tree: the controller's objects are
    byte for byte those a run of every environment writes, and follow the gitops: block as it is
    now (a new targetRevision reaches production's object without rendering production)."""
    out = tmp_path / "deploy"
    stderr = io.StringIO()
    file = gitops_file(tmp_path, tool, gitops)
    assert cli.environments(file=file, outdir=out, environ={}, stderr=stderr, quiet=True) == 0, stderr.getvalue()
    full = tree(out)
    stderr = io.StringIO()
    assert cli.environments(file=file, outdir=out, names=["staging"], environ={}, stderr=stderr, quiet=True) == 0, (
        stderr.getvalue()
    )
    assert tree(out) == full
    file.write_text(file.read_text().replace("targetRevision: rendered", "targetRevision: release"))
    assert cli.environments(file=file, outdir=out, names=["staging"], environ={}, stderr=stderr, quiet=True) == 0, (
        stderr.getvalue()
    )
    after_env = tree(out)
    assert cli.environments(file=file, outdir=out, environ={}, stderr=stderr, quiet=True) == 0, stderr.getvalue()
    assert after_env == tree(out)
    assert after_env != full


def test_an_environment_prefix_outside_an_environments_file_says_where_it_belongs() -> None:
    with pytest.raises(ValuesError) as raised:
        load_values(STAGING, [Setting("staging:services.backend.replicas=3")])
    assert raised.value.lines == [
        "--set staging:services.backend.replicas=3: staging: names an environment; only envs and diff --environments "
        "take <environment>:<path>=<value>"
    ]


def test_an_env_run_is_checked_against_the_environments_of_the_tree(tmp_path: Path) -> None:
    """One owner per namespace holds across the environments --env leaves out: they are read back
    from the tree, and a named one that takes production's namespace is refused."""
    file, out = gitops_file(tmp_path, "flux"), tmp_path / "deploy"
    stderr = io.StringIO()
    assert cli.environments(file=file, outdir=out, environ={}, stderr=stderr, quiet=True) == 0, stderr.getvalue()
    before = tree(out)
    stderr = io.StringIO()
    settings = [Setting("staging:namespace.name=todo-chatbot")]
    status = cli.environments(file=file, outdir=out, names=["staging"], settings=settings, environ={}, stderr=stderr, quiet=True)
    assert status == 1
    assert re.match(
        rf"error: {re.escape(str(file))}:\d+: environments\.production: namespace todo-chatbot on the cluster Flux runs in is "
        "environment staging's too",
        stderr.getvalue(),
    ), stderr.getvalue()
    assert tree(out) == before


def test_a_files_value_at_odds_with_a_flag_names_the_flag_too() -> None:
    with pytest.raises(ValuesError) as raised:
        load_values(PRODUCTION, [Setting("services.frontend.port=8000"), Setting("services.backend.replicas=null")])
    (line,) = raised.value.lines
    assert re.fullmatch(
        r"\S*values/003-local-k8s-deployment\.yaml:\d+: services\.frontend\.service\.targetPort: 3000 is not the container "
        r"port 8000; .* \(with --set services\.frontend\.port=8000\)",
        line,
    ), line
