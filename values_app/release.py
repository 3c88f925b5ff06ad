"""Release: the whole app of one values file, as cdk8s charts built with the construct library.

Charts and their files, in the order ``kubectl apply -f dist/`` reads them:

=================================  ========================================================
``00-namespace.k8s.yaml``          the Namespace, when the values render one
``10-external-secrets.k8s.yaml``   the ExternalSecrets that make the Secrets declared with
                                   ``externalSecret`` (External Secrets Operator)
``10-secrets.secret.yaml``         the Secrets whose values were all supplied (git-ignored)
``20-app.k8s.yaml``                ConfigMaps, the default-deny NetworkPolicy, each service's
                                   objects, then the Ingress
=================================  ========================================================

(A migration Job, whatever chart renders it, is moved to ``15-migrations.k8s.yaml``:
:func:`.deploy.separate_migrations`.)

Everything is built with the library's public API, the calls a user makes in a chart of their
own: one ``WebService``/``ApiService``/``McpService`` per service, ``env_from_config_map`` and
``env_from_secret`` key by key, ``allow_from`` for who may connect to whom, ``AppIngress`` for the
routes. The charts defer their objects (:func:`webapp_constructs.new_chart` with ``defer``): the synth
renders them on the Python side, without creating them in the construct tree.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from itertools import groupby
from typing import Any, cast

import cdk8s

from webapp_constructs import (
    AppConfig,
    AppIngress,
    AppNamespace,
    AppSecret,
    DefaultDeny,
    ExternalSecret,
    Level,
    Manifest,
    ManifestConstruct,
    MigrationJob,
    SecretValue,
    ServiceWorkload,
    Workload,
    new_chart,
    pod_security_of,
)

from .kinds import CALLERS_BY_KIND, KINDS, facts, service_props
from .model import AppValues
from .secrets import MissingSecret, resolve_secrets

__all__ = [
    "APP_FILE",
    "EXCEPTIONS_ANNOTATION",
    "EXTERNAL_SECRETS_FILE",
    "NAMESPACE_FILE",
    "RELEASE_CONSTRUCTS",
    "SECRETS_FILE",
    "Release",
    "allowed_from",
    "build_release",
    "release_kinds",
]

NAMESPACE_FILE = "00-namespace.k8s.yaml"
EXTERNAL_SECRETS_FILE = "10-external-secrets.k8s.yaml"
SECRETS_FILE = "10-secrets.secret.yaml"
APP_FILE = "20-app.k8s.yaml"

EXCEPTIONS_ANNOTATION = "todo-chatbot/pod-security-exceptions"
"""The annotation of the release's Namespace that names the services below "restricted", and why."""

RELEASE_CONSTRUCTS: tuple[type[ManifestConstruct], ...] = (
    AppConfig,
    AppSecret,
    ExternalSecret,
    DefaultDeny,
    *KINDS.values(),
    AppIngress,
)
"""Every construct a release may be built of (besides its Namespace), in the order of the output:
what they can render is what a pruning deploy lists (:mod:`.deploy`; a kind of a custom resource,
the ExternalSecret, only where the release renders one)."""


def release_kinds(values: AppValues) -> list[tuple[str, str]]:
    """Every (apiVersion, kind) the release of ``values`` can render, whatever its services do:
    the constructs', and its ``extraObjects``'."""
    kinds = [kind for construct in RELEASE_CONSTRUCTS for kind in construct.RENDERS]
    kinds += [(str(obj["apiVersion"]), str(obj["kind"])) for obj in values.extra_objects]
    return list(dict.fromkeys(kinds))


@dataclass
class Release:
    """The synthesized app: charts by output file name, the services' constructs, and the Secrets
    it did not render."""

    app: cdk8s.App
    values: AppValues
    charts: dict[str, cdk8s.Chart] = field(default_factory=dict)
    services: dict[str, Workload] = field(default_factory=dict)
    missing_secrets: list[MissingSecret] = field(default_factory=list)
    pod_security: Level = "restricted"
    pod_security_exceptions: dict[str, str] = field(default_factory=dict)


def allowed_from(values: AppValues, key: str) -> tuple[list[str], bool]:
    """The services whose pods may connect to service ``key``, and whether anyone may (as its
    construct says: a web service no Ingress routes to, or any with a node port).

    Default callers: an api service takes them from every web service, an mcp service from every
    api service; a worker, a cronjob or a migration serves nothing.
    """
    service = values.services[key]
    found = facts(values, key)
    if found is None:
        return [], False
    callers = service.network_policy.allow_from
    if callers is None:
        kinds = CALLERS_BY_KIND.get(service.kind, ())
        callers = [other for other, s in values.services.items() if s.kind in kinds and other != key]
    return list(callers), found.allows_external


def _common(values: AppValues, component: str) -> dict[str, Any]:
    return {
        "labels": dict(values.labels),
        "instance": values.release,
        "part_of": values.part_of,
        "version": values.app_version,
        "component": component,
        "audit_skips": dict(values.audit_skips),
    }


def _extra_object(chart: cdk8s.Chart, index: int, extra: Mapping[str, Any], values: AppValues) -> Manifest:
    """An ``extraObjects`` entry as given, in the release's namespace (the checks refuse another,
    and an object of the whole cluster), with the release's instance label (what a pruning deploy
    selects by) and ``labels``."""
    import copy

    from webapp_constructs import labels

    manifest: dict[str, Any] = copy.deepcopy(dict(extra))
    meta = manifest.setdefault("metadata", {})
    meta.setdefault("namespace", values.namespace.name)
    meta["labels"] = {**values.labels, **(meta.get("labels") or {}), labels.INSTANCE: values.release}
    return Manifest(chart, f"extra-object-{index}", manifest)


def build_release(
    values: AppValues,
    *,
    environ: Mapping[str, str],
    env_file: Mapping[str, SecretValue] | None = None,
) -> Release:
    """Build the charts of ``values`` (already checked and expanded, see :mod:`.loader`).

    Secret values come from ``environ`` and ``env_file``; a Secret with any value missing is left
    out and listed in ``Release.missing_secrets``.
    """
    return _build(values, environ, env_file)


def _build(values: AppValues, environ: Mapping[str, str], env_file: Mapping[str, SecretValue] | None) -> Release:
    release = Release(app=cdk8s.App(), values=values)
    namespace = values.namespace.name
    complete, release.missing_secrets = resolve_secrets(values.secrets, namespace=namespace, environ=environ, env_file=env_file)

    secrets_chart = None
    secrets: dict[str, AppSecret] = {}
    if complete:
        secrets_chart = new_chart(release.app, "secrets", namespace=namespace, defer=True)
        for name, data in complete.items():
            secrets[name] = AppSecret(secrets_chart, name, name=name, data=data, **_common(values, "secrets"))

    external_chart = None
    for name, secret in values.secrets.items():
        if secret.external_secret is not None:
            if external_chart is None:
                external_chart = new_chart(release.app, "external-secrets", namespace=namespace, defer=True)
            source = secret.external_secret
            ExternalSecret(
                external_chart,
                name,
                name=name,
                store=source.store,
                store_kind=source.store_kind,
                remote_key=source.remote_key,
                keys=secret.keys,
                properties=source.properties,
                refresh_interval=source.refresh_interval,
                **_common(values, "secrets"),
            )

    chart = new_chart(release.app, "app", namespace=namespace, defer=True)
    configs = {
        name: AppConfig(chart, f"configmap:{name}", name=name, data=data, **_common(values, "config"))
        for name, data in values.config_maps.items()
    }
    if values.network_policies.enabled:
        DefaultDeny(
            chart,
            "default-deny",
            name=f"{values.release}-default-deny",
            pod_selector={"app.kubernetes.io/instance": values.release},
            egress=values.network_policies.egress.enabled,
            **_common(values, "network-policy"),
        )
    config_owner = {key: name for name, data in values.config_maps.items() for key in data}
    secret_owner = {key: name for name, secret in values.secrets.items() for key in secret.keys}
    # Migrations last: they name the services they run before.
    ordered = sorted(values.services.items(), key=lambda item: item[1].kind == "migration")
    for key, service in ordered:
        construct = KINDS[service.kind]
        props = service_props(values, key)  # checked once, by the checks of the values
        if issubclass(construct, MigrationJob):
            before = [release.services[name] for name in getattr(service, "before", [])]
            workload: Workload = construct.from_props(chart, key, props, before=before)
        else:
            workload = construct.from_props(chart, key, props)
        for owner, keys in groupby(service.env.config, key=config_owner.__getitem__):  # in order, one call per run of keys
            workload.env_from_config_map(configs[owner], list(keys))
        for owner, keys in groupby(service.env.secrets, key=secret_owner.__getitem__):
            workload.env_from_secret(secrets.get(owner, owner), list(keys))
        for whole in service.env_from:
            if whole.config_map is not None:
                workload.env_from_config_map(configs.get(whole.config_map, whole.config_map), prefix=whole.prefix)
            elif whole.secret is not None:
                workload.env_from_secret(secrets.get(whole.secret, whole.secret), prefix=whole.prefix)
        release.services[key] = workload
    if values.network_policies.enabled:
        for key, workload in release.services.items():
            for caller in allowed_from(values, key)[0]:
                workload.allow_from(release.services[caller])
    if values.ingress is not None:
        ingress = values.ingress
        AppIngress(
            chart,
            "ingress",
            name=values.release,
            host=ingress.host,
            routes={path.path: cast(ServiceWorkload, release.services[path.service]) for path in ingress.paths},
            class_name=ingress.class_name,
            tls_secret=ingress.tls_secret,
            annotations=ingress.annotations,
            controller_namespace=ingress.controller_namespace,
            **_common(values, "ingress"),
        )

    for index, extra in enumerate(values.extra_objects):
        _extra_object(chart, index, extra, values)

    release.pod_security, release.pod_security_exceptions = pod_security_of(release.services.values())
    if values.namespace.rendered:
        namespace_chart = new_chart(release.app, "namespace", defer=True)
        AppNamespace(
            namespace_chart,
            "namespace",
            name=namespace,
            pod_security=release.pod_security,
            pod_security_exceptions=release.pod_security_exceptions,
            exceptions_annotation=EXCEPTIONS_ANNOTATION,
            **_common(values, "namespace"),
        )
        release.charts[NAMESPACE_FILE] = namespace_chart
    if external_chart is not None:
        release.charts[EXTERNAL_SECRETS_FILE] = external_chart
    if secrets_chart is not None:
        release.charts[SECRETS_FILE] = secrets_chart
    release.charts[APP_FILE] = chart
    return release
