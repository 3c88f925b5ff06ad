"""The ordering model (tests/ordering.py) played on every preset, with and without a migration,
through kubectl (both printed forms, and the form a gitops environment prints), Argo CD
(Applications and an ApplicationSet), Flux and Helm, from an empty cluster: every object a pod
reads exists before its workload, every migration completes before the Deployments it names. And
the model fails where the order is wrong (the ServiceAccount in the app's wave, the migration a
PreSync hook, the Flux migrations first)."""

from __future__ import annotations

import copy
import functools
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest

from tests import ordering
from tests.helpers import load_all, yaml_load
from tests.migration import inject_migration
from values_app.gitops import FLUX_FILE, PARENT_FILE

ROOT = Path(__file__).resolve().parent.parent
PRESETS = sorted((ROOT / "values").glob("*.yaml"))
TEST_VERSION = "1.0.0"


def seeded(namespace: str, files: Mapping[str, Sequence[Mapping[str, Any]]]) -> ordering.Cluster:
    """An empty cluster but for what the output does not render: its namespace when no Namespace is
    rendered (``default``, or one made outside), and the Secrets it reads that neither a Secret nor an
    ExternalSecret of the output makes (external ones, or those the summary says to create)."""
    cluster = ordering.Cluster(namespace)
    manifests = [m for docs in files.values() for m in docs]
    if not any(m["kind"] == "Namespace" for m in manifests):
        cluster.existing.add(("Namespace", "", namespace))
    made = {
        str(((m.get("spec") or {}).get("target") or {}).get("name") or m["metadata"]["name"])
        for m in manifests
        if m["kind"] in ("Secret", "ExternalSecret")
    }
    for manifest in manifests:
        for kind, name in ordering.references(manifest):
            if kind == "Secret" and name not in made:
                cluster.existing.add(("Secret", cluster.ns(manifest), name))
    return cluster


@functools.cache
@functools.cache  # read only by the tests: one render per preset and migration
def rendered_preset(path: Path, migration: bool) -> Any:
    from values_app.loader import load_values
    from values_app.synth import render

    with pytest.MonkeyPatch.context() as patch:
        if migration:
            inject_migration(patch)
        values = load_values(path)
    environ = {key: "not-a-real-value" for secret in values.secrets.values() for key in secret.keys}
    return render(values, environ=environ)


def helm_templates(chart: Any, namespace: str, workdir: Path) -> dict[str, list[dict[str, Any]]]:
    """What ``helm template --namespace <namespace>`` (helm 3.17) prints of ``chart``, by template
    file: the chart's templates are Helm templates, read as Helm reads them."""
    import subprocess

    from tests.tools import tool

    for name, (text, _) in chart.files.items():
        (workdir / name).parent.mkdir(parents=True, exist_ok=True)
        (workdir / name).write_text(text)
    printed = subprocess.run(
        [str(tool("helm")), "template", "r", str(workdir), "--namespace", namespace],
        capture_output=True,
        text=True,
        check=False,
        env={"HOME": str(workdir)},
    )
    assert printed.returncode == 0, printed.stderr
    files: dict[str, list[dict[str, Any]]] = {}
    for document in printed.stdout.split("\n---\n"):
        source = next((line.split("/templates/", 1)[1] for line in document.splitlines() if line.startswith("# Source: ")), "")
        loaded = yaml_load(document)
        if loaded:
            files.setdefault(source, []).append(loaded)
    return files


@functools.cache  # read only by the tests: one chart and one helm run per preset and migration
def preset_templates(preset: Path, migration: bool) -> tuple[Any, dict[str, list[dict[str, Any]]]]:
    """A preset's render and what ``helm template`` prints of its chart, in its namespace."""
    import tempfile

    from values_app.helm import chart_of

    rendered = rendered_preset(preset, migration)
    with tempfile.TemporaryDirectory() as workdir:
        chart = chart_of(rendered, version=TEST_VERSION)
        templates = helm_templates(chart, rendered.release.values.namespace.name, Path(workdir))
    return rendered, templates


def has_migration(files: Mapping[str, Sequence[Mapping[str, Any]]]) -> bool:
    return any(m["kind"] == "Job" and ordering.BEFORE in ordering.annotations_of(m) for d in files.values() for m in d)


def play_printed(rendered: Any, outdir: Path, files: Mapping[str, Sequence[Mapping[str, Any]]]) -> list[list[str]]:
    """Play each printed kubectl sequence on an empty cluster; the sequences."""
    from values_app.deploy import deploy_plan

    lines = deploy_plan(outdir, files, rendered.release).lines()
    sequences = ordering.printed_sequences(lines)
    by_path = {str(outdir / name): docs for name, docs in files.items()}
    forms = [commands for header, commands in sequences.items() if header.startswith(("Deploy", "or, server-side"))]
    assert 1 <= len(forms) <= 2
    for sequence in forms:  # the client-side form, the server-side form
        cluster = seeded(rendered.release.values.namespace.name, files)
        cluster.know_migrations(m for docs in files.values() for m in docs)
        ordering.play_kubectl(sequence, by_path, cluster)
        assert cluster.errors == [], sequence
        assert all(cluster.exists(*cluster.key(m)) for docs in files.values() for m in docs), "the sequence applies everything"
    return forms


@pytest.mark.parametrize("migration", [False, True], ids=["plain", "migration"])
@pytest.mark.parametrize("preset", PRESETS, ids=[p.stem for p in PRESETS])
def test_kubectl_the_printed_sequences(preset: Path, migration: bool, tmp_path: Path) -> None:
    rendered = rendered_preset(preset, migration)
    assert has_migration(rendered.files) == migration
    sequences = play_printed(rendered, tmp_path / "dist", rendered.files)
    assert len(sequences) >= 1


@pytest.mark.parametrize("migration", [False, True], ids=["plain", "migration"])
@pytest.mark.parametrize("preset", PRESETS, ids=[p.stem for p in PRESETS])
def test_helm_upgrade_install_into_an_empty_namespace(preset: Path, migration: bool, tmp_path: Path) -> None:

    rendered, templates = preset_templates(preset, migration)
    manifests = [m for docs in templates.values() for m in docs]
    cluster = seeded(rendered.release.values.namespace.name, templates)
    ordering.play_helm(manifests, cluster)
    assert cluster.errors == []
    assert has_migration(templates) == migration


# --- GitOps -------------------------------------------------------------------------------------


def environments_text(tool: str, gitops: str = "") -> str:
    """An environments file with every preset as an environment, each on a cluster and namespace of
    its own, its Secrets with values fetched by the External Secrets Operator instead."""
    from values_app.loader import load_values

    lines = [
        "gitops:",
        f"  tool: {tool}",
        "  repoURL: https://git.example.com/shop/deploy.git",
        "  targetRevision: rendered",
        '  path: "clusters/{env}"',
        *gitops.splitlines(),
        "environments:",
    ]
    for index, preset in enumerate(PRESETS):
        values = load_values(preset)
        settings = [f"namespace.name=ns{index}"]
        for name, secret in values.secrets.items():
            if not secret.external and secret.external_secret is None:
                settings += [f"secrets.{name}.externalSecret.store=vault", f"secrets.{name}.externalSecret.remoteKey={name}"]
        lines += [f"  e{index}:", f"    values: [{preset}]", f"    set: {settings}"]
        if tool == "argocd":
            lines.append(f"    cluster: https://c{index}.example.com")
    return "\n".join(lines) + "\n"


@functools.cache
def gitops_render(tool: str, gitops: str, migration: bool, directory: Path) -> Any:
    from values_app.environments import load_environments_file
    from values_app.gitops import render_environments

    path = directory / f"{tool}-{abs(hash(gitops))}-{migration}.yaml"
    path.write_text(environments_text(tool, gitops))
    with pytest.MonkeyPatch.context() as patch:
        if migration:
            inject_migration(patch)
        return render_environments(load_environments_file(path))


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("ordering")


def environment_tree(env: Any) -> tuple[dict[str, list[dict[str, Any]]], dict[str, str]]:
    """An environment's files and Kustomization texts, by path in the deploy repository."""
    files = {f"{env.path}/{name}": docs for name, docs in env.rendered.files.items()}
    kustomizations = {f"{env.path}/{name}": text for name, text in env.rendered.extra.items()}
    return files, kustomizations


@pytest.mark.parametrize("migration", [False, True], ids=["plain", "migration"])
@pytest.mark.parametrize("application_set", [False, True], ids=["applications", "applicationset"])
def test_argo_cd_syncs_every_environment(workdir: Path, application_set: bool, migration: bool) -> None:
    envs, controller = gitops_render("argocd", f"  applicationSet: {str(application_set).lower()}", migration, workdir)
    (objects,) = [docs for name, docs in controller.files.items() if name != PARENT_FILE]  # the parent syncs these
    if application_set:
        ((generator,),) = [o["spec"]["generators"] for o in objects]
        paths = {e["name"]: (e["path"], e["namespace"]) for e in generator["list"]["elements"]}
    else:
        paths = {o["metadata"]["name"]: (o["spec"]["source"]["path"], o["spec"]["destination"]["namespace"]) for o in objects}
    assert len(paths) == len(envs) == len(PRESETS)
    for env in envs:
        files, kustomizations = environment_tree(env)
        path, namespace = paths[env.object_name]
        manifests = ordering.kustomize(path, kustomizations, files)
        cluster = seeded(namespace, {"": manifests})
        ordering.play_argocd(manifests, cluster)
        assert cluster.errors == [], env.name
        assert has_migration({"": manifests}) == (migration and "backend" in env.rendered.release.values.services)
        for _ in range(2):  # a second sync and a self-heal: nothing created out of order, no migration anew
            ordering.play_argocd(manifests, cluster)
            assert cluster.errors == []


def built(path: str, *, texts: Mapping[str, str], files: Mapping[str, Sequence[Mapping[str, Any]]]) -> list[Mapping[str, Any]]:
    return ordering.kustomize(path.removeprefix("./"), texts, files)


@pytest.mark.parametrize("migration", [False, True], ids=["plain", "migration"])
def test_flux_reconciles_every_environment(workdir: Path, migration: bool) -> None:
    envs, controller = gitops_render("flux", "", migration, workdir)
    (objects,) = [docs for name, docs in controller.files.items() if name != PARENT_FILE]  # the parent syncs these
    kustomizations = [o for o in objects if o["kind"] == "Kustomization"]
    for env in envs:
        files, texts = environment_tree(env)
        own = [k for k in kustomizations if k["spec"]["path"].removeprefix("./").split("/")[:2] == env.path.split("/")]
        cluster = seeded(env.namespace, files)
        ordering.play_flux(own, functools.partial(built, texts=texts, files=files), cluster)
        assert cluster.errors == [], env.name
        assert all(cluster.exists(*cluster.key(m)) for docs in files.values() for m in docs), "every object is applied"


@pytest.mark.parametrize("tool", ["argocd", "flux"])
def test_kubectl_a_gitops_environment_by_hand(workdir: Path, tool: str) -> None:
    envs, _ = gitops_render(tool, "  applicationSet: false" if tool == "argocd" else "", True, workdir)
    for env in envs:
        play_printed(env.rendered, workdir / "deploy" / env.path, env.rendered.files)


# --- the model fails where the order is wrong ------------------------------------------------------


def _with(manifest: dict[str, Any], annotations: dict[str, str | None]) -> dict[str, Any]:
    changed = copy.deepcopy(manifest)
    found = changed["metadata"].setdefault("annotations", {})
    for key, value in annotations.items():
        if value is None:
            found.pop(key, None)
        else:
            found[key] = value
    return changed


def _migration_parts(manifests: list[dict[str, Any]]) -> tuple[dict[str, Any], str]:
    (job,) = [m for m in manifests if m["kind"] == "Job" and ordering.BEFORE in ordering.annotations_of(m)]
    return job, job["spec"]["template"]["spec"]["serviceAccountName"]


def test_the_model_fails_when_the_service_account_is_back_in_the_app_wave(workdir: Path) -> None:
    envs, _ = gitops_render("argocd", "  applicationSet: false", True, workdir)
    env = next(e for e in envs if "backend" in e.rendered.release.values.services)
    manifests = [m for docs in env.rendered.files.values() for m in docs]
    job, account = _migration_parts(manifests)
    app_wave = max(
        int(ordering.annotations_of(m)["argocd.argoproj.io/sync-wave"]) for m in manifests if m["kind"] == "Deployment"
    )
    moved = [
        _with(m, {"argocd.argoproj.io/sync-wave": str(app_wave)})
        if m["kind"] == "ServiceAccount" and m["metadata"]["name"] == account
        else m
        for m in manifests
    ]
    cluster = seeded(env.namespace, {"": moved})
    ordering.play_argocd(moved, cluster)
    assert any(f"before the ServiceAccount {account}" in error for error in cluster.errors), cluster.errors
    # the migration as a PreSync hook (what it was): before its ServiceAccount, its ConfigMap, its Namespace
    hooked = [
        _with(m, {"argocd.argoproj.io/hook": "PreSync", "argocd.argoproj.io/sync-wave": None}) if m is job else m
        for m in manifests
    ]
    cluster = seeded(env.namespace, {"": hooked})
    ordering.play_argocd(hooked, cluster)
    assert any("before its Namespace" in error for error in cluster.errors), cluster.errors
    # the migration in the workloads' wave: the backend rolls beside it
    beside = [_with(m, {"argocd.argoproj.io/sync-wave": str(app_wave)}) if m is job else m for m in manifests]
    cluster = seeded(env.namespace, {"": beside})
    ordering.play_argocd(beside, cluster)
    assert any("rolled before migration Job" in error for error in cluster.errors), cluster.errors


def test_the_model_fails_on_the_old_kubectl_flux_and_helm_orders(workdir: Path, tmp_path: Path) -> None:
    preset = ROOT / "values" / "production.yaml"
    rendered = rendered_preset(preset, True)
    files = rendered.files
    out = tmp_path / "dist"
    by_path = {str(out / name): docs for name, docs in files.items()}
    namespace = rendered.release.values.namespace.name
    # kubectl: what the README printed before, its second line only ConfigMaps and Secrets
    old = [
        f"kubectl apply -f {out}/00-namespace.k8s.yaml",
        f"kubectl apply -f {out} -l 'app.kubernetes.io/instance=todo-chatbot,app.kubernetes.io/component in (config,secrets)'",
        f"kubectl apply -f {out}/15-migrations.k8s.yaml",
    ]
    cluster = seeded(namespace, files)
    ordering.play_kubectl(old, by_path, cluster)
    assert any("before the ServiceAccount" in error for error in cluster.errors), cluster.errors
    # kubectl: everything at once
    cluster = seeded(namespace, files)
    cluster.know_migrations(m for docs in files.values() for m in docs)
    ordering.play_kubectl([f"kubectl apply -f {out}"], by_path, cluster)
    assert any("rolled before migration Job" in error for error in cluster.errors), cluster.errors
    # Flux: the migrations Kustomization first, the rest after it (what it was)
    envs, controller = gitops_render("flux", "", True, workdir)
    env = next(e for e in envs if "backend" in e.rendered.release.values.services)
    tree, texts = environment_tree(env)
    everything_else = [m for name, docs in tree.items() if "-migrations/" not in name for m in docs]
    migrations = [m for name, docs in tree.items() if "-migrations/" in name for m in docs]
    chain = [
        {"metadata": {"name": "migrations"}, "spec": {"path": "m", "wait": True}},
        {"metadata": {"name": "app"}, "spec": {"path": "a", "dependsOn": [{"name": "migrations"}]}},
    ]
    cluster = seeded(env.namespace, tree)
    ordering.play_flux(chain, lambda path: migrations if path == "m" else everything_else, cluster)
    assert any("before its Namespace" in error for error in cluster.errors), cluster.errors
    # Flux: the chain as rendered, the migration's ServiceAccount moved back to the app's directory
    flux_objects = controller.files[FLUX_FILE]
    own = [k for k in flux_objects if k["kind"] == "Kustomization" and env.path in k["spec"]["path"]]
    _, account = _migration_parts(migrations)
    moved = {
        name: [m for m in docs if not (m["kind"] == "ServiceAccount" and m["metadata"]["name"] == account)]
        for name, docs in tree.items()
    }
    (sa,) = [m for docs in tree.values() for m in docs if m["kind"] == "ServiceAccount" and m["metadata"]["name"] == account]
    moved[f"{env.path}/20-app.k8s.yaml"] = [*moved[f"{env.path}/20-app.k8s.yaml"], sa]
    cluster = seeded(env.namespace, moved)
    ordering.play_flux(own, functools.partial(built, texts=texts, files=moved), cluster)
    assert any(f"before the ServiceAccount {account}" in error for error in cluster.errors), cluster.errors
    cluster = seeded(env.namespace, tree)  # as rendered: no error
    ordering.play_flux(own, functools.partial(built, texts=texts, files=tree), cluster)
    assert cluster.errors == []
    # Helm: the Job a pre-install hook, its ServiceAccount an ordinary object
    from values_app.helm import chart_of

    chart = chart_of(rendered, version=TEST_VERSION)
    manifests = [m for docs in helm_templates(chart, namespace, tmp_path / "chart").values() for m in docs]
    _, account = _migration_parts(manifests)
    unhooked = [
        _with(m, {"helm.sh/hook": None, "helm.sh/hook-weight": None})
        if m["kind"] == "ServiceAccount" and m["metadata"]["name"] == account
        else m
        for m in manifests
    ]
    cluster = seeded(namespace, {"": unhooked})
    ordering.play_helm(unhooked, cluster)
    assert any(f"before the ServiceAccount {account}" in error for error in cluster.errors), cluster.errors


def test_the_model_reads_selectors_as_kubectl_does() -> None:
    labels = {"metadata": {"labels": {"a": "1", "b": "2"}}}
    assert ordering._selects("a=1,b in (2,3)", labels)
    assert not ordering._selects("!a", labels)
    assert ordering._selects("!c", labels)
    assert not ordering._selects("b notin (2)", labels)
    assert ordering._selects(None, labels)
    assert yaml_load("a: 1") == {"a": 1}


@pytest.mark.parametrize("preset", PRESETS, ids=[p.stem for p in PRESETS])
def test_helm_hooks_exactly_the_migration_and_what_its_pod_reads(preset: Path, tmp_path: Path) -> None:

    for migration in (False, True):
        _, templates = preset_templates(preset, migration)
        manifests = [m for docs in templates.values() for m in docs]
        hooked = {
            (m["kind"], m["metadata"]["name"]): ordering.annotations_of(m)
            for m in manifests
            if "helm.sh/hook" in ordering.annotations_of(m)
        }
        if not migration:
            assert hooked == {}
            continue
        job, _ = _migration_parts(manifests)
        reads = ordering.references(job)
        made = {
            (m["kind"], m["metadata"]["name"]): ("Secret", (m["spec"].get("target") or {}).get("name") or m["metadata"]["name"])
            if m["kind"] == "ExternalSecret"
            else (m["kind"], m["metadata"]["name"])
            for m in manifests
        }
        expected = {key for key, provides in made.items() if provides in reads} | {("Job", job["metadata"]["name"])}
        assert set(hooked) == expected
        assert hooked[("Job", job["metadata"]["name"])]["helm.sh/hook-weight"] == "0"
        assert all(
            a["helm.sh/hook-weight"] == "-5" and a["helm.sh/resource-policy"] == "keep"
            for key, a in hooked.items()
            if key[0] != "Job"
        )
        assert "ServiceAccount" in {kind for kind, _ in hooked}


def test_helm_itself_takes_the_chart_with_its_hooks(tmp_path: Path) -> None:
    """helm 3.17 lints the chart of a release with a migration clean, and ``helm template`` prints
    the hooks with their weights, as the model read them."""
    import subprocess

    from tests.tools import tool
    from values_app.helm import chart_of

    rendered = rendered_preset(ROOT / "values" / "production.yaml", True)
    chart = chart_of(rendered, version=TEST_VERSION)
    for name, (text, _) in chart.files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    lint = subprocess.run([str(tool("helm")), "lint", "--strict", str(tmp_path)], capture_output=True, text=True, check=False)
    assert lint.returncode == 0, lint.stdout + lint.stderr
    template = subprocess.run(
        [str(tool("helm")), "template", "todo-chatbot", str(tmp_path), "--namespace", "todo-chatbot"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert template.returncode == 0, template.stderr
    printed = load_all(template.stdout)
    weights = {
        (m["kind"], m["metadata"]["name"]): ordering.annotations_of(m).get("helm.sh/hook-weight")
        for m in printed
        if "helm.sh/hook" in ordering.annotations_of(m)
    }
    job, account = _migration_parts(printed)
    assert weights[("Job", job["metadata"]["name"])] == "0"
    assert weights[("ServiceAccount", account)] == "-5"
    cluster = seeded("todo-chatbot", {"": printed})
    ordering.play_helm(printed, cluster)
    assert cluster.errors == []
