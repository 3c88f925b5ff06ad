"""AppConfig: one ConfigMap of settings the app's workloads take as environment variables."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar, Unpack

from . import _rules as rules
from ._common import CommonOptions, CommonProps, make_props, owner_name, shared_meta
from ._manifest import Manifest, ManifestConstruct
from ._props import check, prop, propsclass

__all__ = ["AppConfig", "AppConfigProps"]


@propsclass
class AppConfigProps(CommonProps):
    """Props of :class:`AppConfig`."""

    data: Mapping[str, str] = prop(check=check(rules.config_map_size), keys=check(rules.config_map_key))
    """Key -> value. At most 1 MiB in all, as Kubernetes allows."""


class AppConfig(ManifestConstruct):
    """A ConfigMap. Give it to :meth:`~._workload.Workload.env_from_config_map` and the pods that
    read it roll when one of the values they read changes."""

    PROPS: ClassVar[type[AppConfigProps]] = AppConfigProps
    RENDERS: ClassVar[tuple[tuple[str, str], ...]] = (("v1", "ConfigMap"),)

    def __init__(self, scope: Any, id: str, *, data: Mapping[str, str], **options: Unpack[CommonOptions]) -> None:
        props = make_props(AppConfigProps, owner_name(type(self), id), id, data=data, **options)
        super().__init__(scope, id)
        self.props = props
        self.name = props.name or id
        self.data = dict(props.data)
        meta = shared_meta(self.name, props, id, self.chart_info, "ConfigMap")
        self._add("Resource", {"apiVersion": "v1", "kind": "ConfigMap", "metadata": meta, "data": self.data})

    @property
    def config_map(self) -> Manifest:
        """The ConfigMap object."""
        found = self._get("Resource")
        assert found is not None
        return found
