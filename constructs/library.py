"""The construct library's public API in one import.

In this repository: ``from constructs.library import ApiService, McpService, WebService`` (or
each from its own module, ``from constructs.api_service import ApiService``). Installed with pip,
this module is the package itself: ``from todo_constructs import ApiService, McpService, WebService``.
"""

from __future__ import annotations

from .api_service import ApiService
from .app_config import AppConfig
from .app_ingress import AppIngress
from .app_namespace import AppNamespace, pod_security_labels, pod_security_of
from .app_secret import AppSecret, SecretValue
from .external_secret import ExternalSecret
from .manifest import Lazy, Manifest, chart_manifests, defer_objects
from .mcp_service import McpService
from .network_policies import DefaultDeny
from .props import Problem, PropsError
from .web_service import WebService
from .workload import Workload
from .workload_props import Autoscaling, Capabilities, Egress, Probe, Probes, ResourceAmounts, Resources, Security

__all__ = [
    "ApiService",
    "AppConfig",
    "AppIngress",
    "AppNamespace",
    "AppSecret",
    "Autoscaling",
    "Capabilities",
    "DefaultDeny",
    "Egress",
    "ExternalSecret",
    "Lazy",
    "Manifest",
    "McpService",
    "Probe",
    "Probes",
    "Problem",
    "PropsError",
    "ResourceAmounts",
    "Resources",
    "SecretValue",
    "Security",
    "WebService",
    "Workload",
    "chart_manifests",
    "defer_objects",
    "pod_security_labels",
    "pod_security_of",
]
