"""AppIngress: one Ingress (networking.k8s.io/v1) that routes path prefixes to the app's Services."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from constructs import Construct
from constructs.manifest import Manifest, chart_namespace, object_meta
from constructs.values import IngressProps

__all__ = ["AppIngress"]


class AppIngress(Construct):
    """An Ingress for ``props.host``, with TLS from ``props.tlsSecret`` when given.

    ``backends`` maps each service key named in ``props.paths`` to its Service name and port.
    """

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        props: IngressProps,
        name: str,
        backends: Mapping[str, tuple[str, int]],
        labels: Mapping[str, str],
        annotations: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(scope, id)
        paths = [
            {
                "path": path.path,
                "pathType": "Prefix",
                "backend": {"service": {"name": backends[path.service][0], "port": {"number": backends[path.service][1]}}},
            }
            for path in props.paths
        ]
        spec: dict[str, Any] = {"rules": [{"host": props.host, "http": {"paths": paths}}]}
        if props.class_name:
            spec["ingressClassName"] = props.class_name
        if props.tls_secret:
            spec["tls"] = [{"hosts": [props.host], "secretName": props.tls_secret}]
        metadata = object_meta(
            name, namespace=chart_namespace(scope), labels=labels, annotations={**props.annotations, **(annotations or {})}
        )
        self.ingress = Manifest(
            self, "ingress", {"apiVersion": "networking.k8s.io/v1", "kind": "Ingress", "metadata": metadata, "spec": spec}
        )
