"""AppConfig: the app's ConfigMaps, with ``${...}`` references already expanded."""

from __future__ import annotations

from collections.abc import Mapping

from constructs import Construct
from imports import k8s

__all__ = ["AppConfig"]


class AppConfig(Construct):
    """One ConfigMap per entry of ``config_maps`` (name -> key -> value); construct ID = the name."""

    def __init__(
        self,
        scope: Construct,
        id: str,
        *,
        config_maps: Mapping[str, Mapping[str, str]],
        labels: Mapping[str, str],
        annotations: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(scope, id)
        self.config_maps = {
            name: k8s.KubeConfigMap(
                self,
                name,
                metadata=k8s.ObjectMeta(name=name, labels=dict(labels), annotations=dict(annotations or {}) or None),
                data=dict(data),
            )
            for name, data in config_maps.items()
        }
