"""The construct library's public API in one import.

In this repository: ``from constructs.library import ApiService, WebService`` (or each from its
own module, ``from constructs.api_service import ApiService``). Installed with pip, this module is
the package itself: ``from todo_constructs import ApiService, WebService``.

* Workloads: :class:`WebService`, :class:`ApiService`, :class:`McpService` (a Deployment behind a
  Service), :class:`WorkerService` (a Deployment serving nothing), :class:`ScheduledJob` (a
  CronJob), :class:`MigrationJob` (a Job that must finish before workloads roll).
* Around them: :class:`AppConfig`, :class:`AppSecret`, :class:`AppIngress`, :class:`AppNamespace`,
  :class:`DefaultDeny`.
* Props: :class:`Volume`, :class:`Container`, :class:`Probe`/:class:`Probes`,
  :class:`Resources`/:class:`ResourceAmounts`, :class:`Security`/:class:`Capabilities`,
  :class:`Autoscaling`, :class:`Egress`/:class:`Destination`/:class:`DnsPeer`, :class:`Toleration`,
  :class:`TopologySpread`; :class:`PropsError` and its :class:`Problem`\\ s; :class:`SynthError`, what
  ``app.synth()`` refuses.
* For cdk8s-plus objects: :func:`harden`, :func:`pod_security_of`.
* :func:`chart_manifests`: a chart's objects as plain dicts, rendered without jsii;
  :class:`Manifest`: the type of every object the constructs render (``api.deployment``).
"""

from __future__ import annotations

from .api_service import ApiService
from .app_config import AppConfig
from .app_ingress import AppIngress
from .app_namespace import AppNamespace, pod_security_labels, pod_security_of
from .app_secret import AppSecret, SecretValue
from .charts import SynthError
from .external_secret import ExternalSecret
from .harden import harden
from .manifest import Manifest, chart_manifests
from .mcp_service import McpService
from .migration_job import MigrationJob
from .network_policies import DefaultDeny
from .pod_props import (
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
from .props import Problem, PropsError
from .scheduled_job import ScheduledJob
from .web_service import WebService
from .worker_service import WorkerService
from .workload import Workload

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
    "Toleration",
    "TopologySpread",
    "Volume",
    "WebService",
    "WorkerService",
    "Workload",
    "chart_manifests",
    "harden",
    "pod_security_labels",
    "pod_security_of",
]
