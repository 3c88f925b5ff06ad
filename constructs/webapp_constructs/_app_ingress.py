"""AppIngress: one Ingress (networking.k8s.io/v1) that routes path prefixes to the app's services."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any, ClassVar, Unpack

from constructs import Construct

from . import _rules as rules
from ._common import CommonOptions, CommonProps, given_mapping, make_props, owner_name, shared_meta
from ._manifest import Manifest, ManifestConstruct
from ._prop_rules import HTTP_PATH, NAME
from ._props import Problem, PropsError, check, min_length, prop, propsclass
from ._service_workload import ServiceWorkload
from ._sources import SecretSource, missing_keys, source_of

__all__ = ["SNIPPET_CHECK", "AppIngress", "AppIngressProps"]

SNIPPET_CHECK = "CKV_K8S_153"
"""The policy-scanner check (checkov: "Prevent All NGINX Ingress annotation snippets") whose reason
a configuration-snippet annotation needs."""


@propsclass
class AppIngressProps(CommonProps):
    """Props of :class:`AppIngress`."""

    host: str = prop(check=check(rules.ingress_host))
    """Public host name, e.g. ``shop.example.com``."""
    paths: Sequence[str] = prop(check=min_length(1), each=[HTTP_PATH, check(rules.http_path)])
    """Path prefixes, one per backend, in order; the longest prefix wins."""
    class_name: str | None = prop(default=None, check=NAME)
    """IngressClass, e.g. ``nginx``. Default: the cluster's default class."""
    tls_secret: str | None = prop(default=None, check=NAME)
    """Secret holding the TLS certificate (e.g. made by cert-manager), by name; ``AppIngress`` also
    takes the Secret itself (an AppSecret, a ``kp.Secret`` or ``kp.ISecret``; one whose keys are
    known must have ``tls.crt`` and ``tls.key``). Default: no TLS."""
    annotations: Mapping[str, str] = prop(default={}, check=check(rules.annotation_keys_and_size))
    """Annotations for the ingress controller or cert-manager. Default: none."""
    controller_namespace: str = prop(default="ingress-nginx", check=NAME)
    """Namespace of the ingress controller's pods, admitted by each backend's NetworkPolicy.
    Default: ingress-nginx."""

    def cross_checks(self) -> Iterator[Problem]:
        if SNIPPET_CHECK in self.audit_skips:
            return
        for key in rules.config_snippet_annotations(self.annotations):
            yield Problem(
                ("annotations", key),
                "injects raw configuration into the ingress controller, which can then read every Secret it may "
                f"(CVE-2021-25742; ingress-nginx refuses it by default since 1.9); give the reason in auditSkips.{SNIPPET_CHECK} "
                "to use it on purpose",
                "configuration-snippet",
                key,
            )


class AppIngress(ManifestConstruct):
    """An Ingress for ``host`` that routes each path prefix of ``routes`` to a service (its
    Service port), with TLS from ``tls_secret``. Each backend admits the ingress controller's
    namespace, and (a web service without a node port too) no other. An internal service (an MCP
    server without ``expose_node_port``) is refused."""

    PROPS: ClassVar[type[AppIngressProps]] = AppIngressProps
    RENDERS: ClassVar[tuple[tuple[str, str], ...]] = (("networking.k8s.io/v1", "Ingress"),)

    @classmethod
    def make(cls, id: str, **kwargs: Any) -> AppIngressProps:
        """The props of an AppIngress ``id``, checked; raise :class:`~._props.PropsError`."""
        return make_props(AppIngressProps, owner_name(cls, id), id, **kwargs)

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        host: str,
        routes: Mapping[str, ServiceWorkload],
        class_name: str | None = None,
        tls_secret: SecretSource | None = None,
        annotations: Mapping[str, str] | None = None,
        controller_namespace: str = "ingress-nginx",
        **options: Unpack[CommonOptions],
    ) -> None:
        owner = owner_name(type(self), id)
        if isinstance(routes, str) or not isinstance(routes, Mapping):
            raise TypeError(f"{owner}: routes maps path prefixes to services, such as {{'/': web}}, not {type(routes).__name__}")
        if "paths" in options:  # a prop of its props, made of routes
            raise TypeError(f"{owner}: the paths are those of routes, such as {{'/': web}}; drop paths=")
        if tls_secret is not None and not isinstance(tls_secret, str):  # an AppSecret or a cdk8s-plus Secret
            found = source_of(tls_secret, "Secret", owner=owner, argument="tls_secret", way_out={})
            absent = missing_keys(found, ["tls.crt", "tls.key"], ("tls_secret",))
            if absent:
                raise PropsError(owner, absent)
            tls_secret = found.name
        props = self.make(
            id,
            host=host,
            paths=list(routes),
            class_name=class_name,
            tls_secret=tls_secret,
            annotations=given_mapping(annotations),
            controller_namespace=controller_namespace,
            **options,
        )
        wrong = [
            Problem(
                ("routes", path),
                f"{type(backend).__name__} is not a service of this library (it has no Service)",
                "type",
                backend,
            )
            for path, backend in routes.items()
            if not isinstance(backend, ServiceWorkload)
        ]
        for path, backend in routes.items():
            problem = type(backend).routing_problem(backend.props) if isinstance(backend, ServiceWorkload) else None
            if problem is not None:
                wrong.append(Problem(("routes", path), f"{backend.name} {problem}", "not-routable", backend.name))
        if wrong:
            raise PropsError(owner, wrong)
        super().__init__(scope, id)
        self.props = props
        self.name = props.name or id
        self.routes = dict(routes)
        paths = [
            {
                "path": path,
                "pathType": "Prefix",
                "backend": {"service": {"name": backend.name, "port": {"number": backend.service_port}}},
            }
            for path, backend in routes.items()
        ]
        spec: dict[str, Any] = {"rules": [{"host": host, "http": {"paths": paths}}]}
        if class_name:
            spec["ingressClassName"] = class_name
        if tls_secret:
            spec["tls"] = [{"hosts": [host], "secretName": tls_secret}]
        meta = shared_meta(self.name, props, id, self.chart_info, "Ingress", props.annotations)
        self._add("Resource", {"apiVersion": "networking.k8s.io/v1", "kind": "Ingress", "metadata": meta, "spec": spec})
        for backend in dict.fromkeys(routes.values()):
            backend.behind_ingress = True  # then only the controller's pods may connect, unless exposed on purpose
            backend.allow_from_namespace(controller_namespace)

    @property
    def ingress(self) -> Manifest:
        """The Ingress object."""
        found = self._get("Resource")
        assert found is not None
        return found
