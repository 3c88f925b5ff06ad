"""AppIngress: one Ingress (networking.k8s.io/v1) that routes path prefixes to the app's Services."""

from __future__ import annotations

from collections.abc import Mapping

from constructs import Construct
from constructs.values import IngressProps
from imports import k8s

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
            k8s.HttpIngressPath(
                path=path.path,
                path_type="Prefix",
                backend=k8s.IngressBackend(
                    service=k8s.IngressServiceBackend(
                        name=backends[path.service][0], port=k8s.ServiceBackendPort(number=backends[path.service][1])
                    )
                ),
            )
            for path in props.paths
        ]
        self.ingress = k8s.KubeIngress(
            self,
            "ingress",
            metadata=k8s.ObjectMeta(
                name=name, labels=dict(labels), annotations={**props.annotations, **(annotations or {})} or None
            ),
            spec=k8s.IngressSpec(
                ingress_class_name=props.class_name,
                tls=[k8s.IngressTls(hosts=[props.host], secret_name=props.tls_secret)] if props.tls_secret else None,
                rules=[k8s.IngressRule(host=props.host, http=k8s.HttpIngressRuleValue(paths=paths))],
            ),
        )
