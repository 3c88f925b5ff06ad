"""AppIngress: TLS and path prefixes to the app's Services."""

from __future__ import annotations

import cdk8s

from constructs.app_ingress import AppIngress
from constructs.values import IngressProps
from tests.helpers import one


def test_tls_host_and_paths(chart: cdk8s.Chart) -> None:
    props = IngressProps.model_validate(
        {
            "host": "todo.example.com",
            "className": "nginx",
            "tlsSecret": "todo-tls",
            "annotations": {"cert-manager.io/cluster-issuer": "letsencrypt"},
            "paths": [{"path": "/api", "service": "backend"}, {"path": "/", "service": "frontend"}],
        }
    )
    AppIngress(
        chart,
        "ingress",
        props=props,
        name="todo",
        backends={"backend": ("todo-backend", 8000), "frontend": ("todo-web", 3000)},
        labels={},
    )
    ingress = one(cdk8s.Testing.synth(chart), "Ingress", "todo")
    assert ingress["metadata"]["annotations"] == {"cert-manager.io/cluster-issuer": "letsencrypt"}
    assert ingress["spec"] == {
        "ingressClassName": "nginx",
        "tls": [{"hosts": ["todo.example.com"], "secretName": "todo-tls"}],
        "rules": [
            {
                "host": "todo.example.com",
                "http": {
                    "paths": [
                        {
                            "path": "/api",
                            "pathType": "Prefix",
                            "backend": {"service": {"name": "todo-backend", "port": {"number": 8000}}},
                        },
                        {
                            "path": "/",
                            "pathType": "Prefix",
                            "backend": {"service": {"name": "todo-web", "port": {"number": 3000}}},
                        },
                    ]
                },
            }
        ],
    }
