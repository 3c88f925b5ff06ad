"""Labels: the recommended ``app.kubernetes.io/*`` set on every object, plus a values file's own.

See https://kubernetes.io/docs/concepts/overview/working-with-objects/common-labels/.
Selectors use only labels that never change over a release's life (never the version), so a
Deployment's immutable ``spec.selector`` survives upgrades.
"""

from __future__ import annotations

from constructs.values import AppValues

__all__ = ["MANAGED_BY", "object_labels", "selector_labels", "shared_labels"]

MANAGED_BY = "cdk8s"


def _recommended(values: AppValues, *, name: str, component: str) -> dict[str, str]:
    return {
        **values.labels,
        "app.kubernetes.io/name": name,
        "app.kubernetes.io/instance": values.release,
        "app.kubernetes.io/version": values.app_version,
        "app.kubernetes.io/component": component,
        "app.kubernetes.io/part-of": values.part_of,
        "app.kubernetes.io/managed-by": MANAGED_BY,
    }


def shared_labels(values: AppValues, component: str) -> dict[str, str]:
    """Labels of an object the whole app shares (Namespace, ConfigMap, Secret)."""
    return _recommended(values, name=values.part_of, component=component)


def selector_labels(values: AppValues, key: str) -> dict[str, str]:
    """The labels service ``key``'s Service and Deployment select its pods by.

    Default: ``app.kubernetes.io/name`` (the service's object name) and ``app.kubernetes.io/instance``.
    """
    service = values.services[key]
    if service.selector_labels is not None:
        return dict(service.selector_labels)
    return {
        "app.kubernetes.io/name": values.object_name(key),
        "app.kubernetes.io/instance": values.release,
    }


def object_labels(values: AppValues, key: str) -> dict[str, str]:
    """Labels of service ``key``'s objects and pods: recommended, the service's own, and its selector."""
    service = values.services[key]
    return {
        **_recommended(values, name=values.object_name(key), component=key),
        **service.labels,
        **selector_labels(values, key),
    }
