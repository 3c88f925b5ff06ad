"""Release: the whole app of one values file, as cdk8s charts, one output file each.

Charts and their files, in the order ``kubectl apply -f dist/`` reads them:

=============================  ============================================================
``00-namespace.k8s.yaml``      the Namespace, when the values render one
``10-secrets.secret.yaml``     the Secrets whose values were all supplied (git-ignored)
``20-app.k8s.yaml``            ConfigMaps, then each service's Service and Deployment
=============================  ============================================================
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import cdk8s
from pydantic import SecretStr

from constructs.api_service import ApiService
from constructs.app_secrets import AppSecrets, MissingSecret, resolve_secrets
from constructs.config_maps import AppConfig
from constructs.labels import object_labels, selector_labels, shared_labels
from constructs.mcp_service import McpService
from constructs.values import AppValues
from constructs.web_service import WebService
from constructs.workload import EnvRef, Workload, WorkloadContext
from imports import k8s

__all__ = ["APP_FILE", "NAMESPACE_FILE", "SECRETS_FILE", "Release", "build_release", "workload_context"]

NAMESPACE_FILE = "00-namespace.k8s.yaml"
SECRETS_FILE = "10-secrets.secret.yaml"
APP_FILE = "20-app.k8s.yaml"


CONSTRUCTS: dict[str, type[Workload]] = {"web": WebService, "api": ApiService, "mcp": McpService}
"""The construct that renders each ``kind`` of service."""


@dataclass
class Release:
    """The synthesized app: charts by output file name, and the Secrets it did not render."""

    app: cdk8s.App
    charts: dict[str, cdk8s.Chart] = field(default_factory=dict)
    missing_secrets: list[MissingSecret] = field(default_factory=list)


def workload_context(values: AppValues, key: str) -> WorkloadContext:
    """The context service ``key`` takes from the app: its name, labels, selector and env."""
    service = values.services[key]
    config_owner = {k: name for name, data in values.config_maps.items() for k in data}
    secret_owner = {k: name for name, secret in values.secrets.items() for k in secret.keys}
    env = [EnvRef(key=k, source="configMap", object_name=config_owner[k]) for k in service.env.config]
    env += [EnvRef(key=k, source="secret", object_name=secret_owner[k]) for k in service.env.secrets]
    return WorkloadContext(
        name=values.object_name(key),
        component=key,
        labels=object_labels(values, key),
        selector=selector_labels(values, key),
        env=env,
    )


def build_release(
    values: AppValues,
    *,
    environ: Mapping[str, str],
    env_file: Mapping[str, SecretStr] | None = None,
) -> Release:
    """Build the charts of ``values`` (already checked and expanded, see :mod:`constructs.loader`).

    Secret values come from ``environ`` and ``env_file``; a Secret with any value missing is left
    out and listed in ``Release.missing_secrets``.
    """
    release = Release(app=cdk8s.App())
    namespace = values.namespace.name

    if values.namespace.rendered:
        chart = cdk8s.Chart(release.app, "namespace", disable_resource_name_hashes=True)
        k8s.KubeNamespace(chart, "namespace", metadata=k8s.ObjectMeta(name=namespace, labels=shared_labels(values, "namespace")))
        release.charts[NAMESPACE_FILE] = chart

    complete, release.missing_secrets = resolve_secrets(values.secrets, namespace=namespace, environ=environ, env_file=env_file)
    if complete:
        chart = cdk8s.Chart(release.app, "secrets", namespace=namespace, disable_resource_name_hashes=True)
        AppSecrets(chart, "secrets", secrets=complete, labels=shared_labels(values, "secrets"))
        release.charts[SECRETS_FILE] = chart

    chart = cdk8s.Chart(release.app, "app", namespace=namespace, disable_resource_name_hashes=True)
    if values.config_maps:
        AppConfig(chart, "config", config_maps=values.config_maps, labels=shared_labels(values, "config"))
    for key, service in values.services.items():
        CONSTRUCTS[service.kind](chart, key, props=service, context=workload_context(values, key))
    release.charts[APP_FILE] = chart
    return release
