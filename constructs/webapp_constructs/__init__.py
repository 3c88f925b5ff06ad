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
  own way; a rule may return a :class:`Worded` message); :class:`SynthError`, what the synth of an
  :class:`App` refuses.
* The types those signatures name, so that your code can name them too: each construct's props
  class (``ServiceProps``, ``AppConfigProps``, ... and the base :class:`Props`), the options of its
  keywords (``ServiceOptions``, ...), the bases of the kinds (:class:`ManifestConstruct`,
  :class:`DeploymentWorkload`, :class:`ServiceWorkload`), :class:`ServiceFacts`, the sources a
  :class:`Volume` takes, and the allowed strings of a prop (``PullPolicy``, ``ServiceType``,
  ``Level``, ``StoreKind``, ...). A test holds every type a public signature names to this list.
* Props of your own, checked as the library's are (every problem at once): :class:`Props`,
  :func:`propsclass`, :func:`prop` and the rules a field takes (:func:`check`, :func:`pattern`,
  :func:`int_range`, ...; the library's own in :mod:`prop_rules`, Kubernetes' validation in
  :mod:`rules`); :func:`evolve`/:func:`replaced` for changed copies; for a program that checks
  values field by field before it makes props (:meth:`Props.from_checked`), :func:`type_checker`
  and :func:`rule_problems`, and :func:`dotted`/:func:`kind_of` to word what they find.
* Checks of any manifest, as the library runs them on its own: :mod:`audit` (policy-scanner
  exceptions and their reasons), :mod:`pod_security` (the Pod Security Standards, level by level),
  :mod:`labels` (the recommended labels it writes); :data:`RELAXATION_CHECKS` and
  :func:`relaxations` (what a :class:`Security` relaxes, and the check each fails).
* Charts: :class:`App` (a ``cdk8s.App`` whose synth raises what the constructs refuse as one
  Python exception), :func:`new_chart` (a chart the library knows without asking cdk8s, its objects deferred
  on request), :func:`render` (an object as cdk8s renders it), :func:`owner_name` (how errors name
  a construct); :data:`MIGRATION_STEP` (the label of a migration and of what rolls after it) and
  :data:`SNIPPET_CHECK` (the check an Ingress configuration snippet fails).
* For cdk8s-plus objects: :func:`harden`, :func:`pod_security_of`.
* :func:`chart_manifests`: a chart's objects as plain dicts, rendered without jsii;
  :class:`Manifest`: the type of every object the constructs render (``api.deployment``).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from . import _audit as audit
    from . import _labels as labels
    from . import _pod_security as pod_security
    from . import _prop_rules as prop_rules
    from . import _rules as rules
    from ._api_service import ApiService
    from ._app_config import AppConfig, AppConfigProps
    from ._app_ingress import SNIPPET_CHECK, AppIngress, AppIngressProps
    from ._app_namespace import AppNamespace, AppNamespaceProps, pod_security_labels, pod_security_of
    from ._app_secret import AppSecret, AppSecretProps, SecretValue
    from ._charts import App, AppCheck, SynthError, new_chart
    from ._common import CommonOptions, CommonProps, owner_name
    from ._deployment_workload import DeploymentWorkload
    from ._external_secret import ExternalSecret, ExternalSecretProps, StoreKind
    from ._harden import harden
    from ._job_props import MigrationJobOptions, MigrationJobProps, ScheduledJobOptions, ScheduledJobProps
    from ._manifest import Manifest, ManifestConstruct, chart_manifests, render
    from ._mcp_service import McpService, McpServiceProps
    from ._migration_job import MIGRATION_STEP, MigrationJob
    from ._network_policies import DefaultDeny, DefaultDenyProps
    from ._pod_props import (
        RELAXATION_CHECKS,
        Autoscaling,
        Capabilities,
        Container,
        Destination,
        DnsPeer,
        Egress,
        Probe,
        Probes,
        Relaxation,
        ResourceAmounts,
        Resources,
        Security,
        Toleration,
        TopologySpread,
        Volume,
        VolumeKind,
        relaxations,
    )
    from ._pod_security import Level
    from ._prop_rules import PullPolicy, ServiceType
    from ._props import (
        Check,
        Path,
        Problem,
        Props,
        PropsError,
        Speller,
        Term,
        Worded,
        Wording,
        check,
        defaults,
        dotted,
        evolve,
        int_range,
        kind_of,
        max_length,
        min_length,
        pattern,
        prop,
        propsclass,
        replaced,
        rule_problems,
        type_checker,
    )
    from ._scheduled_job import ScheduledJob
    from ._service_workload import ServiceFacts, ServiceWorkload
    from ._sources import ClaimSource, ConfigMapSource, NamedSecret, SecretSource
    from ._web_service import Server, WebService, WebServiceProps
    from ._worker_service import WorkerService
    from ._workload import Workload
    from ._workload_props import DeploymentOptions, DeploymentProps, ServiceOptions, ServiceProps, WorkloadOptions, WorkloadProps

# Each public name -> the private module that defines it (imported on first use: PEP 562).
_MODULES = {
    "ApiService": "_api_service",
    "App": "_charts",
    "AppCheck": "_charts",
    "AppConfig": "_app_config",
    "AppConfigProps": "_app_config",
    "AppIngress": "_app_ingress",
    "AppIngressProps": "_app_ingress",
    "AppNamespace": "_app_namespace",
    "AppNamespaceProps": "_app_namespace",
    "AppSecret": "_app_secret",
    "AppSecretProps": "_app_secret",
    "Autoscaling": "_pod_props",
    "Capabilities": "_pod_props",
    "Check": "_props",
    "ClaimSource": "_sources",
    "CommonOptions": "_common",
    "CommonProps": "_common",
    "ConfigMapSource": "_sources",
    "Container": "_pod_props",
    "DefaultDeny": "_network_policies",
    "DefaultDenyProps": "_network_policies",
    "DeploymentOptions": "_workload_props",
    "DeploymentProps": "_workload_props",
    "DeploymentWorkload": "_deployment_workload",
    "Destination": "_pod_props",
    "DnsPeer": "_pod_props",
    "Egress": "_pod_props",
    "ExternalSecret": "_external_secret",
    "ExternalSecretProps": "_external_secret",
    "Level": "_pod_security",
    "MIGRATION_STEP": "_migration_job",
    "Manifest": "_manifest",
    "ManifestConstruct": "_manifest",
    "McpService": "_mcp_service",
    "McpServiceProps": "_mcp_service",
    "MigrationJob": "_migration_job",
    "MigrationJobOptions": "_job_props",
    "MigrationJobProps": "_job_props",
    "NamedSecret": "_sources",
    "Path": "_props",
    "Probe": "_pod_props",
    "Probes": "_pod_props",
    "Problem": "_props",
    "Props": "_props",
    "PropsError": "_props",
    "PullPolicy": "_prop_rules",
    "RELAXATION_CHECKS": "_pod_props",
    "Relaxation": "_pod_props",
    "ResourceAmounts": "_pod_props",
    "Resources": "_pod_props",
    "SNIPPET_CHECK": "_app_ingress",
    "ScheduledJob": "_scheduled_job",
    "ScheduledJobOptions": "_job_props",
    "ScheduledJobProps": "_job_props",
    "SecretSource": "_sources",
    "SecretValue": "_app_secret",
    "Security": "_pod_props",
    "Server": "_web_service",
    "ServiceFacts": "_service_workload",
    "ServiceOptions": "_workload_props",
    "ServiceProps": "_workload_props",
    "ServiceType": "_prop_rules",
    "ServiceWorkload": "_service_workload",
    "Speller": "_props",
    "StoreKind": "_external_secret",
    "SynthError": "_charts",
    "Term": "_props",
    "Toleration": "_pod_props",
    "TopologySpread": "_pod_props",
    "Volume": "_pod_props",
    "VolumeKind": "_pod_props",
    "WebService": "_web_service",
    "WebServiceProps": "_web_service",
    "Worded": "_props",
    "Wording": "_props",
    "WorkerService": "_worker_service",
    "Workload": "_workload",
    "WorkloadOptions": "_workload_props",
    "WorkloadProps": "_workload_props",
    "chart_manifests": "_manifest",
    "check": "_props",
    "defaults": "_props",
    "dotted": "_props",
    "evolve": "_props",
    "harden": "_harden",
    "int_range": "_props",
    "kind_of": "_props",
    "max_length": "_props",
    "min_length": "_props",
    "new_chart": "_charts",
    "owner_name": "_common",
    "pattern": "_props",
    "pod_security_labels": "_app_namespace",
    "pod_security_of": "_app_namespace",
    "prop": "_props",
    "propsclass": "_props",
    "relaxations": "_pod_props",
    "render": "_manifest",
    "replaced": "_props",
    "rule_problems": "_props",
    "type_checker": "_props",
}

_NAMESPACES = {
    "audit": "_audit",
    "labels": "_labels",
    "pod_security": "_pod_security",
    "prop_rules": "_prop_rules",
    "rules": "_rules",
}
"""Public names of whole private modules: the library's rules, each under its module's own ``__all__``."""

__all__ = [
    "MIGRATION_STEP",
    "RELAXATION_CHECKS",
    "SNIPPET_CHECK",
    "ApiService",
    "App",
    "AppCheck",
    "AppConfig",
    "AppConfigProps",
    "AppIngress",
    "AppIngressProps",
    "AppNamespace",
    "AppNamespaceProps",
    "AppSecret",
    "AppSecretProps",
    "Autoscaling",
    "Capabilities",
    "Check",
    "ClaimSource",
    "CommonOptions",
    "CommonProps",
    "ConfigMapSource",
    "Container",
    "DefaultDeny",
    "DefaultDenyProps",
    "DeploymentOptions",
    "DeploymentProps",
    "DeploymentWorkload",
    "Destination",
    "DnsPeer",
    "Egress",
    "ExternalSecret",
    "ExternalSecretProps",
    "Level",
    "Manifest",
    "ManifestConstruct",
    "McpService",
    "McpServiceProps",
    "MigrationJob",
    "MigrationJobOptions",
    "MigrationJobProps",
    "NamedSecret",
    "Path",
    "Probe",
    "Probes",
    "Problem",
    "Props",
    "PropsError",
    "PullPolicy",
    "Relaxation",
    "ResourceAmounts",
    "Resources",
    "ScheduledJob",
    "ScheduledJobOptions",
    "ScheduledJobProps",
    "SecretSource",
    "SecretValue",
    "Security",
    "Server",
    "ServiceFacts",
    "ServiceOptions",
    "ServiceProps",
    "ServiceType",
    "ServiceWorkload",
    "Speller",
    "StoreKind",
    "SynthError",
    "Term",
    "Toleration",
    "TopologySpread",
    "Volume",
    "VolumeKind",
    "WebService",
    "WebServiceProps",
    "Worded",
    "Wording",
    "WorkerService",
    "Workload",
    "WorkloadOptions",
    "WorkloadProps",
    "audit",
    "chart_manifests",
    "check",
    "defaults",
    "dotted",
    "evolve",
    "harden",
    "int_range",
    "kind_of",
    "labels",
    "max_length",
    "min_length",
    "new_chart",
    "owner_name",
    "pattern",
    "pod_security",
    "pod_security_labels",
    "pod_security_of",
    "prop",
    "prop_rules",
    "propsclass",
    "relaxations",
    "render",
    "replaced",
    "rule_problems",
    "rules",
    "type_checker",
]


def __getattr__(name: str) -> Any:
    module = _MODULES.get(name)
    if module is not None:
        value = getattr(importlib.import_module(f".{module}", __name__), name)
    elif name in _NAMESPACES:
        value = importlib.import_module(f".{_NAMESPACES[name]}", __name__)
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    globals()[name] = value  # the next lookup is a plain one
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})
