"""What a Kubernetes API server stores of an object (the copy ``kubectl get -o yaml``, a
server-side apply and Argo CD compare the next apply with), for the objects this repository
renders: a rendered object equal to its stored form is applied again without a change.

Written apart from the rendering code (nothing of ``constructs`` or ``values_app`` is used), from
the API's own schemas:

- Kubernetes' own kinds (the 1.27 schema of ``kubernetes_validate``): etcd holds them as
  protobuf, where an empty list or map and an absent one are the same; the server returns it
  without the field (``omitempty``, e.g. a NetworkPolicy's ``ingress: []``, a selector's
  ``matchLabels: {}``, ``labels: {}``) or as ``null``: either way not what was applied. An empty
  struct stays (``emptyDir: {}``). A ``null`` field is dropped. A quantity is stored in its
  canonical form (``1000m`` -> ``"1"``, ``2048Mi`` -> ``2Gi``, the number ``1`` -> ``"1"``). A
  false, zero or empty scalar of a field the Go type has as a plain ``omitempty`` value (not a
  pointer) is dropped: :data:`OMITTED_WHEN_ZERO` lists those, an empty string of an optional field
  is dropped unless :data:`KEPT_WHEN_EMPTY` says the field is a pointer.
- Custom resources (the CRD schemas of ``../shared/crd-schemas``): stored as JSON, as applied,
  except that each ``default`` of the schema fills a missing field of an object present (the
  ExternalSecret's ``remoteRef.conversionStrategy: Default``, a Flux Kustomization's
  ``force: false``, ...), and a ``null`` of a field that is not ``nullable`` is dropped. The
  ``status`` is the controller's: left out of the comparison. Their ``metadata`` is any object's.

The defaults the API server fills into Kubernetes' own kinds (a Service port's ``protocol``, a
Deployment's ``revisionHistoryLimit``, ...) are not modelled: no apply route sees them as a change
(kubectl's three-way merge and server-side apply leave a field nobody applied alone, and Argo CD
normalizes them), whereas a custom resource's defaults land inside fields the applier owns (an
atomic list such as an ExternalSecret's ``spec.data``).
"""

from __future__ import annotations

import copy
import functools
import json
import re
from decimal import ROUND_CEILING, Decimal
from typing import Any

from kubernetes_validate import utils as kubernetes_validate

from tests.crd_schemas import KINDS, SCHEMAS

__all__ = ["CanonicalError", "canonical_quantity", "stored"]

QUANTITY = "io.k8s.apimachinery.pkg.api.resource.Quantity"
OBJECT_META = "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"

OMITTED_WHEN_ZERO = frozenset(
    {
        ("io.k8s.api.core.v1.PersistentVolumeClaimVolumeSource", "readOnly"),
        ("io.k8s.api.core.v1.VolumeMount", "readOnly"),
        ("io.k8s.api.core.v1.PodSpec", "hostNetwork"),
        ("io.k8s.api.core.v1.PodSpec", "hostPID"),
        ("io.k8s.api.core.v1.PodSpec", "hostIPC"),
        ("io.k8s.api.core.v1.Container", "stdin"),
        ("io.k8s.api.core.v1.Container", "stdinOnce"),
        ("io.k8s.api.core.v1.Container", "tty"),
        ("io.k8s.api.core.v1.ContainerPort", "hostPort"),
        ("io.k8s.api.core.v1.ServicePort", "nodePort"),
        ("io.k8s.api.apps.v1.DeploymentSpec", "minReadySeconds"),
        ("io.k8s.api.apps.v1.DeploymentSpec", "paused"),
        ("io.k8s.api.apps.v1.StatefulSetSpec", "minReadySeconds"),
        ("io.k8s.api.apps.v1.DaemonSetSpec", "minReadySeconds"),
        ("io.k8s.api.networking.v1.NetworkPolicyPort", "endPort"),
    }
)
"""Fields whose Go type is a plain (non-pointer) ``omitempty`` bool or integer: ``false`` or ``0``
is not stored (``readOnly: false`` reads back without ``readOnly``)."""

KEPT_WHEN_EMPTY = frozenset(
    {
        ("io.k8s.api.core.v1.PersistentVolumeClaimSpec", "storageClassName"),
        ("io.k8s.api.networking.v1.IngressSpec", "ingressClassName"),
        ("io.k8s.api.core.v1.ServiceSpec", "loadBalancerClass"),
    }
)
"""Optional string fields that are pointers in Go: ``""`` is stored (and means something)."""


class CanonicalError(ValueError):
    """An object this module cannot model (an unknown kind): the test fails rather than guess."""


# --- quantities -------------------------------------------------------------------------------

_QUANTITY = re.compile(r"([+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+))(Ki|Mi|Gi|Ti|Pi|Ei|[eE][+-]?[0-9]+|[numkMGTPE])?")
_DECIMAL_SUFFIXES = {"n": -9, "u": -6, "m": -3, "": 0, "k": 3, "M": 6, "G": 9, "T": 12, "P": 15, "E": 18}
_DECIMAL_NAMES = {exponent: suffix for suffix, exponent in _DECIMAL_SUFFIXES.items()}
_BINARY_SUFFIXES = {"Ki": 10, "Mi": 20, "Gi": 30, "Ti": 40, "Pi": 50, "Ei": 60}


def canonical_quantity(value: str | int | float) -> str:
    """A quantity as ``resource.Quantity.String()`` prints it: the format of its suffix kept
    (binary ``Ki``..``Ei``, decimal ``n``..``E``, or an exponent ``e3``), the largest suffix that
    leaves an integer, a binary value below 1024 or not a whole number in decimal, rounded up to
    nanos."""
    text = str(value) if not isinstance(value, float) else repr(value)
    match = _QUANTITY.fullmatch(text)
    if match is None:
        raise CanonicalError(f"{value!r} is not a quantity")
    number, suffix = Decimal(match[1]), match[2] or ""
    if suffix in _BINARY_SUFFIXES:
        fmt, amount = "binary", number * (2 ** _BINARY_SUFFIXES[suffix])
    elif suffix not in _DECIMAL_SUFFIXES:  # an exponent: e3, E-6
        fmt, amount = "exponent", number.scaleb(int(suffix[1:]))
    else:
        fmt, amount = "decimal", number.scaleb(_DECIMAL_SUFFIXES[suffix])
    nanos = int((amount.scaleb(9)).to_integral_value(rounding=ROUND_CEILING if amount >= 0 else "ROUND_FLOOR"))
    if nanos == 0:
        return "0"
    if fmt == "binary":
        whole = nanos % 10**9 == 0
        units = nanos // 10**9 if whole else 0
        if whole and abs(units) >= 1024:
            power = 0
            while power < 60 and abs(units) % 1024 == 0:
                units //= 1024
                power += 10
            names = {10 * (i + 1): name for i, name in enumerate(_BINARY_SUFFIXES)}
            return f"{units}{names.get(power, '')}"
        fmt = "decimal"
    sign, magnitude, exponent = ("-" if nanos < 0 else ""), abs(nanos), -9
    while magnitude % 1000 == 0 and (fmt == "exponent" or exponent < 18):
        magnitude //= 1000
        exponent += 3
    if fmt == "exponent":
        return f"{sign}{magnitude}" + (f"e{exponent}" if exponent else "")
    return f"{sign}{magnitude}{_DECIMAL_NAMES[exponent]}"


# --- Kubernetes' own kinds ----------------------------------------------------------------------


@functools.cache
def _definitions() -> dict[str, Any]:
    version = [v for v in kubernetes_validate.all_versions() if kubernetes_validate.major_minor(v) <= "1.27"][-1]
    contents = kubernetes_validate.schema_contents(f"kubernetes-json-schema/v{version}-local-strict/_definitions.json", "1.27.0")
    definitions: dict[str, Any] = contents["$defs"]
    return definitions


@functools.cache
def _root(api_version: str, kind: str) -> str:
    group, _, version = api_version.rpartition("/")
    for name, definition in _definitions().items():
        for gvk in definition.get("x-kubernetes-group-version-kind", ()):
            if (gvk.get("group", ""), gvk["version"], gvk["kind"]) == (group, version, kind):
                return name
    raise CanonicalError(f"{api_version} {kind} is not a kind of Kubernetes 1.27 nor a custom resource known here")


def _ref(schema: dict[str, Any]) -> str | None:
    ref = schema.get("$ref")
    return str(ref).rsplit("/", 1)[-1] if ref is not None else None


def _is_empty_collection(value: Any) -> bool:
    return isinstance(value, list | dict) and not value


def _is_struct(schema: dict[str, Any]) -> bool:
    """Whether ``schema`` is an object with fields (an empty one is stored: ``emptyDir: {}``),
    not a list nor a map."""
    ref = _ref(schema)
    return "properties" in (_definitions()[ref] if ref is not None else schema)


def _builtin(value: Any, schema: dict[str, Any], name: str | None) -> Any:
    """``value`` as stored, where ``schema`` describes it (``name``: its definition's, if any)."""
    ref = _ref(schema)
    if ref == QUANTITY:
        return canonical_quantity(value) if isinstance(value, str | int | float) and not isinstance(value, bool) else value
    if ref is not None:
        return _builtin(value, _definitions()[ref], ref)
    if isinstance(value, list):
        items = schema.get("items", {})
        return [_builtin(item, items, None) for item in value]
    if not isinstance(value, dict):
        return value
    properties = schema.get("properties")
    if properties is not None:  # a struct: kept even when empty
        required = set(schema.get("required", ()))
        out = {}
        for key, item in value.items():
            if item is None:
                continue
            field = properties.get(key)
            if field is None:  # not a field of the kind: the strict validation refuses it
                out[key] = item
                continue
            item = _builtin(item, field, None)
            if _is_empty_collection(item) and not _is_struct(field):
                continue
            if (name, key) in OMITTED_WHEN_ZERO and item in (False, 0) and not isinstance(item, str):
                continue
            if item == "" and key not in required and (name, key) not in KEPT_WHEN_EMPTY:
                continue
            out[key] = item
        return out
    additional = schema.get("additionalProperties")
    if isinstance(additional, dict):  # a map
        return {key: _builtin(item, additional, None) for key, item in value.items() if item is not None}
    return value  # free-form (RawExtension, JSON): stored as given


# --- custom resources ---------------------------------------------------------------------------


@functools.cache
def _crd_schema(api_version: str, kind: str) -> dict[str, Any]:
    schema: dict[str, Any] = json.loads((SCHEMAS / KINDS[(api_version, kind)]).read_text())
    return schema


def _custom(value: Any, schema: dict[str, Any]) -> Any:
    if isinstance(value, list):
        items = schema.get("items", {})
        return [_custom(item, items) for item in value]
    if not isinstance(value, dict):
        return value
    properties = schema.get("properties")
    if properties is not None:
        out = {}
        for key, item in value.items():
            field = properties.get(key, {})
            if item is None and not field.get("nullable", False):
                continue
            out[key] = _custom(item, field)
        for key, field in properties.items():
            if key not in out and "default" in field:
                out[key] = _custom(copy.deepcopy(field["default"]), field)
        return out
    additional = schema.get("additionalProperties")
    if isinstance(additional, dict):
        return {key: _custom(item, additional) for key, item in value.items()}
    return value


def stored(manifest: dict[str, Any]) -> dict[str, Any]:
    """``manifest`` as the API server stores it (a custom resource's ``status`` left out)."""
    api_version, kind = str(manifest.get("apiVersion")), str(manifest.get("kind"))
    if (api_version, kind) in KINDS:
        body = {key: value for key, value in manifest.items() if key not in ("metadata", "status")}
        out: dict[str, Any] = _custom(body, _crd_schema(api_version, kind))
        out.pop("status", None)
        if "metadata" in manifest:
            out["metadata"] = _builtin(manifest["metadata"], {"$ref": f"#/$defs/{OBJECT_META}"}, None)
        return out
    result: dict[str, Any] = _builtin(manifest, {"$ref": f"#/$defs/{_root(api_version, kind)}"}, None)
    return result
