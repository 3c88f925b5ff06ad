"""A Mermaid picture of the rendered app: services and their ports, who may talk to whom, and
which ConfigMap and Secret keys each workload gets.

    .venv/bin/python main.py --values values/003-local-k8s-deployment.yaml --diagram

Arrows follow the NetworkPolicies the values render (``allowFrom`` and ``allowExternal``), so the
picture is what the cluster enforces, not a wish: a ClusterIP service that allows external
connections is drawn open to any pod of any namespace.
"""

from __future__ import annotations

import re

from webapp_constructs import ServiceFacts

from .kinds import facts
from .model import AppValues
from .release import allowed_from

__all__ = ["mermaid"]


def _id(prefix: str, name: str) -> str:
    return prefix + "_" + re.sub(r"[^A-Za-z0-9]", "_", name)


def _service_label(values: AppValues, key: str) -> str:
    service = values.services[key]
    found = facts(values, key)
    if found is None:  # a worker, a cronjob, a migration: no Service
        lines = [f"<b>{values.object_name(key)}</b>", f"{service.kind} · no port"]
        schedule = getattr(service, "schedule", None)
        if schedule is not None:
            lines.append(f"schedule {schedule}")
        before = getattr(service, "before", None)
        if before:
            lines.append(f"before {', '.join(before)}")
    else:
        lines = [f"<b>{values.object_name(key)}</b>", f"{service.kind} · container :{found.port}"]
        exposure = f"{found.service_type} :{found.service_port}"
        node_port = service.node_port
        if node_port is not None:
            exposure += f" · nodePort {node_port}"
        elif found.service_type != "ClusterIP":
            exposure += " · nodePort assigned"
        lines.append(exposure)
    autoscaling = getattr(service, "autoscaling", None)
    if autoscaling is not None:
        lines.append(f"replicas {autoscaling.min_replicas}-{autoscaling.max_replicas} (HPA)")
    elif hasattr(service, "replicas"):
        lines.append(f"replicas {service.replicas}")
    return "<br/>".join(lines)


def _outside_port(values: AppValues, key: str, found: ServiceFacts) -> str:
    node_port = values.services[key].node_port
    if node_port is not None:
        return f":{node_port}"
    if found.service_type == "NodePort":
        return "nodePort (assigned)"
    return f":{found.service_port}"  # a LoadBalancer


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
    served = {key: found for key in values.services if (found := facts(values, key)) is not None}
    open_inside = [key for key, found in served.items() if found.service_type == "ClusterIP" and allowed_from(values, key)[1]]
    if policies and open_inside:
        out.append('  anypod(["any pod, any namespace"])')
    if values.ingress is not None:
        out.append(f'  {outside} -->|"https"| ingress')
        for path in values.ingress.paths:
            out.append(f'  ingress -->|"{path.path}"| {_id("svc", path.service)}')
    for key, found in served.items():
        callers, external = allowed_from(values, key)
        if found.service_type != "ClusterIP" and (external or not policies):
            out.append(f'  {outside} -->|"{_outside_port(values, key, found)}"| {_id("svc", key)}')
        elif policies and key in open_inside:
            out.append(f'  anypod -->|":{found.service_port}"| {_id("svc", key)}')
        for caller in callers:
            out.append(f'  {_id("svc", caller)} -->|":{found.service_port}"| {_id("svc", key)}')
    for key, service in values.services.items():
        for before in getattr(service, "before", []):
            out.append(f'  {_id("svc", key)} -.->|"runs before"| {_id("svc", before)}')

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
