"""Labels: the recommended ``app.kubernetes.io/*`` set every object of this library carries.

See https://kubernetes.io/docs/concepts/overview/working-with-objects/common-labels/.
Selectors use only labels that never change over a release's life (never the version), so a
Deployment's immutable ``spec.selector`` survives upgrades.
"""

from __future__ import annotations

from collections.abc import Mapping

__all__ = ["INSTANCE", "MANAGED_BY", "NAME", "default_selector", "pod_labels", "recommended_labels", "selects"]

MANAGED_BY = "cdk8s"
NAME = "app.kubernetes.io/name"
INSTANCE = "app.kubernetes.io/instance"


def recommended_labels(*, name: str, instance: str, component: str, part_of: str, version: str | None = None) -> dict[str, str]:
    """``app.kubernetes.io/{name,instance,version,component,part-of,managed-by}`` (no version
    label when ``version`` is None)."""
    labels = {NAME: name, INSTANCE: instance}
    if version is not None:
        labels["app.kubernetes.io/version"] = version
    labels |= {"app.kubernetes.io/component": component, "app.kubernetes.io/part-of": part_of}
    labels["app.kubernetes.io/managed-by"] = MANAGED_BY
    return labels


def default_selector(name: str, instance: str) -> dict[str, str]:
    """What a service selects its pods by, unless told otherwise: its name and its instance."""
    return {NAME: name, INSTANCE: instance}


def pod_labels(
    *,
    name: str,
    instance: str,
    component: str,
    part_of: str,
    version: str | None,
    extra: Mapping[str, str],
    selector: Mapping[str, str],
) -> dict[str, str]:
    """The labels of a service's objects and pods: the recommended ones, then ``extra``, then the
    selector (so the pods always carry what they are selected by)."""
    recommended = recommended_labels(name=name, instance=instance, component=component, part_of=part_of, version=version)
    return {**recommended, **extra, **selector}


def selects(selector: Mapping[str, str], labels: Mapping[str, str]) -> bool:
    """Whether a ``matchLabels`` selector matches pods labelled ``labels``."""
    return all(labels.get(key) == value for key, value in selector.items())
