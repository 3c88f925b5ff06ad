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
from tests.helpers import load_all, yaml_load, yaml_load_all
from tests.migration import inject_migration, with_migration
from tests.tools import tool
from values_app import cli
from values_app.environments import load_environments_file
from values_app.gitops import MIGRATION_WAVE, WAVES, gitops_files, wave_of
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
        ".deploy-tree", ".git/HEAD", "README.md",
        "argocd/.cdk8s-synth", "argocd/Kustomization", "argocd/applications.k8s.yaml", "argocd/parent.k8s.yaml",
        "clusters/production/.cdk8s-synth", "clusters/production/00-namespace.k8s.yaml",
        "clusters/production/20-app.k8s.yaml", "clusters/production/Kustomization",
        "clusters/staging/.cdk8s-synth", "clusters/staging/00-namespace.k8s.yaml",
        "clusters/staging/15-migrations.k8s.yaml", "clusters/staging/20-app.k8s.yaml", "clusters/staging/Kustomization",
    ]  # fmt: skip
    assert files["README.md"] == b"the deploy repository\n"
    validate_all(out)
    for manifest in objects(out / "clusters" / "production"):  # each object with its wave
        assert manifest["metadata"]["annotations"]["argocd.argoproj.io/sync-wave"] == str(WAVES[manifest["kind"]])
    staging, production = objects(out / "argocd", "applications.k8s.yaml")
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
    # the parent: an app of apps that syncs argocd/ (itself included) in the cluster Argo CD runs in
    (parent,) = objects(out / "argocd", "parent.k8s.yaml")
    assert parent["metadata"] == {"name": "deploy", "namespace": "argocd"}
    assert parent["spec"]["source"] == {**staging["spec"]["source"], "path": "argocd"}
    assert parent["spec"]["destination"] == {"namespace": "argocd", "server": "https://kubernetes.default.svc"}
    assert parent["spec"]["syncPolicy"] == staging["spec"]["syncPolicy"]
    assert "== argocd\nWrote 3 Argo CD objects into" in stderr
    assert f"  kubectl apply -f {out / 'argocd'}\n" in stderr
    assert "application.resourceTrackingMethod: annotation" in stderr


def test_a_migration_for_argo_cd_is_in_the_wave_between_what_it_reads_and_the_workloads(
    argocd_repo: tuple[Path, str],
) -> None:
    staging = argocd_repo[0] / "clusters" / "staging"
    (job,) = objects(staging, "15-*.yaml")
    annotations = job["metadata"]["annotations"]
    assert not any(key.endswith("/hook") for key in annotations)  # a PreSync hook runs before every wave
    assert annotations["argocd.argoproj.io/sync-wave"] == str(MIGRATION_WAVE) == "2"
    assert all(m["kind"] != "Job" for m in objects(staging, "20-*.yaml"))
    assert yaml_load((staging / "Kustomization").read_text())["resources"] == [
        "00-namespace.k8s.yaml", "15-migrations.k8s.yaml", "20-app.k8s.yaml"
    ]  # fmt: skip


def test_argo_cd_settings_and_an_application_set(tmp_path: Path) -> None:
    out = tmp_path / "deploy"
    settings = "  project: shop\n  namespace: gitops\n  selfHeal: false\n  serverSideApply: false\n  applicationSet: true\n"
    status, stderr = envs(gitops_file(tmp_path, gitops=settings), out)
    assert status == 0, stderr
    validate_all(out)
    assert sorted(p.name for p in (out / "argocd").iterdir()) == [
        ".cdk8s-synth", "Kustomization", "applicationset.k8s.yaml", "parent.k8s.yaml"
    ]  # fmt: skip
    (applications,) = objects(out / "argocd", "applicationset.k8s.yaml")
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
    assert sorted(p.name for p in (out / "flux").iterdir()) == [
        ".cdk8s-synth",
        "Kustomization",
        "parent.k8s.yaml",
        "sync.k8s.yaml",
    ]
    source, staging_first, migrations, staging, production_first, production = objects(out / "flux", "sync.k8s.yaml")
    # the parent: a Kustomization that syncs flux/ (itself included), as flux bootstrap's does
    (parent,) = objects(out / "flux", "parent.k8s.yaml")
    assert parent == {
        "apiVersion": "kustomize.toolkit.fluxcd.io/v1",
        "kind": "Kustomization",
        "metadata": {"name": "deploy", "namespace": "flux-system"},
        "spec": {
            "force": False,
            "interval": "10m",
            "path": "./flux",
            "prune": True,
            "sourceRef": {"kind": "GitRepository", "name": "deploy"},
        },
    }
    assert source == {
        "apiVersion": "source.toolkit.fluxcd.io/v1",
        "kind": "GitRepository",
        "metadata": {"name": "deploy", "namespace": "flux-system"},
        "spec": {
            "interval": "10m",
            "ref": {"branch": "rendered"},
            "timeout": "60s",
            "url": "https://git.example.com/shop/deploy.git",
        },
    }
    assert production["metadata"] == {"name": "todo-chatbot-production", "namespace": "flux-system"}
    assert production["spec"] == {
        "dependsOn": [{"name": "todo-chatbot-production-prerequisites"}],
        "force": False,  # the CRD's default, written out
        "healthChecks": [
            {"apiVersion": "apps/v1", "kind": "Deployment", "name": name, "namespace": "todo-chatbot"}
            for name in ("todo-frontend", "todo-backend", "todo-mcp")
        ],
        "interval": "10m",
        "path": "./clusters/production",
        "prune": True,
        "sourceRef": {"kind": "GitRepository", "name": "deploy"},
    }
    # what the pods read first, waited for (an ExternalSecret's Secret made): Flux applies a
    # Kustomization's objects together
    assert production_first["spec"] == {
        "force": False,
        "interval": "10m",
        "path": "./clusters/production/00-prerequisites",
        "prune": True,
        "sourceRef": {"kind": "GitRepository", "name": "deploy"},
        "wait": True,
    }
    assert staging_first["metadata"]["name"] == "todo-chatbot-staging-prerequisites"
    # staging has a migration: a Kustomization of its own, with wait, after the prerequisites, that staging's depends on
    assert migrations["metadata"] == {"name": "todo-chatbot-staging-migrations", "namespace": "flux-system"}
    assert migrations["spec"] == {
        "dependsOn": [{"name": "todo-chatbot-staging-prerequisites"}],
        "force": True,
        "interval": "10m",
        "path": "./clusters/staging/15-migrations",
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
        ".cdk8s-synth",
        "00-prerequisites", "00-prerequisites/00-namespace.k8s.yaml", "00-prerequisites/20-app.k8s.yaml",
        "00-prerequisites/Kustomization",
        "15-migrations", "15-migrations/15-migrations.k8s.yaml", "15-migrations/Kustomization",
        "20-app.k8s.yaml", "Kustomization",
    ]  # fmt: skip
    assert yaml_load((staging_dir / "Kustomization").read_text())["resources"] == ["20-app.k8s.yaml"]
    first = yaml_load((staging_dir / "00-prerequisites" / "Kustomization").read_text())["resources"]
    assert first == ["00-namespace.k8s.yaml", "20-app.k8s.yaml"]
    assert {m["kind"] for m in objects(staging_dir / "00-prerequisites")} == {
        "Namespace", "ConfigMap", "ServiceAccount", "NetworkPolicy"
    }  # fmt: skip
    assert yaml_load((staging_dir / "15-migrations" / "Kustomization").read_text())["resources"] == ["15-migrations.k8s.yaml"]
    # by hand: the same order, the directories named so that kubectl -R reads them in it
    job = f"{staging_dir}/15-migrations/15-migrations.k8s.yaml"
    assert f"  kubectl apply -f {job}\n  kubectl wait --for=condition=complete" in stderr
    assert f"kubectl apply -f {staging_dir} -R --prune " in stderr


def test_only_the_environments_named_are_written_the_controller_describes_those_in_the_tree(tmp_path: Path) -> None:
    # Issue 29, item 7: --env renders only the environments it names; the controller's objects of
    # the others are those of the deploy tree (tests/values_app/test_envs_scope.py), none here yet.
    out = tmp_path / "deploy"
    status, stderr = envs(gitops_file(tmp_path), out, names=["staging"])
    assert status == 0, stderr
    assert sorted(p.name for p in (out / "clusters").iterdir()) == ["staging"]
    applications = out / "argocd"
    assert [a["metadata"]["name"] for a in objects(applications, "applications.k8s.yaml")] == ["todo-chatbot-staging"]
    assert f"production: not in {out} yet, so not synced: render it (--env production)" in stderr
    assert envs(gitops_file(tmp_path), out, names=["production"])[0] == 0
    assert [a["metadata"]["name"] for a in objects(applications, "applications.k8s.yaml")] == [
        "todo-chatbot-staging",
        "todo-chatbot-production",
    ]


# --- sync waves ----------------------------------------------------------------------------------

ORDER = [
    {"Namespace"},
    {"ConfigMap", "Secret", "ExternalSecret", "ServiceAccount", "NetworkPolicy", "PersistentVolumeClaim"},
    set(),  # the migrations (issue 29)
    {"Service", "Deployment", "StatefulSet", "DaemonSet", "Job", "CronJob", "PodDisruptionBudget"},
    {"Ingress", "HorizontalPodAutoscaler"},
]
"""Issue 22, item 2: the Namespace first, then what the pods read (and the NetworkPolicies that
isolate them), then (issue 29) the migrations, then the Services and workloads, then what routes
to them and scales them."""


def test_the_wave_table_is_the_order_of_the_issue() -> None:
    assert {kind: wave for wave, kinds in enumerate(ORDER) for kind in kinds} == WAVES
    assert wave_of({"kind": "Gadget"}) == 3  # any other kind: with the workloads
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
    assert waves[3]  # and something that reads it
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
    """Without gitops: the Job in a file of its own, and the summary's order: the Namespace,
    everything but the Job and the workloads it runs before (kubectl apply -f filters the objects
    it reads with -l), the Job, kubectl wait, then the rest. An unchanged Job is not deleted: it
    runs once per change of its spec."""
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
    (job,) = yaml_load_all((out / "15-migrations.k8s.yaml").read_text())  # the library's MigrationJob
    name = job["metadata"]["name"]
    assert re.fullmatch(r"todo-chatbot-migrate-[0-9a-f]{8}", name)  # its spec's digest
    assert lines[:5] == [
        f"kubectl apply -f {out}/00-namespace.k8s.yaml",
        f"kubectl apply -f {out}/10-secrets.secret.yaml -f {out}/20-app.k8s.yaml -l '!webapp-constructs.io/migration-step'",
        f"kubectl apply -f {out}/15-migrations.k8s.yaml",
        f"kubectl wait --for=condition=complete -n todo-local --timeout=600s job/{name}",
        lines[4],
    ]
    assert lines[4].startswith(f"kubectl apply -f {out} --prune -l app.kubernetes.io/instance=todo-chatbot ")
    assert f"Migration {name} runs to completion before todo-backend roll" in stderr.getvalue()
    # the selector leaves out exactly the workloads the migration runs before
    left_out = [m for m in objects(out, "20-*.yaml") if "webapp-constructs.io/migration-step" in m["metadata"]["labels"]]
    assert [(m["kind"], m["metadata"]["name"]) for m in left_out] == [("Deployment", "todo-backend")]
    for manifest in objects(out):
        validate_any(manifest)


def test_a_migration_gets_its_wave_and_never_a_hook(tmp_path: Path) -> None:
    from tests import migration

    release = render(load_values(LOCAL), environ={}).release
    job = migration.migration_job(release)
    hooked = {
        **job,
        "metadata": {
            **job["metadata"],
            "annotations": {
                "webapp-constructs.io/migration-before": "todo-backend",
                "argocd.argoproj.io/hook": "PreSync",
                "helm.sh/hook": "pre-install",  # Argo CD reads Helm's hooks too
                "helm.sh/hook-weight": "-1",
            },
        },
    }
    ((arranged,),) = gitops_files({"15-migrations.k8s.yaml": [hooked]}, "argocd").values()
    assert arranged["metadata"]["annotations"] == {
        "argocd.argoproj.io/sync-wave": "2",
        "webapp-constructs.io/migration-before": "todo-backend",
    }
    ((kept,),) = gitops_files({"15-migrations.k8s.yaml": [job]}, "argocd").values()
    assert kept["metadata"]["annotations"] == {**job["metadata"]["annotations"], "argocd.argoproj.io/sync-wave": "2"}


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
    directories = [argocd_repo[0] / "clusters" / "staging", staging, staging / "00-prerequisites", staging / "15-migrations"]
    for directory in directories:
        built = load_all(kubectl("kustomize", str(directory)))
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
        "3: gitops.repoURL: 'git.example.com/deploy': not a URL; such as https://git.example.com/shop/deploy.git",
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
    assert problems(tmp_path, text) == ["3: environments.s.cluster: ftp:// is not a scheme taken here: https:// or http://"]


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
    other.write_text(f"extends: {STAGING}\nrelease: todo-chatbot-a\nnamespace: {{name: todo-a}}\n")
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


# --- one deploy repository, many clusters (issue 29, item 6) ---------------------------------------


def cluster_file(tmp_path: Path, name: str, gitops: str, environments: str, tool: str = "flux") -> Path:
    """An environments file of its own directory (``<tmp_path>/<name>/environments.yaml``);
    ``gitops``: its settings besides tool, repoURL and targetRevision."""
    (tmp_path / name).mkdir(exist_ok=True)
    path = tmp_path / name / "environments.yaml"
    path.write_text(
        f"gitops:\n  tool: {tool}\n  repoURL: https://git.example.com/shop/deploy.git\n  targetRevision: rendered\n"
        + gitops
        + "environments:\n"
        + environments
    )
    return path


def kustomization_names(directory: Path) -> list[str]:
    return [m["metadata"]["name"] for m in objects(directory) if m["kind"] == "Kustomization"]


def test_two_environments_files_one_per_flux_cluster_share_one_repository(tmp_path: Path) -> None:
    out = repository(tmp_path)
    east = cluster_file(tmp_path, "east", '  cluster: east\n  path: "clusters/east/{env}"\n', STAGING_ONLY)
    west = cluster_file(
        tmp_path, "west", '  cluster: west\n  path: "clusters/west/{env}"\n', f"  production:\n    values: [{PRODUCTION}]\n"
    )
    assert envs(east, out)[0] == 0
    status, stderr = envs(west, out)
    assert status == 0, stderr
    validate_all(out)
    assert kustomization_names(out / "flux" / "east") == [
        "deploy-east",
        "todo-chatbot-staging-prerequisites",
        "todo-chatbot-staging",
    ]
    assert kustomization_names(out / "flux" / "west") == [
        "deploy-west",
        "todo-chatbot-production-prerequisites",
        "todo-chatbot-production",
    ]
    (parent,) = objects(out / "flux" / "west", "parent.k8s.yaml")
    assert parent["spec"]["path"] == "./flux/west"
    (production,) = [
        m for m in objects(out / "flux" / "west", "sync.k8s.yaml") if m["metadata"]["name"] == "todo-chatbot-production"
    ]
    assert production["spec"]["path"] == "./clusters/west/production"
    record = yaml_load((out / ".deploy-tree").read_text())["files"]
    assert record == {
        str(east): {"tool": "flux", "controller": "flux/east", "environments": {"staging": "clusters/east/staging"}},
        str(west): {"tool": "flux", "controller": "flux/west", "environments": {"production": "clusters/west/production"}},
    }
    # each renders again as often as it likes, and never touches the other's
    west_files = {name: data for name, data in tree(out).items() if "west" in name}
    assert envs(east, out)[0] == 0
    assert {name: data for name, data in tree(out).items() if "west" in name} == west_files


def test_a_second_file_that_would_replace_the_first_ones_objects_is_refused(tmp_path: Path) -> None:
    """The issue's case: two environments files, one per Flux cluster, into one repository; the
    second would rewrite flux/sync.k8s.yaml without the first's Kustomizations (and Flux, pruning,
    delete them and everything they applied)."""
    out = repository(tmp_path)
    first = cluster_file(tmp_path, "first", "", STAGING_ONLY)
    second = cluster_file(tmp_path, "second", "", f"  production:\n    values: [{PRODUCTION}]\n")
    assert envs(first, out)[0] == 0
    before = tree(out)
    status, stderr = envs(second, out)
    assert status == 1
    assert tree(out) == before  # nothing written
    assert f"{second}: flux/ (Flux objects (environments production)) would replace flux/, the Flux objects " in stderr
    assert f"(environments staging) that {first} wrote" in stderr
    assert "a gitops.cluster and a gitops.path of its own" in stderr
    # the same refusal when one of its directories would lie in the other's, or the other's in one of its
    nested = cluster_file(tmp_path, "nested", '  cluster: b\n  path: "clusters/b/{env}"\n', STAGING_ONLY)
    status, stderr = envs(nested, out)
    assert status == 1
    assert f"{nested}: flux/b/ (Flux objects (environments staging)) would lie in flux/, the Flux objects " in stderr
    assert f"give {first} a gitops.cluster (and a gitops.path) of its own too" in stderr
    same_environment = cluster_file(tmp_path, "same", '  cluster: c\n  path: "clusters/{env}"\n', STAGING_ONLY)
    status, stderr = envs(same_environment, out)
    assert status == 1
    assert "clusters/staging/ (environment staging) would replace clusters/staging/, the environment staging" in stderr
    assert tree(out) == before
    # the way out, taken: the other file's entry and directories removed in one commit
    (out / ".deploy-tree").unlink()
    assert envs(second, out)[0] == 0


def test_the_same_file_may_drop_its_own_environment(tmp_path: Path) -> None:
    out = tmp_path / "deploy"
    both = gitops_file(tmp_path, "flux")
    assert envs(both, out)[0] == 0
    both.write_text(both.read_text().split("  production:")[0])
    status, stderr = envs(both, out)
    assert status == 0, stderr
    assert kustomization_names(out / "flux") == ["deploy", "todo-chatbot-staging-prerequisites", "todo-chatbot-staging"]
    assert yaml_load((out / ".deploy-tree").read_text())["files"][str(both)]["environments"] == {"staging": "clusters/staging"}


def test_a_record_that_is_not_one_is_refused(tmp_path: Path) -> None:
    out = repository(tmp_path)
    (out / ".deploy-tree").write_text("- not a record\n")
    before = tree(out)
    status, stderr = envs(gitops_file(tmp_path, "flux"), out)
    assert status == 1
    assert ".deploy-tree: not a record of main.py envs" in stderr
    assert tree(out) == before


def test_without_a_parent_where_one_exists_already(tmp_path: Path) -> None:
    out = tmp_path / "deploy"
    status, stderr = envs(gitops_file(tmp_path, "argocd", gitops="  parent: false\n  cluster: hub\n"), out)
    assert status == 0, stderr
    assert sorted(p.name for p in (out / "argocd" / "hub").iterdir()) == [
        ".cdk8s-synth",
        "Kustomization",
        "applications.k8s.yaml",
    ]
    assert "syncs argocd/hub/ from then on" not in stderr
    status, stderr = envs(gitops_file(tmp_path, "argocd", gitops="  cluster: hub\n"), out)
    assert status == 0, stderr
    (parent,) = objects(out / "argocd" / "hub", "parent.k8s.yaml")
    assert (parent["metadata"]["name"], parent["spec"]["source"]["path"]) == ("deploy-hub", "argocd/hub")
    assert "Application deploy-hub syncs argocd/hub/ from then on, itself included" in stderr


def test_the_parent_s_name_fits_in_a_label_value(tmp_path: Path) -> None:
    file = cluster_file(tmp_path, "long", f"  cluster: {'c' * 60}\n", STAGING_ONLY)
    status, stderr = envs(file, tmp_path / "deploy")
    assert status == 1
    assert f"{file}:5: gitops.cluster: the parent Kustomization name 'deploy-ccc" in stderr
    assert not (tmp_path / "deploy").exists()


def test_a_cluster_name_is_a_directory_name_and_parent_a_boolean(tmp_path: Path) -> None:
    text = (
        "gitops:\n  tool: flux\n  repoURL: https://git.example.com/shop/deploy.git\n  targetRevision: rendered\n"
        "  cluster: ../east\n  parent: 'yes'\n"
        f"environments:\n  staging:\n    values: [{STAGING}]\n"
    )
    found = problems(tmp_path, text)
    assert [line.split(":")[:2] for line in found] == [["5", " gitops.cluster"], ["6", " gitops.parent"]]
    assert "'../east'" in found[0]


def test_the_record_names_a_file_by_its_path_in_its_repository(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from values_app.deploy_tree import file_identity

    (tmp_path / "app" / ".git").mkdir(parents=True)
    (tmp_path / "app" / "deploy").mkdir()
    file = tmp_path / "app" / "deploy" / "environments.yaml"
    for cwd in (tmp_path, tmp_path / "app", tmp_path / "app" / "deploy"):
        monkeypatch.chdir(cwd)
        assert file_identity(file.relative_to(cwd)) == "deploy/environments.yaml"
    assert file_identity(tmp_path / "elsewhere.yaml") == str(tmp_path / "elsewhere.yaml")


def test_a_file_that_moves_its_controller_objects_removes_the_old_ones_first(tmp_path: Path) -> None:
    out = tmp_path / "deploy"
    file = cluster_file(tmp_path, "one", "", STAGING_ONLY)
    assert envs(file, out)[0] == 0
    before = tree(out)
    moved = cluster_file(tmp_path, "one", '  cluster: east\n  path: "clusters/east/{env}"\n', STAGING_ONLY)
    status, stderr = envs(moved, out)
    assert status == 1
    assert f"{moved}: its controller objects go to flux/east/ now, and flux/ holds them from before" in stderr
    assert tree(out) == before
    # the way out, taken
    for path in sorted((out / "flux").rglob("*"), reverse=True):
        path.unlink() if path.is_file() else path.rmdir()
    (out / "flux").rmdir()
    assert envs(moved, out)[0] == 0
    assert yaml_load((out / ".deploy-tree").read_text())["files"][str(moved)]["controller"] == "flux/east"


# --- GitOps inputs: what the controllers take, no credential, one owner per namespace (issue 28) -------


def block(tool: str = "argocd", repo: str = "https://git.example.com/shop/deploy.git", extra: str = "", cluster: str = "") -> str:
    """An environments file: a gitops: block (repoURL on line 3) and one environment (its cluster on line 8)."""
    return (
        f"gitops:\n  tool: {tool}\n  repoURL: {repo!r}\n  targetRevision: rendered\n{extra}"
        f"environments:\n  staging:\n    values: [{STAGING}]\n" + (f"    cluster: {cluster!r}\n" if cluster else "")
    )


CREDENTIALS = "holds credentials (user information before '@'), which would be written into the deploy repository"


@pytest.mark.parametrize(
    ("tool", "repo", "problem"),
    [
        ("argocd", "https://oauth2:hunter2@git.example.com/shop/deploy.git", CREDENTIALS),
        ("flux", "https://hunter2@git.example.com/shop/deploy.git", CREDENTIALS),  # a token as the user (GitHub takes it)
        ("argocd", "ssh://git:hunter2@git.example.com/shop/deploy.git", CREDENTIALS),
        (
            "argocd",
            "oauth2:hunter2@git.example.com/shop/deploy.git",
            "not a URL; such as https://git.example.com/shop/deploy.git",
        ),
        ("flux", "https://git.example.com/shop/deploy.git?private_token=hunter2", "has a query or a fragment ('?', '#')"),
        ("argocd", "git://git.example.com/shop/deploy.git", "git:// is not a scheme taken here: https://, ssh:// or http://"),
        ("flux", "git@git.example.com:shop/deploy.git", "an scp-like address (user@host:path), which Flux does not take"),
        ("argocd", "https://git.example.com/{{.name}}.git", "'{{' or '}}' is no URL character, and Argo CD's ApplicationSet"),
        ("argocd", "https://git.example.com/shop deploy.git", "' ' is no URL character; percent-encode it"),
    ],
)
def test_a_repository_url_the_controller_would_not_take_or_with_a_credential(
    tmp_path: Path, tool: str, repo: str, problem: str
) -> None:
    (line,) = problems(tmp_path, block(tool, repo))
    assert line.startswith("3: gitops.repoURL: ")
    assert problem in line
    assert "hunter2" not in line


@pytest.mark.parametrize(
    ("tool", "repo"),
    [
        ("argocd", "https://git.example.com/shop/deploy.git"),
        ("flux", "https://git.example.com/shop/deploy.git"),
        ("flux", "ssh://git@git.example.com:2222/shop/deploy.git"),  # a user, not a credential
        ("argocd", "git@git.example.com:shop/deploy.git"),  # Argo CD takes the scp-like address
        ("argocd", "https://git.example.com/%7B%7B.name%7D%7D.git"),
        ("flux", "http://gitea.gitea.svc:3000/shop/deploy.git"),
    ],
)
def test_the_repository_urls_beside_them_are_taken(tmp_path: Path, tool: str, repo: str) -> None:
    file = tmp_path / "environments.yaml"
    file.write_text(block(tool, repo))
    loaded = load_environments_file(file)
    assert loaded.gitops is not None
    assert loaded.gitops.repo_url == repo


def test_the_controllers_schemas_take_what_is_taken() -> None:
    """Flux's GitRepository url is ``^(http|https|ssh)://``: the scp-like address is Argo CD's only."""
    import json

    from tests.crd_schemas import SCHEMAS

    url = json.loads((SCHEMAS / "source.toolkit.fluxcd.io/gitrepository_v1.json").read_text())["properties"]["spec"]
    pattern = re.compile(url["properties"]["url"]["pattern"])
    assert pattern.match("ssh://git@git.example.com/shop/deploy.git")
    assert not pattern.match("git@git.example.com:shop/deploy.git")
    assert not pattern.match("git://git.example.com/shop/deploy.git")


@pytest.mark.parametrize(
    ("cluster", "problem"),
    [
        ("https://admin:hunter2@k8s.example.com", CREDENTIALS),
        ("https://hunter2@k8s.example.com:6443", CREDENTIALS),
        ("https://k8s.example.com/?token=hunter2", "has a query or a fragment"),
        ("https://{{.server}}", "'{{' or '}}' is no URL character"),
        ("admin@k8s.example.com:6443", "an scp-like address (user@host:path), not a URL"),
    ],
)
def test_a_cluster_url_with_a_credential_or_a_template(tmp_path: Path, cluster: str, problem: str) -> None:
    (line,) = problems(tmp_path, block(cluster=cluster))
    assert line.startswith("8: environments.staging.cluster: ")
    assert problem in line
    assert "hunter2" not in line
    file = tmp_path / "environments.yaml"
    file.write_text(block(cluster="https://k8s.example.com:6443"))  # beside it: taken
    assert load_environments_file(file).environments["staging"].cluster == "https://k8s.example.com:6443"


def test_no_credential_reaches_any_output(tmp_path: Path) -> None:
    """Through envs: exit 1, nothing written, the credential nowhere in what it prints."""
    file = tmp_path / "environments.yaml"
    file.write_text(block(repo="https://oauth2:hunter2@git.example.com/d.git", cluster="https://admin:hunter2@k8s.example.com"))
    out = tmp_path / "deploy"
    status, stderr = envs(file, out)
    assert status == 1
    assert [line.split(": ")[2] for line in stderr.splitlines()] == ["gitops.repoURL", "environments.staging.cluster"]
    assert "hunter2" not in stderr
    assert not out.exists()


@pytest.mark.parametrize(
    ("interval", "ok"), [("59s", False), ("1ms", False), ("0.5m", False), ("0s", False), ("1m", True), ("60s", True)]
)
def test_a_flux_interval_below_a_minute_is_refused(tmp_path: Path, interval: str, ok: bool) -> None:
    text = block("flux", extra=f"  interval: {interval}\n")
    if ok:
        file = tmp_path / "environments.yaml"
        file.write_text(text)
        assert load_environments_file(file).gitops is not None
    else:
        assert problems(tmp_path, text) == [
            f"5: gitops.interval: {interval!r} is shorter than 1m: each interval fetches the repository from the Git "
            "server and reconciles every environment; give 1m or more (such as 5m)"
        ]


@pytest.mark.parametrize(("interval", "ok"), [("1ms", False), ("59s", False), ("1m", True), ("0s", True)])
def test_an_external_secret_refreshed_more_often_than_a_minute_is_refused(tmp_path: Path, interval: str, ok: bool) -> None:
    environments = f"  local:\n    values: [{LOCAL}]\n    set: {FROM_VAULT[:-1]}, {REFRESH}={interval}]\n"
    out = tmp_path / "deploy"
    status, stderr = envs(gitops_file(tmp_path, environments=environments), out)
    assert (status, out.exists()) == ((0, True) if ok else (1, False)), stderr
    if not ok:
        assert stderr.splitlines() == [
            f"error: local: --set {REFRESH}={interval}: {REFRESH}: {interval!r} is shorter than 1m: each refresh reads "
            "the secret store, whose API is rate-limited; give 1m or more (such as 1h), or 0s to fetch once"
        ]


REFRESH = "secrets.todo-chatbot-secrets.externalSecret.refreshInterval"


@pytest.mark.parametrize(("namespace", "gitops"), [("argocd", ""), ("flux-system", ""), ("deliver", "  namespace: deliver\n")])
def test_a_release_in_a_controllers_namespace_is_refused(tmp_path: Path, namespace: str, gitops: str) -> None:
    values = tmp_path / "staging.yaml"
    values.write_text(f"extends: {STAGING}\nnamespace:\n  name: {namespace}\n")
    environments = f"  staging:\n    values: [{values}]\n  production:\n    values: [{PRODUCTION}]\n"
    out = tmp_path / "deploy"
    status, stderr = envs(gitops_file(tmp_path, gitops=gitops, environments=environments), out)
    assert status == 1
    (line,) = stderr.splitlines()
    assert line.startswith(f"error: staging: {values}:3: namespace.name: {namespace} is a GitOps controller's namespace (")
    assert line.endswith("; give the release a namespace of its own")
    assert not out.exists()


def test_two_environments_in_one_namespace_of_one_cluster_are_refused(tmp_path: Path) -> None:
    """blue and green both from production.yaml: one namespace, one cluster, two owners."""
    out = tmp_path / "deploy"
    same = f"  blue:\n    values: [{PRODUCTION}]\n  green:\n    values: [{PRODUCTION}]\n"
    for controller, where, way_out in (
        ("argocd", "cluster https://kubernetes.default.svc", " or another cluster"),
        ("flux", "the cluster Flux runs in", ""),
    ):
        file = gitops_file(tmp_path, controller, environments=same)
        status, stderr = envs(file, out)
        assert status == 1
        assert stderr.splitlines() == [
            f"error: {file}:9: environments.green: namespace todo-chatbot on {where} is environment blue's too: two "
            "environments would own one set of objects, each pruning what the other renders; give it a namespace of its "
            f"own (set: [namespace.name=...]){way_out}"
        ]
        assert not out.exists()
    # beside it: the same cluster written another way is the same cluster; another namespace, or cluster, is taken
    spelled = same + "    cluster: HTTPS://Kubernetes.Default.Svc:443/\n"
    assert envs(gitops_file(tmp_path, environments=spelled), out)[0] == 1
    for way in ("    set: [namespace.name=todo-green]\n", "    cluster: https://green.k8s.example.com\n"):
        status, stderr = envs(gitops_file(tmp_path, environments=same + way), out)
        assert status == 0, stderr
