"""Release: the whole app of one values file, as cdk8s charts, one output file each.

Charts and their files, in the order ``kubectl apply -f dist/`` reads them:

=============================  ============================================================
``00-namespace.k8s.yaml``      the Namespace, when the values render one
``10-secrets.secret.yaml``     the Secrets whose values were all supplied (git-ignored)
``20-app.k8s.yaml``            ConfigMaps, the default-deny NetworkPolicy, each service's
                               objects, then the Ingress
=============================  ============================================================
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field

import cdk8s
from pydantic import SecretStr

from constructs.api_service import ApiService
from constructs.app_ingress import AppIngress
from constructs.app_secrets import AppSecrets, MissingSecret, resolve_secrets
from constructs.config_maps import AppConfig
from constructs.labels import object_labels, selector_labels, shared_labels
from constructs.manifest import Manifest, object_meta
from constructs.mcp_service import McpService
from constructs.network_policies import DefaultDeny
from constructs.values import AppValues
from constructs.web_service import WebService
from constructs.workload import EgressAccess, EnvRef, NetworkAccess, Workload, WorkloadContext, audit_annotations

__all__ = [
    "APP_FILE",
    "CONSTRUCTS",
    "NAMESPACE_FILE",
    "SECRETS_FILE",
    "Release",
    "allowed_from",
    "build_release",
    "workload_context",
]

NAMESPACE_FILE = "00-namespace.k8s.yaml"
SECRETS_FILE = "10-secrets.secret.yaml"
APP_FILE = "20-app.k8s.yaml"

CONSTRUCTS: dict[str, type[Workload]] = {"web": WebService, "api": ApiService, "mcp": McpService}
"""The construct that renders each ``kind`` of service."""

_CALLERS_BY_KIND = {"web": (), "api": ("web",), "mcp": ("api",)}
"""Which kinds of service may call each kind, unless a service says otherwise."""


@dataclass
class Release:
    """The synthesized app: charts by output file name, and the Secrets it did not render."""

    app: cdk8s.App
    charts: dict[str, cdk8s.Chart] = field(default_factory=dict)
    missing_secrets: list[MissingSecret] = field(default_factory=list)


def allowed_from(values: AppValues, key: str) -> tuple[list[str], bool]:
    """The services whose pods may connect to service ``key``, and whether anyone may.

    Defaults: a web service takes connections from anywhere; an api service from every web
    service (and from anywhere if it has a node port); an mcp service from every api service.
    """
    service = values.services[key]
    policy = service.network_policy
    callers = policy.allow_from
    if callers is None:
        kinds = _CALLERS_BY_KIND[service.kind]
        callers = [other for other, s in values.services.items() if s.kind in kinds and other != key]
    external = policy.allow_external
    if external is None:
        external = service.kind == "web" or service.service_type != "ClusterIP"
    return list(callers), external


def _network_access(values: AppValues, key: str) -> NetworkAccess:
    callers, external = allowed_from(values, key)
    ingress_backends = {path.service for path in values.ingress.paths} if values.ingress else set()
    egress = values.network_policies.egress
    return NetworkAccess(
        from_pods=[selector_labels(values, caller) for caller in callers],
        from_namespaces=[values.ingress.controller_namespace] if values.ingress and key in ingress_backends else [],
        from_anywhere=external,
        egress=EgressAccess(
            to_pods=[
                (selector_labels(values, other), values.services[other].container_port)
                for other in values.services
                if key in allowed_from(values, other)[0]
            ],
            external_ports=egress.external_ports,
            external_cidrs=egress.external_cidrs,
        )
        if egress.enabled
        else None,
    )


def _checksum(env: list[EnvRef], values: AppValues, secrets: Mapping[str, Mapping[str, SecretStr]]) -> str:
    """A digest of every value the pod receives, so that changing one rolls the pods.

    Values of Secrets the chart does not render (external or incomplete) are unknown here.
    """
    material = []
    for ref in env:
        if ref.source == "configMap":
            material.append(["configMap", ref.object_name, ref.key, values.config_maps[ref.object_name][ref.key]])
        elif ref.object_name in secrets:
            material.append(["secret", ref.object_name, ref.key, secrets[ref.object_name][ref.key].get_secret_value()])
    return hashlib.sha256(json.dumps(material, sort_keys=True).encode()).hexdigest()


def workload_context(
    values: AppValues, key: str, secrets: Mapping[str, Mapping[str, SecretStr]] | None = None
) -> WorkloadContext:
    """The context service ``key`` takes from the app: names, labels, env, checksum, network access.

    ``secrets`` are the rendered Secrets' values, for the checksum.
    """
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
        pod_annotations={"checksum/config": _checksum(env, values, secrets or {})} if env else {},
        annotations=audit_annotations({**values.audit_skips, **service.audit_skips}),
        network=_network_access(values, key) if values.network_policies.enabled else None,
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
    annotations = audit_annotations(values.audit_skips)

    if values.namespace.rendered:
        chart = cdk8s.Chart(release.app, "namespace", disable_resource_name_hashes=True)
        Manifest(
            chart,
            "namespace",
            {
                "apiVersion": "v1",
                "kind": "Namespace",
                "metadata": object_meta(namespace, labels=shared_labels(values, "namespace"), annotations=annotations),
            },
        )
        release.charts[NAMESPACE_FILE] = chart

    complete, release.missing_secrets = resolve_secrets(values.secrets, namespace=namespace, environ=environ, env_file=env_file)
    if complete:
        chart = cdk8s.Chart(release.app, "secrets", namespace=namespace, disable_resource_name_hashes=True)
        AppSecrets(chart, "secrets", secrets=complete, labels=shared_labels(values, "secrets"), annotations=annotations)
        release.charts[SECRETS_FILE] = chart

    chart = cdk8s.Chart(release.app, "app", namespace=namespace, disable_resource_name_hashes=True)
    if values.config_maps:
        AppConfig(
            chart, "config", config_maps=values.config_maps, labels=shared_labels(values, "config"), annotations=annotations
        )
    if values.network_policies.enabled:
        DefaultDeny(
            chart,
            "default-deny",
            name=f"{values.release}-default-deny",
            pod_selector={"app.kubernetes.io/instance": values.release},
            labels=shared_labels(values, "network-policy"),
            annotations=annotations,
            egress=values.network_policies.egress.enabled,
        )
    for key, service in values.services.items():
        CONSTRUCTS[service.kind](chart, key, props=service, context=workload_context(values, key, complete))
    if values.ingress is not None:
        AppIngress(
            chart,
            "ingress",
            props=values.ingress,
            name=values.release,
            backends={
                path.service: (values.object_name(path.service), values.services[path.service].service_port)
                for path in values.ingress.paths
            },
            labels=shared_labels(values, "ingress"),
            annotations=annotations,
        )
    release.charts[APP_FILE] = chart
    return release
