"""The construct library's public API in one import.

``from webapp_constructs import ApiService, WebService``: the names of ``__all__`` are the API; the
modules (``_name.py``) are private. A name is loaded when it is first used, so that the pure-Python
parts (props, rules, quantities) import without starting jsii's Node.js process.

* Workloads: :class:`WebService`, :class:`ApiService`, :class:`McpService` (a Deployment behind a
  Service), :class:`WorkerService` (a Deployment serving nothing), :class:`ScheduledJob` (a
  CronJob), :class:`MigrationJob` (a Job that must finish before workloads roll).
* Around them: :class:`AppConfig`, :class:`AppSecret`, :class:`AppIngress`, :class:`AppNamespace`,
  :class:`DefaultDeny`.
* Props: :class:`Volume`, :class:`Container`, :class:`Probe`/:class:`Probes`,
  :class:`Resources`/:class:`ResourceAmounts`, :class:`Security`/:class:`Capabilities`,
  :class:`Autoscaling`, :class:`Egress`/:class:`Destination`/:class:`DnsPeer`, :class:`Toleration`,
  :class:`TopologySpread`; :class:`PropsError` and its :class:`Problem`\\ s (the props a message
  names kept apart as :class:`Term`\\ s of its :class:`Wording`, for a program that words them its
  own way; a rule may return a :class:`Worded` message); :class:`SynthError`, what ``app.synth()``
  refuses.
* For cdk8s-plus objects: :func:`harden`, :func:`pod_security_of`.
* :func:`chart_manifests`: a chart's objects as plain dicts, rendered without jsii;
  :class:`Manifest`: the type of every object the constructs render (``api.deployment``).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ._api_service import ApiService
    from ._app_config import AppConfig
    from ._app_ingress import AppIngress
    from ._app_namespace import AppNamespace, pod_security_labels, pod_security_of
    from ._app_secret import AppSecret, SecretValue
    from ._charts import SynthError
    from ._external_secret import ExternalSecret
    from ._harden import harden
    from ._manifest import Manifest, chart_manifests
    from ._mcp_service import McpService
    from ._migration_job import MigrationJob
    from ._network_policies import DefaultDeny
    from ._pod_props import (
        Autoscaling,
        Capabilities,
        Container,
        Destination,
        DnsPeer,
        Egress,
        Probe,
        Probes,
        ResourceAmounts,
        Resources,
        Security,
        Toleration,
        TopologySpread,
        Volume,
    )
    from ._props import Problem, PropsError, Term, Worded, Wording
    from ._scheduled_job import ScheduledJob
    from ._web_service import WebService
    from ._worker_service import WorkerService
    from ._workload import Workload

# Each public name -> the private module that defines it (imported on first use: PEP 562).
_MODULES = {
    "ApiService": "_api_service",
    "AppConfig": "_app_config",
    "AppIngress": "_app_ingress",
    "AppNamespace": "_app_namespace",
    "AppSecret": "_app_secret",
    "Autoscaling": "_pod_props",
    "Capabilities": "_pod_props",
    "Container": "_pod_props",
    "DefaultDeny": "_network_policies",
    "Destination": "_pod_props",
    "DnsPeer": "_pod_props",
    "Egress": "_pod_props",
    "ExternalSecret": "_external_secret",
    "Manifest": "_manifest",
    "McpService": "_mcp_service",
    "MigrationJob": "_migration_job",
    "Probe": "_pod_props",
    "Probes": "_pod_props",
    "Problem": "_props",
    "PropsError": "_props",
    "ResourceAmounts": "_pod_props",
    "Resources": "_pod_props",
    "ScheduledJob": "_scheduled_job",
    "SecretValue": "_app_secret",
    "Security": "_pod_props",
    "SynthError": "_charts",
    "Term": "_props",
    "Toleration": "_pod_props",
    "TopologySpread": "_pod_props",
    "Volume": "_pod_props",
    "WebService": "_web_service",
    "Worded": "_props",
    "Wording": "_props",
    "WorkerService": "_worker_service",
    "Workload": "_workload",
    "chart_manifests": "_manifest",
    "harden": "_harden",
    "pod_security_labels": "_app_namespace",
    "pod_security_of": "_app_namespace",
}

__all__ = [
    "ApiService",
    "AppConfig",
    "AppIngress",
    "AppNamespace",
    "AppSecret",
    "Autoscaling",
    "Capabilities",
    "Container",
    "DefaultDeny",
    "Destination",
    "DnsPeer",
    "Egress",
    "ExternalSecret",
    "Manifest",
    "McpService",
    "MigrationJob",
    "Probe",
    "Probes",
    "Problem",
    "PropsError",
    "ResourceAmounts",
    "Resources",
    "ScheduledJob",
    "SecretValue",
    "Security",
    "SynthError",
    "Term",
    "Toleration",
    "TopologySpread",
    "Volume",
    "WebService",
    "Worded",
    "Wording",
    "WorkerService",
    "Workload",
    "chart_manifests",
    "harden",
    "pod_security_labels",
    "pod_security_of",
]


def __getattr__(name: str) -> Any:
    module = _MODULES.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value  # the next lookup is a plain one
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
