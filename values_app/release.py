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
routes. The charts defer their objects (:func:`constructs.manifest.defer_objects`): the synth
renders them on the Python side, without creating them in the construct tree.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, NamedTuple

import cdk8s

from constructs.api_service import ApiService
from constructs.app_config import AppConfig
from constructs.app_ingress import AppIngress
from constructs.app_namespace import AppNamespace, Level, pod_security_of
from constructs.app_secret import AppSecret, SecretValue
from constructs.external_secret import ExternalSecret
from constructs.manifest import ManifestConstruct, new_chart
from constructs.mcp_service import McpService
from constructs.network_policies import DefaultDeny
from constructs.props import Path, fields_checked
from constructs.web_service import WebService
from constructs.workload import Workload
from constructs.workload_props import Egress

from .model import AppValues, ServiceValues
from .secrets import MissingSecret, resolve_secrets

__all__ = [
    "APP_FILE",
    "CONSTRUCTS",
    "EXTERNAL_SECRETS_FILE",
    "NAMESPACE_FILE",
    "RELEASE_CONSTRUCTS",
    "SECRETS_FILE",
    "Release",
    "ServiceContext",
    "allowed_from",
    "build_release",
    "props_path",
    "service_kwargs",
]

NAMESPACE_FILE = "00-namespace.k8s.yaml"
EXTERNAL_SECRETS_FILE = "10-external-secrets.k8s.yaml"
SECRETS_FILE = "10-secrets.secret.yaml"
APP_FILE = "20-app.k8s.yaml"

CONSTRUCTS: dict[str, type[Workload]] = {"web": WebService, "api": ApiService, "mcp": McpService}
"""The construct that renders each ``kind`` of service."""

RELEASE_CONSTRUCTS: tuple[type[ManifestConstruct], ...] = (
    AppConfig,
    AppSecret,
    ExternalSecret,
    DefaultDeny,
    *CONSTRUCTS.values(),
    AppIngress,
)
"""Every construct a release may be built of (besides its Namespace), in the order of the output:
what they can render is what a pruning deploy lists (:mod:`.deploy`; a kind of a custom resource,
the ExternalSecret, only where the release renders one)."""

_CALLERS_BY_KIND = {"web": (), "api": ("web",), "mcp": ("api",)}
"""Which kinds of service may call each kind, unless a service says otherwise."""

_PROPS_PATHS: dict[str, Path] = {
    "image": ("image",),
    "image_pull_policy": ("image", "pullPolicy"),
    "service_type": ("service", "type"),
    "service_port": ("service", "port"),
    "node_port": ("service", "nodePort"),
    "security": ("securityContext",),
    "allow_external": ("networkPolicy", "allowExternal"),
    "network_policy": (),
    "egress": (),
    "reloader": (),
    "instance": (),
    "part_of": (),
    "version": (),
    "component": (),
}
"""Where a construct prop comes from in a service of a values file (``()``: not from the service)."""


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
    """The services whose pods may connect to service ``key``, and whether anyone may.

    Defaults: a web service takes connections from anywhere; an api service from every web
    service (and from anywhere if it has a node port); an mcp service from every api service.
    """
    service = values.services[key]
    callers = service.network_policy.allow_from
    if callers is None:
        kinds = _CALLERS_BY_KIND[service.kind]
        callers = [other for other, s in values.services.items() if s.kind in kinds and other != key]
    external = service.network_policy.allow_external
    if external is None:
        construct = CONSTRUCTS[service.kind]
        service_type = service.service.type or construct.DEFAULT_SERVICE_TYPE
        external = construct.DEFAULT_ALLOW_EXTERNAL or service_type != "ClusterIP"
    return list(callers), external


class ServiceContext(NamedTuple):
    """What a service's construct takes from the release around it."""

    release: str
    part_of: str
    app_version: str
    labels: Mapping[str, str] = MappingProxyType({})
    audit_skips: Mapping[str, str] = MappingProxyType({})
    network_policies: bool = True
    egress: Egress | None = None
    reloader: bool = False

    @classmethod
    def of(cls, values: AppValues) -> ServiceContext:
        egress = values.network_policies.egress
        return cls(
            release=values.release,
            part_of=values.part_of,
            app_version=values.app_version,
            labels=values.labels,
            audit_skips=values.audit_skips,
            network_policies=values.network_policies.enabled,
            egress=Egress(external_ports=egress.external_ports, external_cidrs=egress.external_cidrs) if egress.enabled else None,
            reloader=values.reloader,
        )

    @classmethod
    def lenient(cls, data: Mapping[str, Any]) -> ServiceContext:
        """The context from the raw data of values that did not load: what is usable of it."""

        def text(key: str, default: str) -> str:
            value = data.get(key)
            return value if isinstance(value, str) and value else default

        def strings(key: str) -> dict[str, str]:
            value = data.get(key)
            if not isinstance(value, Mapping):
                return {}
            return {k: v for k, v in value.items() if isinstance(k, str) and isinstance(v, str)}

        release = text("release", "release")
        return cls(
            release=release,
            part_of=text("appName", release),
            app_version=text("appVersion", "0"),
            labels=strings("labels"),
            audit_skips=strings("auditSkips"),
        )


def service_kwargs(
    service: ServiceValues, key: str, context: ServiceContext, *, allow_external: bool | None = None
) -> dict[str, Any]:
    """The keyword arguments of service ``key``'s construct (besides scope and ID)."""
    kwargs: dict[str, Any] = {
        "image": service.image.reference,
        "image_pull_policy": service.image.pull_policy,
        "name": service.name if service.name is not None else f"{context.release}-{key}",
        "port": service.port,
        "replicas": service.replicas,
        "command": service.command,
        "args": service.args,
        "service_type": service.service.type,
        "service_port": service.service.port,
        "node_port": service.service.node_port,
        "resources": service.resources,
        "probes": service.probes,
        "security": service.security_context,
        "writable_paths": service.writable_paths,
        "autoscaling": service.autoscaling,
        "pod_disruption_budget": service.pod_disruption_budget,
        "termination_grace_period_seconds": service.termination_grace_period_seconds,
        "labels": {**context.labels, **service.labels},
        "selector_labels": service.selector_labels,
        "instance": context.release,
        "part_of": context.part_of,
        "version": context.app_version,
        "component": key,
        "audit_skips": {**context.audit_skips, **service.audit_skips},
        "network_policy": context.network_policies,
        "allow_external": allow_external if allow_external is not None else service.network_policy.allow_external,
        "egress": context.egress,
        "reloader": context.reloader,
    }
    for extra in ("server", "expose_node_port"):
        if hasattr(service, extra):
            kwargs[extra] = getattr(service, extra)
    return kwargs


def props_path(prop_path: Path) -> Path:
    """Where a construct prop of a service (a path from its props) is in the values file, relative
    to the service; ``()`` for props that do not come from the service."""
    from .convert import yaml_path

    head, *rest = prop_path
    if not isinstance(head, str):
        return prop_path
    base = _PROPS_PATHS.get(head)
    if base is None:
        from .convert import to_camel

        base = (to_camel(head),)
    if not base:
        return ()
    if rest and head in ("security", "resources", "probes", "autoscaling"):
        from constructs.workload_props import WorkloadProps

        nested = yaml_path(WorkloadProps, (head, *rest))[1:]
        return (*base, *nested)
    return (*base, *rest)


def _common(values: AppValues, component: str) -> dict[str, Any]:
    return {
        "labels": dict(values.labels),
        "instance": values.release,
        "part_of": values.part_of,
        "version": values.app_version,
        "component": component,
        "audit_skips": dict(values.audit_skips),
    }


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
    with fields_checked():  # every value was checked as it loaded (values_app.loader)
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
    context = ServiceContext.of(values)
    config_owner = {key: name for name, data in values.config_maps.items() for key in data}
    secret_owner = {key: name for name, secret in values.secrets.items() for key in secret.keys}
    for key, service in values.services.items():
        kwargs = service_kwargs(service, key, context, allow_external=allowed_from(values, key)[1])
        workload = CONSTRUCTS[service.kind](chart, key, **kwargs)
        for env_key in service.env.config:
            workload.env_from_config_map(configs[config_owner[env_key]], [env_key])
        for env_key in service.env.secrets:
            owner = secret_owner[env_key]
            workload.env_from_secret(secrets.get(owner, owner), [env_key])
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
            routes={path.path: release.services[path.service] for path in ingress.paths},
            class_name=ingress.class_name,
            tls_secret=ingress.tls_secret,
            annotations=ingress.annotations,
            controller_namespace=ingress.controller_namespace,
            **_common(values, "ingress"),
        )

    release.pod_security, release.pod_security_exceptions = pod_security_of(release.services.values())
    if values.namespace.rendered:
        namespace_chart = new_chart(release.app, "namespace", defer=True)
        AppNamespace(
            namespace_chart,
            "namespace",
            name=namespace,
            pod_security=release.pod_security,
            pod_security_exceptions=release.pod_security_exceptions,
            **_common(values, "namespace"),
        )
        release.charts[NAMESPACE_FILE] = namespace_chart
    if external_chart is not None:
        release.charts[EXTERNAL_SECRETS_FILE] = external_chart
    if secrets_chart is not None:
        release.charts[SECRETS_FILE] = secrets_chart
    release.charts[APP_FILE] = chart
    return release
