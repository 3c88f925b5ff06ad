"""DefaultDeny: the NetworkPolicy that closes the app's pods to everything not allowed explicitly.

Each service's own NetworkPolicy (rendered by its construct) then opens its port to the peers its
props and connections allow. Policies only add up, so the result is exactly the union of those
rules.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import ClassVar, Unpack

from constructs import Construct

from ._common import CommonOptions, CommonProps, make_props, owner_name, shared_meta
from ._manifest import Manifest, ManifestConstruct
from ._prop_rules import LABELS
from ._props import min_length, prop, propsclass

__all__ = ["DefaultDeny", "DefaultDenyProps"]


@propsclass
class DefaultDenyProps(CommonProps):
    """Props of :class:`DefaultDeny`."""

    pod_selector: Mapping[str, str] = prop(check=[LABELS, min_length(1)])
    """The pods it closes, e.g. ``{"app.kubernetes.io/instance": "shop"}`` for a whole release."""
    egress: bool = False
    """Deny egress too (each service's egress rules then open what it needs). Default: false."""


class DefaultDeny(ManifestConstruct):
    """Deny all ingress (and, with ``egress``, all egress) to the pods matching ``pod_selector``."""

    PROPS: ClassVar[type[DefaultDenyProps]] = DefaultDenyProps
    RENDERS: ClassVar[tuple[tuple[str, str], ...]] = (("networking.k8s.io/v1", "NetworkPolicy"),)

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        pod_selector: Mapping[str, str],
        egress: bool = False,
        **options: Unpack[CommonOptions],
    ) -> None:
        props = make_props(DefaultDenyProps, owner_name(type(self), id), id, pod_selector=pod_selector, egress=egress, **options)
        super().__init__(scope, id)
        self.props = props
        self.name = props.name or id
        meta = shared_meta(self.name, props, id, self.chart_info, "NetworkPolicy")
        spec = {
            "podSelector": {"matchLabels": dict(props.pod_selector)},
            "policyTypes": ["Ingress", "Egress"] if egress else ["Ingress"],
        }
        self._add("Resource", {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy", "metadata": meta, "spec": spec})

    @property
    def policy(self) -> Manifest:
        """The NetworkPolicy object."""
        found = self._get("Resource")
        assert found is not None
        return found
