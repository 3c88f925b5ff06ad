"""envs with a gitops: block (issue 22): the output is the root of a deploy repository, each
environment a Kustomize base in <path>, the controller's objects beside them, valid against their
CRDs' schemas; sync waves; migrations for Argo CD, Flux and kubectl; no Secret value anywhere."""

from __future__ import annotations

import base64
import io
import os
import re
import subprocess
from collections import Counter
from pathlib import Path
from typing import Any

import jsonschema
import kubernetes_validate
import pytest
import yaml

from tests.crd_schemas import validate_any
from tests.helpers import load_all
from tests.migration import inject_migration, with_migration
from tests.tools import tool
from values_app import cli
from values_app.environments import load_environments_file
from values_app.gitops import WAVES, gitops_files, wave_of
from values_app.layers import ValuesError
from values_app.loader import load_values
from values_app.release import RELEASE_CONSTRUCTS
from values_app.synth import render

__all__ = ["with_migration"]  # the fixture, used by name

ROOT = Path(__file__).resolve().parents[2]
STAGING, PRODUCTION, LOCAL = (ROOT / "values" / f"{name}.yaml" for name in ("staging", "production", "003-local-k8s-deployment"))
STAGING_ONLY = f"  staging:\n    values: [{STAGING}]\n"
FROM_VAULT = (
    "[secrets.todo-chatbot-secrets.externalSecret.store=vault, secrets.todo-chatbot-secrets.externalSecret.remoteKey=todo]"
)


def gitops_file(tmp_path: Path, tool: str = "argocd", gitops: str = "", environments: str = "") -> Path:
    path = tmp_path / "environments.yaml"
    path.write_text(
        "gitops:\n"
        f"  tool: {tool}\n"
        "  repoURL: https://git.example.com/shop/deploy.git\n"
        "  targetRevision: rendered\n"
        '  path: "clusters/{env}"\n'
        + gitops
        + "environments:\n"
        + (
            environments
            or f"  staging:\n    values: [{STAGING}]\n"
            + ("    cluster: https://staging.k8s.example.com\n" if tool == "argocd" else "")
            + f"  production:\n    values: [{PRODUCTION}]\n"
        )
    )
    return path


def envs(file: Path, outdir: Path, **options: Any) -> tuple[int, str]:
    stderr = io.StringIO()
    status = cli.environments(file=file, outdir=outdir, environ={}, stderr=stderr, **options)
    return status, stderr.getvalue()


def tree(directory: Path) -> dict[str, bytes]:
    """Every file under ``directory`` (relative name -> bytes)."""
    return {str(p.relative_to(directory)): p.read_bytes() for p in sorted(directory.rglob("*")) if p.is_file()}


def objects(directory: Path, pattern: str = "*.yaml") -> list[dict[str, Any]]:
    return [doc for path in sorted(directory.glob(pattern)) for doc in load_all(path.read_text())]


def validate_all(outdir: Path) -> list[dict[str, Any]]:
    """Every manifest under ``outdir``, each valid: custom resources strictly against their CRD's
    schema, the rest against Kubernetes 1.27, strictly."""
    found = objects(outdir, "**/*.yaml")
    for manifest in found:
        validate_any(manifest)
    return found


def test_the_fast_validation_is_kubernetes_validate_s(tmp_path: Path) -> None:
    """:func:`validate_any` validates Kubernetes objects as ``kubernetes_validate.validate(...,
    "1.27.0", strict=True)`` does (the same schemas, read once): what one accepts and refuses, so
    does the other."""
    from tests.crd_schemas import validate_kubernetes

    rendered = render(load_values(PRODUCTION), environ={})
    by_kind = {m["kind"]: m for docs in gitops_files(rendered.files, "argocd").values() for m in docs}
    manifests = [by_kind[kind] for kind in ("Namespace", "Deployment", "Ingress", "HorizontalPodAutoscaler")]
    for manifest in manifests:
        kubernetes_validate.validate(manifest, "1.27.0", strict=True)
        validate_kubernetes(manifest)
    wrong = {**manifests[-1], "spec": {**manifests[-1]["spec"], "unknownField": 1}}
    with pytest.raises(kubernetes_validate.ValidationError):
        kubernetes_validate.validate(wrong, "1.27.0", strict=True)
    with pytest.raises(jsonschema.ValidationError):
        validate_kubernetes(wrong)


def repository(tmp_path: Path) -> Path:
    """A checkout of the deploy repository: what is not ours stays."""
    out = tmp_path / "deploy"
    (out / ".git").mkdir(parents=True)
    (out / ".git" / "HEAD").write_text("ref: refs/heads/rendered\n")
    (out / "README.md").write_text("the deploy repository\n")
    return out


# --- what envs writes --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def argocd_repo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """A deploy repository as envs writes it for Argo CD (staging with a migration, production
    without), written twice (the second time the same bytes), and the summary."""
    root = tmp_path_factory.mktemp("argocd")
    with pytest.MonkeyPatch.context() as patch:
        inject_migration(patch, namespaces=frozenset({"todo-staging"}))
        out = repository(root)
        status, stderr = envs(gitops_file(root), out)
        assert status == 0, stderr
        files = tree(out)
        assert envs(gitops_file(root), out)[0] == 0
    assert tree(out) == files  # the same run again: the same bytes, what is not ours untouched
    return out, stderr


@pytest.fixture(scope="module")
def flux_repo(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """The same for Flux (``interval: 10m``, ``reloader: true``)."""
    root = tmp_path_factory.mktemp("flux")
    with pytest.MonkeyPatch.context() as patch:
        inject_migration(patch, namespaces=frozenset({"todo-staging"}))
        out = root / "deploy"
        status, stderr = envs(gitops_file(root, "flux", gitops="  interval: 10m\n  reloader: true\n"), out)
        assert status == 0, stderr
    return out, stderr


def test_argo_cd_an_application_per_environment_beside_the_environments(argocd_repo: tuple[Path, str]) -> None:
    out, stderr = argocd_repo
    files = tree(out)
    assert sorted(files) == [
        ".git/HEAD", "README.md",
        "argocd/.cdk8s-synth", "argocd/Kustomization", "argocd/applications.k8s.yaml",
        "clusters/production/.cdk8s-synth", "clusters/production/00-namespace.k8s.yaml",
        "clusters/production/20-app.k8s.yaml", "clusters/production/Kustomization",
        "clusters/staging/.cdk8s-synth", "clusters/staging/00-namespace.k8s.yaml",
        "clusters/staging/15-migrations.k8s.yaml", "clusters/staging/20-app.k8s.yaml", "clusters/staging/Kustomization",
    ]  # fmt: skip
    assert files["README.md"] == b"the deploy repository\n"
    validate_all(out)
    for manifest in objects(out / "clusters" / "production"):  # each object with its wave
        assert manifest["metadata"]["annotations"]["argocd.argoproj.io/sync-wave"] == str(WAVES[manifest["kind"]])
    staging, production = objects(out / "argocd")
    assert staging["kind"] == "Application"
    assert staging["metadata"] == {"name": "todo-chatbot-staging", "namespace": "argocd"}
    assert staging["spec"] == {
        "destination": {"namespace": "todo-staging", "server": "https://staging.k8s.example.com"},
        "project": "default",
        "source": {
            "path": "clusters/staging",
            "repoURL": "https://git.example.com/shop/deploy.git",
            "targetRevision": "rendered",
        },
        "syncPolicy": {
            "automated": {"prune": True, "selfHeal": True},
            "syncOptions": ["PruneLast=true", "ServerSideApply=true"],
        },
    }
    assert production["spec"]["destination"] == {"namespace": "todo-chatbot", "server": "https://kubernetes.default.svc"}
    assert production["spec"]["source"]["path"] == "clusters/production"
    assert "== argocd\nWrote 2 Argo CD objects into" in stderr
    assert f"  kubectl apply -f {out / 'argocd'}\n" in stderr
    assert "application.resourceTrackingMethod: annotation" in stderr


def test_a_migration_for_argo_cd_is_a_presync_hook_in_the_environment(argocd_repo: tuple[Path, str]) -> None:
    staging = argocd_repo[0] / "clusters" / "staging"
    (job,) = objects(staging, "15-*.yaml")
    annotations = job["metadata"]["annotations"]
    assert annotations["argocd.argoproj.io/hook"] == "PreSync"
    assert annotations["argocd.argoproj.io/hook-delete-policy"] == "BeforeHookCreation"
    assert "argocd.argoproj.io/sync-wave" not in annotations  # a hook runs before every wave
    assert all(m["kind"] != "Job" for m in objects(staging, "20-*.yaml"))
    assert yaml.safe_load((staging / "Kustomization").read_text())["resources"] == [
        "00-namespace.k8s.yaml", "15-migrations.k8s.yaml", "20-app.k8s.yaml"
    ]  # fmt: skip


def test_argo_cd_settings_and_an_application_set(tmp_path: Path) -> None:
    out = tmp_path / "deploy"
    settings = "  project: shop\n  namespace: gitops\n  selfHeal: false\n  serverSideApply: false\n  applicationSet: true\n"
    status, stderr = envs(gitops_file(tmp_path, gitops=settings), out)
    assert status == 0, stderr
    validate_all(out)
    assert sorted(p.name for p in (out / "argocd").iterdir()) == [".cdk8s-synth", "Kustomization", "applicationset.k8s.yaml"]
    (applications,) = objects(out / "argocd")
    assert applications["kind"] == "ApplicationSet"
    assert applications["metadata"] == {"name": "deploy", "namespace": "gitops"}
    spec = applications["spec"]
    assert spec["generators"] == [
        {
            "list": {
                "elements": [
                    {
                        "name": "todo-chatbot-staging",
                        "namespace": "todo-staging",
                        "path": "clusters/staging",
                        "server": "https://staging.k8s.example.com",
                    },
                    {
                        "name": "todo-chatbot-production",
                        "namespace": "todo-chatbot",
                        "path": "clusters/production",
                        "server": "https://kubernetes.default.svc",
                    },
                ]
            }
        }
    ]
    assert spec["goTemplate"] is True
    assert spec["syncPolicy"] == {"preserveResourcesOnDeletion": True}
    template = spec["template"]
    assert template["metadata"] == {"name": "{{.name}}"}
    assert template["spec"]["project"] == "shop"
    assert template["spec"]["source"]["path"] == "{{.path}}"
    assert template["spec"]["destination"] == {"namespace": "{{.namespace}}", "server": "{{.server}}"}
    assert template["spec"]["syncPolicy"] == {"automated": {"prune": True, "selfHeal": False}, "syncOptions": ["PruneLast=true"]}


def test_flux_a_git_repository_and_a_kustomization_per_environment(flux_repo: tuple[Path, str]) -> None:
    out, stderr = flux_repo
    validate_all(out)
    assert sorted(p.name for p in (out / "flux").iterdir()) == [".cdk8s-synth", "Kustomization", "sync.k8s.yaml"]
    source, migrations, staging, production = objects(out / "flux")
    assert source == {
        "apiVersion": "source.toolkit.fluxcd.io/v1",
        "kind": "GitRepository",
        "metadata": {"name": "deploy", "namespace": "flux-system"},
        "spec": {"interval": "10m", "ref": {"branch": "rendered"}, "url": "https://git.example.com/shop/deploy.git"},
    }
    assert production["metadata"] == {"name": "todo-chatbot-production", "namespace": "flux-system"}
    assert production["spec"] == {
        "healthChecks": [
            {"apiVersion": "apps/v1", "kind": "Deployment", "name": name, "namespace": "todo-chatbot"}
            for name in ("todo-frontend", "todo-backend", "todo-mcp")
        ],
        "interval": "10m",
        "path": "./clusters/production",
        "prune": True,
        "sourceRef": {"kind": "GitRepository", "name": "deploy"},
    }
    # staging has a migration: a Kustomization of its own, with wait, that staging's depends on
    assert migrations["metadata"] == {"name": "todo-chatbot-staging-migrations", "namespace": "flux-system"}
    assert migrations["spec"] == {
        "force": True,
        "interval": "10m",
        "path": "./clusters/staging/migrations",
        "prune": True,
        "sourceRef": {"kind": "GitRepository", "name": "deploy"},
        "timeout": "10m",
        "wait": True,
    }
    assert staging["spec"]["dependsOn"] == [{"name": "todo-chatbot-staging-migrations"}]
    assert staging["spec"]["path"] == "./clusters/staging"
    assert [check["kind"] for check in staging["spec"]["healthChecks"]] == ["Deployment"] * 3
    staging_dir = out / "clusters" / "staging"
    assert sorted(str(p.relative_to(staging_dir)) for p in staging_dir.rglob("*")) == [
        ".cdk8s-synth", "00-namespace.k8s.yaml", "20-app.k8s.yaml", "Kustomization",
        "migrations", "migrations/15-migrations.k8s.yaml", "migrations/Kustomization",
    ]  # fmt: skip
    assert yaml.safe_load((staging_dir / "Kustomization").read_text())["resources"] == [
        "00-namespace.k8s.yaml",
        "20-app.k8s.yaml",
    ]
    assert yaml.safe_load((staging_dir / "migrations" / "Kustomization").read_text())["resources"] == ["15-migrations.k8s.yaml"]
    # by hand: the same order, from the migrations directory
    job = f"{staging_dir}/migrations/15-migrations.k8s.yaml"
    assert f"  kubectl delete -f {job} --ignore-not-found\n  kubectl apply -f {job}\n" in stderr
    assert f"kubectl apply -f {staging_dir} -R --prune " in stderr


def test_only_the_environments_named_are_written_the_controller_describes_those_in_the_tree(tmp_path: Path) -> None:
    # Issue 29, item 7: --env renders only the environments it names; the controller's objects of
    # the others are those of the deploy tree (tests/values_app/test_envs_scope.py), none here yet.
    out = tmp_path / "deploy"
    status, stderr = envs(gitops_file(tmp_path), out, names=["staging"])
    assert status == 0, stderr
    assert sorted(p.name for p in (out / "clusters").iterdir()) == ["staging"]
    assert [a["metadata"]["name"] for a in objects(out / "argocd")] == ["todo-chatbot-staging"]
    assert f"production: not in {out} yet, so not synced: render it (--env production)" in stderr
    assert envs(gitops_file(tmp_path), out, names=["production"])[0] == 0
    assert [a["metadata"]["name"] for a in objects(out / "argocd")] == ["todo-chatbot-staging", "todo-chatbot-production"]


# --- sync waves ----------------------------------------------------------------------------------

ORDER = [
    {"Namespace"},
    {"ConfigMap", "Secret", "ExternalSecret", "ServiceAccount", "NetworkPolicy"},
    {"Service", "Deployment", "StatefulSet", "DaemonSet", "Job", "CronJob", "PodDisruptionBudget"},
    {"Ingress", "HorizontalPodAutoscaler"},
]
"""Issue 22, item 2: the Namespace first, then what the pods read (and the NetworkPolicies that
isolate them), then the Services and workloads, then what routes to them and scales them."""


def test_the_wave_table_is_the_order_of_the_issue() -> None:
    assert {kind: wave for wave, kinds in enumerate(ORDER) for kind in kinds} == WAVES
    assert wave_of({"kind": "Gadget"}) == 2  # any other kind: with the workloads
    renderable = {kind for construct in RELEASE_CONSTRUCTS for _, kind in construct.RENDERS}
    assert renderable - {"Namespace"} <= set(WAVES)  # every kind a release renders has its wave, decided


@pytest.mark.parametrize("preset", sorted(p.stem for p in (ROOT / "values").glob("*.yaml")))
def test_waves_are_ordered_for_every_preset(preset: str) -> None:
    rendered = render(load_values(ROOT / "values" / f"{preset}.yaml"), environ={"DATABASE_URL": "x"})
    files = gitops_files(rendered.files, "argocd")
    waves = Counter[int]()
    for manifest in (m for docs in files.values() for m in docs):
        wave = int(manifest["metadata"]["annotations"]["argocd.argoproj.io/sync-wave"])
        assert manifest["kind"] in ORDER[wave], (manifest["kind"], wave)
        waves[wave] += 1
    assert waves[1]  # every preset has something to read,
    assert waves[2]  # and something that reads it
    # the objects themselves are unchanged but for the annotation
    for name, docs in rendered.files.items():
        for before, after in zip(docs, files[name], strict=True):
            annotations = dict(after["metadata"]["annotations"])
            del annotations["argocd.argoproj.io/sync-wave"]
            assert {**after, "metadata": {**after["metadata"], "annotations": annotations}} == {
                **before,
                "metadata": {**before["metadata"], "annotations": before["metadata"].get("annotations", {})},
            }


# --- migrations ------------------------------------------------------------------------------------


@pytest.mark.usefixtures("with_migration")
def test_a_migration_by_hand_the_job_completes_before_the_rest(tmp_path: Path) -> None:
    """Without gitops: the Job in a file of its own, and the summary's order: the Namespace, what
    the Job reads (selected by labels: kubectl apply -f filters a directory's objects with -l),
    the Job (deleted first: its template cannot change), kubectl wait, then the rest."""
    stderr = io.StringIO()
    out = tmp_path / "dist"
    assert cli.run(values=LOCAL, outdir=out, environ=VALUES, stderr=stderr) == 0
    assert sorted(p.name for p in out.glob("*.yaml")) == [
        "00-namespace.k8s.yaml", "10-secrets.secret.yaml", "15-migrations.k8s.yaml", "20-app.k8s.yaml"
    ]  # fmt: skip
    lines = [
        line.strip()
        for line in stderr.getvalue().splitlines()
        if line.startswith(("  kubectl apply", "  kubectl delete", "  kubectl wait"))
    ]
    (job,) = yaml.safe_load_all((out / "15-migrations.k8s.yaml").read_text())  # the library's MigrationJob
    name = job["metadata"]["name"]
    assert re.fullmatch(r"todo-chatbot-migrate-[0-9a-f]{8}", name)  # its pod template's digest
    assert lines[:6] == [
        f"kubectl apply -f {out}/00-namespace.k8s.yaml",
        f"kubectl apply -f {out} -l 'app.kubernetes.io/instance=todo-chatbot,app.kubernetes.io/component in (config,secrets)'",
        f"kubectl delete -f {out}/15-migrations.k8s.yaml --ignore-not-found",
        f"kubectl apply -f {out}/15-migrations.k8s.yaml",
        f"kubectl wait --for=condition=complete -n todo-local --timeout=600s job/{name}",
        lines[5],
    ]
    assert lines[5].startswith(f"kubectl apply -f {out} --prune -l app.kubernetes.io/instance=todo-chatbot ")
    assert f"Migration {name} runs to completion before todo-backend roll" in stderr.getvalue()
    # the selector picks exactly what the migration reads: the ConfigMap and the Secret
    selected = [
        m
        for m in objects(out)
        if m["metadata"]["labels"]["app.kubernetes.io/instance"] == "todo-chatbot"
        and m["metadata"]["labels"]["app.kubernetes.io/component"] in ("config", "secrets")
    ]
    assert sorted(m["kind"] for m in selected) == ["ConfigMap", "Secret"]
    for manifest in objects(out):
        validate_any(manifest)


def test_what_a_migration_reads_is_applied_first_only_where_labels_tell_it_apart(tmp_path: Path) -> None:
    from values_app.deploy import prerequisites_step

    def manifest(kind: str, **labels: str) -> dict[str, Any]:
        return {"kind": kind, "metadata": {"name": kind.lower(), "labels": {"app.kubernetes.io/instance": "r", **labels}}}

    config, secret = (
        manifest("ConfigMap", **{"app.kubernetes.io/component": "config"}),
        manifest("Secret", **{"app.kubernetes.io/component": "s"}),
    )
    selector = "'app.kubernetes.io/instance=r,app.kubernetes.io/component in (config,s)'"
    assert prerequisites_step(tmp_path, {"a.yaml": [config, secret]}) == f"kubectl apply -f {tmp_path} -l {selector}"
    assert prerequisites_step(tmp_path, {"a/b.yaml": [config]}) == (
        f"kubectl apply -f {tmp_path} -R -l 'app.kubernetes.io/instance=r,app.kubernetes.io/component in (config)'"
    )
    workload = manifest("Deployment", **{"app.kubernetes.io/component": "config"})
    assert prerequisites_step(tmp_path, {"a.yaml": [config, workload]}) is None  # it would apply the workload too
    assert prerequisites_step(tmp_path, {"a.yaml": [config, manifest("ConfigMap")]}) is None  # no component label
    assert prerequisites_step(tmp_path, {"a.yaml": [workload]}) is None  # nothing to read


def test_a_migration_without_argo_cds_hook_annotations_gets_them(tmp_path: Path) -> None:
    from tests import migration

    release = render(load_values(LOCAL), environ={}).release
    job = migration.migration_job(release)
    bare = {**job, "metadata": {**job["metadata"], "annotations": {"todo-constructs.io/migration-before": "todo-backend"}}}
    ((arranged,),) = gitops_files({"15-migrations.k8s.yaml": [bare]}, "argocd").values()
    assert arranged["metadata"]["annotations"] == {
        "argocd.argoproj.io/hook": "PreSync",
        "argocd.argoproj.io/hook-delete-policy": "BeforeHookCreation",
        "todo-constructs.io/migration-before": "todo-backend",
    }
    ((kept,),) = gitops_files({"15-migrations.k8s.yaml": [job]}, "argocd").values()
    assert kept == job  # the library's own annotations, as they are


def test_the_wait_follows_the_jobs_deadline(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from tests import migration
    from values_app.deploy import migration_steps

    release = render(load_values(LOCAL), environ={}).release
    job = migration.migration_job(release, deadline=1800)
    (wait,) = [s for s in migration_steps(tmp_path, {"15-migrations.k8s.yaml": [job]}) if s.startswith("kubectl wait")]
    assert "--timeout=1800s" in wait


# --- secrets never enter Git -------------------------------------------------------------------------

VALUES = {
    "DATABASE_URL": "postgresql://u:pw-4a1f@db/todo",
    "BETTER_AUTH_SECRET": "auth-9c2e",
    "OPENAI_API_KEY": "sk-77d1",
    "CHATKIT_WORKFLOW_ID": "wf-3b8a",
}


def test_an_external_secret_and_no_value_anywhere_in_the_tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for key, value in VALUES.items():
        monkeypatch.setenv(key, value)  # as a CI job that holds them would have them
    out = tmp_path / "deploy"
    environments = f"  local:\n    values: [{LOCAL}]\n    set: {FROM_VAULT}\n"
    stderr = io.StringIO()
    status = cli.environments(file=gitops_file(tmp_path, environments=environments), outdir=out, stderr=stderr)
    assert status == 0, stderr.getvalue()
    found = validate_all(out)
    kinds = Counter(m["kind"] for m in found)
    assert kinds["ExternalSecret"] == 1
    assert kinds["Secret"] == 0
    everything = b"".join(tree(out).values()).decode() + stderr.getvalue()
    for value in VALUES.values():
        assert value not in everything
        assert base64.b64encode(value.encode()).decode() not in everything


def test_a_secret_with_values_is_refused_with_the_three_ways_out(tmp_path: Path) -> None:
    values = tmp_path / "local.yaml"
    values.write_text(f"extends: {LOCAL}\nsecrets:\n  more-secrets: {{keys: [API_TOKEN]}}\n")
    environments = f"  local:\n    values: [{LOCAL}]\n  other:\n    values: [{values}]\n  staging:\n    values: [{STAGING}]\n"
    out = tmp_path / "deploy"
    status, stderr = envs(gitops_file(tmp_path, environments=environments), out)
    assert status == 1
    why = (
        "a Secret with values, which would be written into the deploy repository (gitops); give it externalSecret: "
        "{store, remoteKey} (the External Secrets Operator fetches the values), or external: true (created outside the "
        "repository), or render this environment without gitops"
    )
    line = next(n for n, text in enumerate(LOCAL.read_text().splitlines(), 1) if text.startswith("  todo-chatbot-secrets:"))
    assert stderr.splitlines() == [
        f"error: local: {LOCAL}:{line}: secrets.todo-chatbot-secrets: {why}",
        f"error: other: {LOCAL}:{line}: secrets.todo-chatbot-secrets: {why}",
        f"error: other: {values}:3: secrets.more-secrets: {why}",
    ]
    assert not out.exists()


def test_env_files_and_require_secrets_are_bad_usage_with_gitops(tmp_path: Path) -> None:
    file = gitops_file(tmp_path)
    status, stderr = envs(file, tmp_path / "deploy", env_file=[tmp_path / ".env"], require_secrets=True)
    assert status == 2
    assert stderr.splitlines() == [
        f"error: --env-file: {file}:1: gitops: a gitops: environments file never writes a Secret's values (each Secret is "
        "external or an externalSecret)",
        f"error: --require-secrets: {file}:1: gitops: a gitops: environments file never writes a Secret's values (each "
        "Secret is external or an externalSecret)",
    ]


def test_reloader_annotates_the_workloads_that_read_a_secret(argocd_repo: tuple[Path, str], flux_repo: tuple[Path, str]) -> None:
    for out, reloader in ((flux_repo[0], True), (argocd_repo[0], False)):
        found = objects(out / "clusters" / "staging")
        backend = next(m for m in found if m["kind"] == "Deployment" and m["metadata"]["name"] == "todo-backend")
        annotations = backend["metadata"]["annotations"]
        assert annotations.get("secret.reloader.stakater.com/reload") == ("todo-chatbot-secrets" if reloader else None)


# --- a Kustomize base that kubectl apply -f still applies ----------------------------------------------


def kubectl(*args: str) -> str:
    result = subprocess.run([str(tool("kubectl")), *args], capture_output=True, text=True, check=False, timeout=60)
    assert result.returncode == 0, result.stderr
    return result.stdout


def identities(manifests: list[dict[str, Any]]) -> list[str]:
    return sorted(yaml.safe_dump(m, sort_keys=True) for m in manifests)


def test_kustomize_builds_exactly_the_files_and_kubectl_reads_no_kustomization(
    argocd_repo: tuple[Path, str], flux_repo: tuple[Path, str], tmp_path: Path
) -> None:
    staging = flux_repo[0] / "clusters" / "staging"
    directories = [argocd_repo[0] / "clusters" / "staging", staging, staging / "migrations"]
    for directory in directories:
        built = [doc for doc in yaml.safe_load_all(kubectl("kustomize", str(directory))) if doc]
        assert built
        assert identities(built) == identities(objects(directory)), directory
    # What `kubectl apply -f DIR` reads: its file visitor, offline (annotate --local reads as apply
    # does): every object of the .yaml files, and no Kustomization. A kustomization.yaml would be
    # read as an object (and fail).
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "kustomization.yaml").write_text((staging / "Kustomization").read_text())
    files = [f"-f={d}" for d in [*directories, tmp_path / "other"]]
    read = kubectl("annotate", "--local", *files, "probe=1", "-o", "name").split()
    expected = [f"{m['kind'].lower()}" for d in directories for m in objects(d)]
    assert [name.split("/")[0].split(".")[0] for name in read] == [*expected, "kustomization"]
    assert read[-1] == "kustomization.kustomize.config.k8s.io/<unknown>"


# --- the gitops: block, checked -------------------------------------------------------------------


def problems(tmp_path: Path, text: str) -> list[str]:
    file = tmp_path / "environments.yaml"
    file.write_text(text)
    with pytest.raises(ValuesError) as error:
        load_environments_file(file)
    return [line.removeprefix(f"{file}:") for line in error.value.lines]


def test_every_problem_of_the_block_with_its_line(tmp_path: Path) -> None:
    text = (
        "gitops:\n"
        "  tool: flux\n"
        "  repoURL: git.example.com/deploy\n"
        "  targetRevision: main..x\n"
        "  path: /clusters/{env}\n"
        "  selfHeal: true\n"
        "  intervall: 5m\n"
        "environments:\n"
        f"  staging:\n    values: [{STAGING}]\n    cluster: https://staging.example.com\n"
    )
    assert problems(tmp_path, text) == [
        "3: gitops.repoURL: 'git.example.com/deploy' is not a Git repository URL (https://host/org/repo.git, ssh://..., "
        "or git@host:org/repo.git)",
        "4: gitops.targetRevision: 'main..x' is not a Git branch name (letters, digits, '.', '_', '-', '/'; no '..')",
        "5: gitops.path: '/clusters/{env}' is absolute; give a path inside the output directory, such as clusters/{env}",
        "7: gitops.intervall: unknown key 'intervall'; did you mean 'interval'?",
        "6: gitops.selfHeal: selfHeal is a setting of Argo CD; tool is flux",
        "11: environments.staging.cluster: Flux applies to the cluster it runs in; cluster: is Argo CD's destination "
        "server (tool is flux)",
    ]


def test_required_keys_and_the_tool(tmp_path: Path) -> None:
    text = f"gitops:\n  tool: jenkins\nenvironments:\n  staging: {{values: [{STAGING}]}}\n"
    assert problems(tmp_path, text) == [
        "2: gitops.tool: 'jenkins': expected 'argocd' or 'flux'",
        "1: gitops.repoURL: required, but missing",
        "1: gitops.targetRevision: required, but missing",
    ]


@pytest.mark.parametrize(
    ("path", "problem"),
    [
        ("clusters/../{env}", "'clusters/../{env}': '..' is not allowed; give a path inside the output directory"),
        ("clusters//{env}", "'clusters//{env}': an empty part is not allowed"),
        ("./{env}", "'./{env}': '.' is not allowed"),
        ("clusters/.{env}", "'clusters/.{env}': '.{env}' is not a directory name"),
        ("a b/{env}", "'a b/{env}': 'a b' is not a directory name"),
        ("a/b/c/d/{env}", "'a/b/c/d/{env}' has 5 levels; at most 4"),
        ("clusters/all", "'clusters/all' has no {env}: the 2 environments would share one directory"),
    ],
)
def test_where_the_environments_go(tmp_path: Path, path: str, problem: str) -> None:
    text = (
        f"gitops:\n  tool: argocd\n  repoURL: https://g/x.git\n  targetRevision: main\n  path: {path!r}\n"
        f"environments:\n  staging: {{values: [{STAGING}]}}\n  production: {{values: [{PRODUCTION}]}}\n"
    )
    (line,) = problems(tmp_path, text)
    assert line.startswith(f"5: gitops.path: {problem}")


def test_four_levels_and_one_environment_without_env(tmp_path: Path) -> None:
    for path in ("a/b/c/{env}", "clusters/only"):
        file = tmp_path / "environments.yaml"
        file.write_text(
            f"gitops:\n  tool: argocd\n  repoURL: git@git.example.com:shop/deploy.git\n  targetRevision: main\n  path: {path}\n"
            f"environments:\n  staging: {{values: [{STAGING}]}}\n"
        )
        loaded = load_environments_file(file)
        assert loaded.gitops is not None
        assert loaded.gitops.path == path


def test_an_environment_in_the_controllers_directory(tmp_path: Path) -> None:
    text = (
        "gitops:\n  tool: argocd\n  repoURL: https://g/x.git\n  targetRevision: main\n  path: '{env}'\n"
        f"environments:\n  argocd: {{values: [{STAGING}]}}\n"
    )
    assert problems(tmp_path, text) == [
        "7: environments.argocd: its directory argocd would be in argocd/, where the Argo CD objects go; change "
        "gitops.path (such as clusters/{env})"
    ]


def test_a_cluster_belongs_to_a_gitops_file(tmp_path: Path) -> None:
    text = f"environments:\n  staging: {{values: [{STAGING}], cluster: https://x}}\n"
    assert problems(tmp_path, text) == [
        "2: environments.staging.cluster: unknown key 'cluster' (values or set); cluster: belongs to a gitops: file"
    ]
    text = (
        "gitops: {tool: argocd, repoURL: 'https://g/x', targetRevision: m}\n"
        f"environments:\n  s: {{values: [{STAGING}], cluster: ftp://x}}\n"
    )
    assert problems(tmp_path, text) == [
        "3: environments.s.cluster: 'ftp://x' is not a cluster API server URL (https://host[:port])"
    ]


def test_the_objects_names_fit_in_a_label_value(tmp_path: Path) -> None:
    """``<release>-<environment>`` names the Application (Flux: the Kustomization, whose name Flux
    puts in a label): at most 63 characters, and one per environment."""
    release = "todo-chatbot"  # 12 characters and '-'
    fits, over = "e" * (63 - len(release) - 1), "e" * (63 - len(release))
    for name, ok in ((fits, True), (over, False)):
        out = tmp_path / name
        environments = f"  {name}:\n    values: [{STAGING}]\n"
        status, stderr = envs(gitops_file(out.parent, environments=environments), out)
        assert (status == 0) is ok, stderr
        if not ok:
            assert f"the Application name 'todo-chatbot-{name}' (<release>-<environment>): " in stderr
            assert "a DNS-1123 label has at most 63" in stderr


def test_two_environments_of_one_name(tmp_path: Path) -> None:
    other = tmp_path / "other.yaml"
    other.write_text(f"extends: {STAGING}\nrelease: todo-chatbot-a\n")
    environments = f"  a-b:\n    values: [{STAGING}]\n  b:\n    values: [{other}]\n"
    status, stderr = envs(gitops_file(tmp_path, environments=environments), tmp_path / "deploy")
    assert status == 1
    assert stderr.strip().endswith(
        "environments.b: the Application name 'todo-chatbot-a-b' (<release>-<environment>) is environment a-b's too"
    )


# --- what a synth may replace in a deploy repository -------------------------------------------------


def test_never_what_a_synth_did_not_write(tmp_path: Path) -> None:
    out = repository(tmp_path)
    (out / "clusters" / "staging").mkdir(parents=True)
    (out / "clusters" / "staging" / "notes.md").write_text("mine")
    (out / "clusters" / "README.md").write_text("ours, beside the environments")
    before = tree(out)
    status, stderr = envs(gitops_file(tmp_path), out)
    assert status == 2
    staging = out / "clusters" / "staging"
    assert stderr == (
        f"error: {staging} holds files a synth did not write (notes.md); choose an empty or new directory, or remove "
        "it yourself\n"
    )
    assert tree(out) == before
    (out / "clusters" / "staging" / "notes.md").unlink()
    assert envs(gitops_file(tmp_path), out)[0] == 0
    assert (out / "clusters" / "README.md").read_text() == "ours, beside the environments"


def test_no_symbolic_link_or_file_on_the_way(tmp_path: Path) -> None:
    out = repository(tmp_path)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (out / "clusters").symlink_to(elsewhere)
    status, stderr = envs(gitops_file(tmp_path), out)
    assert (status, stderr) == (
        2,
        f"error: {out / 'clusters'} is a symbolic link; a synth writes clusters/staging only through directories\n",
    )
    (out / "clusters").unlink()
    (out / "clusters").write_text("a file")
    status, stderr = envs(gitops_file(tmp_path), out)
    assert status == 2
    assert stderr.startswith(f"error: {out / 'clusters'} is a file, where the directory of clusters/staging goes")
    assert list(elsewhere.iterdir()) == []


def test_not_the_current_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = repository(tmp_path)
    monkeypatch.chdir(out)
    status, stderr = envs(gitops_file(tmp_path), Path("."))
    assert status == 2
    assert stderr.startswith("error: . is the current directory")
    assert sorted(os.listdir(out)) == [".git", "README.md"]
