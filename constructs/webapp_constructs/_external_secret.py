"""ExternalSecret: a Secret whose values the External Secrets Operator fetches from a secret store,
so that they never pass through the synth, the repository or a log.

It renders one ``external-secrets.io/v1`` ``ExternalSecret`` whose target is the Secret of the same
name (the one the workloads read): each key of that Secret is a property of one entry of the store
(``remote_key``), the property named like the key unless ``properties`` says otherwise. The
operator creates the Secret and owns it (``creationPolicy: Owner``), and refreshes it every
``refresh_interval``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any, ClassVar, Literal, Unpack

from . import _rules as rules
from ._common import CommonOptions, CommonProps, given_mapping, make_props, owner_name, shared_meta
from ._manifest import Manifest, ManifestConstruct
from ._prop_rules import REFRESH_INTERVAL, REMOTE_KEY
from ._props import Problem, check, min_length, prop, propsclass

__all__ = [
    "REMOTE_REF_DEFAULTS",
    "ExternalSecret",
    "ExternalSecretProps",
    "StoreKind",
]

StoreKind = Literal["SecretStore", "ClusterSecretStore"]

REMOTE_REF_DEFAULTS = {
    "conversionStrategy": "Default",
    "decodingStrategy": "None",
    "metadataPolicy": "None",
    "nullBytePolicy": "Ignore",
}
"""The fields the ExternalSecret CRD (external-secrets.io/v1) defaults in each ``remoteRef``,
written out: the API server stores them either way, and an object rendered without them differs
from the stored one (a server-side apply after a client-side one conflicts on ``spec.data``; Argo
CD with server-side apply reports it OutOfSync forever)."""


_STORE = check(rules.dns1123_subdomain, maxLength=253)
_SECRET_KEY = check(rules.config_map_key)


def _unique(keys: Sequence[str]) -> list[str]:
    seen: set[str] = set()
    twice = [key for key in keys if key in seen or seen.add(key)]  # type: ignore[func-returns-value]
    return [f"{key} is listed twice" for key in dict.fromkeys(twice)]


@propsclass
class ExternalSecretProps(CommonProps):
    """Props of :class:`ExternalSecret`."""

    store: str = prop(check=_STORE)
    """Name of the SecretStore or ClusterSecretStore to fetch from."""
    remote_key: str = prop(check=REMOTE_KEY)
    """The entry of the store that holds the values, e.g. ``prod/shop``."""
    keys: Sequence[str] = prop(check=[min_length(1), check(_unique)], each=_SECRET_KEY)
    """The keys of the Secret; each is the property of ``remote_key`` of the same name."""
    store_kind: StoreKind = "ClusterSecretStore"
    """``ClusterSecretStore`` (shared by every namespace) or ``SecretStore`` (in the release's
    namespace). Default: ClusterSecretStore."""
    properties: Mapping[str, str] = prop(default={}, each=REMOTE_KEY)
    """The property of ``remote_key`` to read for a key, where it is not named like the key.
    Default: none (every key reads the property of its own name)."""
    refresh_interval: str = prop(default="1h", check=REFRESH_INTERVAL)
    """How often the operator reads the store again: at least 1m, or ``0s`` (never). Default: 1h."""

    def cross_checks(self) -> Iterator[Problem]:
        for key in self.properties:
            if key not in self.keys:
                yield Problem(("properties", key), f"{key} is not one of the keys ({', '.join(self.keys)})", "unknown-key", key)


class ExternalSecret(ManifestConstruct):
    """An External Secrets Operator ``ExternalSecret`` that makes the Secret named ``name`` (default:
    the construct ID). Give its name to :meth:`~._workload.Workload.env_from_secret`: the pods read
    the Secret the operator writes. No value is ever known to the synth."""

    PROPS: ClassVar[type[ExternalSecretProps]] = ExternalSecretProps
    RENDERS: ClassVar[tuple[tuple[str, str], ...]] = (("external-secrets.io/v1", "ExternalSecret"),)

    def __init__(
        self,
        scope: Any,
        id: str,
        *,
        store: str,
        remote_key: str,
        keys: Sequence[str],
        store_kind: StoreKind = "ClusterSecretStore",
        properties: Mapping[str, str] | None = None,
        refresh_interval: str = "1h",
        **options: Unpack[CommonOptions],
    ) -> None:
        props = make_props(
            ExternalSecretProps,
            owner_name(type(self), id),
            id,
            store=store,
            remote_key=remote_key,
            keys=list(keys) if isinstance(keys, list | tuple) else keys,
            store_kind=store_kind,
            properties=given_mapping(properties),
            refresh_interval=refresh_interval,
            **options,
        )
        super().__init__(scope, id)
        self.props = props
        self.name = props.name or id
        meta = shared_meta(self.name, props, id, self.chart_info, "ExternalSecret")
        data = [
            {
                "remoteRef": {"key": props.remote_key, "property": props.properties.get(key, key), **REMOTE_REF_DEFAULTS},
                "secretKey": key,
            }
            for key in props.keys
        ]
        spec = {
            "data": data,
            "refreshInterval": props.refresh_interval,
            "secretStoreRef": {"kind": props.store_kind, "name": props.store},
            "target": {"creationPolicy": "Owner", "deletionPolicy": "Retain", "name": self.name},
        }
        self._add("Resource", {"apiVersion": "external-secrets.io/v1", "kind": "ExternalSecret", "metadata": meta, "spec": spec})

    @property
    def keys(self) -> tuple[str, ...]:
        """The keys of the Secret it makes."""
        return tuple(self.props.keys)

    @property
    def external_secret(self) -> Manifest:
        """The ExternalSecret object."""
        found = self._get("Resource")
        assert found is not None
        return found
