"""A Mermaid picture of the rendered app: services and their ports, who may talk to whom, and
which ConfigMap and Secret keys each workload gets.

    .venv/bin/python main.py --values values/003-local-k8s-deployment.yaml --diagram

Arrows follow the NetworkPolicies the values render (``allowFrom`` and ``allowExternal``), so the
picture is what the cluster enforces, not a wish: a ClusterIP service that allows external
connections is drawn open to any pod of any namespace.
"""

from __future__ import annotations

import re

from .model import AppValues, ServiceValues
from .release import allowed_from

__all__ = ["mermaid"]


def _id(prefix: str, name: str) -> str:
    return prefix + "_" + re.sub(r"[^A-Za-z0-9]", "_", name)


def _service_label(values: AppValues, key: str) -> str:
    service = values.services[key]
    lines = [f"<b>{values.object_name(key)}</b>", f"{service.kind} · container :{service.container_port}"]
    exposure = f"{service.service_type} :{service.service_port}"
    if service.service.node_port is not None:
        exposure += f" · nodePort {service.service.node_port}"
    elif service.service_type != "ClusterIP":
        exposure += " · nodePort assigned"
    lines.append(exposure)
    if service.autoscaling is not None:
        lines.append(f"replicas {service.autoscaling.min_replicas}-{service.autoscaling.max_replicas} (HPA)")
    else:
        lines.append(f"replicas {service.replicas}")
    return "<br/>".join(lines)


def _outside_port(service: ServiceValues) -> str:
    if service.service.node_port is not None:
        return f":{service.service.node_port}"
    if service.service_type == "NodePort":
        return "nodePort (assigned)"
    return f":{service.service_port}"  # a LoadBalancer


def mermaid(values: AppValues) -> str:
    """The Mermaid flowchart of ``values`` (checked and expanded), as text."""
    out = ["flowchart LR"]
    outside = "browser"
    out.append(f'  {outside}(["Browser / outside the cluster"])')
    if values.ingress is not None:
        out.append(f'  ingress{{{{"Ingress {values.ingress.host}"}}}}')
    out.append(f'  subgraph ns["namespace {values.namespace.name}"]')
    out.append("    direction LR")
    for key in values.services:
        out.append(f'    {_id("svc", key)}["{_service_label(values, key)}"]')
    for name in values.config_maps:
        out.append(f'    {_id("cm", name)}[("ConfigMap {name}")]')
    for name, secret in values.secrets.items():
        note = " (external)" if secret.external else ""
        out.append(f'    {_id("secret", name)}[("Secret {name}{note}")]')
    out.append("  end")

    policies = values.network_policies.enabled
    open_inside = [
        key for key, service in values.services.items() if service.service_type == "ClusterIP" and allowed_from(values, key)[1]
    ]
    if policies and open_inside:
        out.append('  anypod(["any pod, any namespace"])')
    if values.ingress is not None:
        out.append(f'  {outside} -->|"https"| ingress')
        for path in values.ingress.paths:
            out.append(f'  ingress -->|"{path.path}"| {_id("svc", path.service)}')
    for key, service in values.services.items():
        callers, external = allowed_from(values, key)
        if service.service_type != "ClusterIP" and (external or not policies):
            out.append(f'  {outside} -->|"{_outside_port(service)}"| {_id("svc", key)}')
        elif policies and key in open_inside:
            out.append(f'  anypod -->|":{service.service_port}"| {_id("svc", key)}')
        for caller in callers:
            out.append(f'  {_id("svc", caller)} -->|":{service.service_port}"| {_id("svc", key)}')

    config_owner = {k: name for name, data in values.config_maps.items() for k in data}
    secret_owner = {k: name for name, secret in values.secrets.items() for k in secret.keys}
    for key, service in values.services.items():
        for prefix, owner, keys in (("cm", config_owner, service.env.config), ("secret", secret_owner, service.env.secrets)):
            by_object: dict[str, list[str]] = {}
            for env_key in keys:
                by_object.setdefault(owner[env_key], []).append(env_key)
            for name, env_keys in by_object.items():
                out.append(f'  {_id(prefix, name)} -.->|"{", ".join(env_keys)}"| {_id("svc", key)}')
    if not policies:
        out.append("  %% NetworkPolicies are off: every pod may reach every other")
    return "\n".join(out) + "\n"
