"""AppConfig: the app's ConfigMaps, with ``${...}`` references already expanded."""

from __future__ import annotations

from collections.abc import Mapping

from constructs import Construct
from constructs.manifest import Manifest, chart_namespace, object_meta

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
        namespace = chart_namespace(scope)
        self.config_maps = {
            name: Manifest(
                self,
                name,
                {
                    "apiVersion": "v1",
                    "kind": "ConfigMap",
                    "metadata": object_meta(name, namespace=namespace, labels=labels, annotations=annotations),
                    "data": dict(data),
                },
            )
            for name, data in config_maps.items()
        }
