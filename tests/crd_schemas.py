"""Strict validation of custom resources (Argo CD, Flux, External Secrets) against the JSON schemas
of ``../shared/crd-schemas/`` (datreeio/CRDs-catalog): nested objects there refuse unknown fields;
the top level does not, so it is closed here (``additionalProperties: false``), ``apiVersion`` and
``kind`` are pinned, and ``metadata`` (only ``type: object`` there) is held to what the API server
checks of any object's metadata. And of Kubernetes' own objects against 1.27, strictly, as
``kubernetes_validate.validate(manifest, "1.27.0", strict=True)`` does, with each kind's schema
read once (that call reads the 1.27 definitions again for every object: 25 ms each)."""

from __future__ import annotations

import copy
import functools
import json
import re
from pathlib import Path
from typing import Any

import jsonschema
from kubernetes_validate import utils as kubernetes_validate
from referencing import Registry, Resource

from webapp_constructs._rules import object_problems

SCHEMAS = Path(__file__).resolve().parents[1].parent / "shared" / "crd-schemas"

KINDS = {
    ("argoproj.io/v1alpha1", "Application"): "argoproj.io/application_v1alpha1.json",
    ("argoproj.io/v1alpha1", "ApplicationSet"): "argoproj.io/applicationset_v1alpha1.json",
    ("argoproj.io/v1alpha1", "AppProject"): "argoproj.io/appproject_v1alpha1.json",
    ("external-secrets.io/v1", "ExternalSecret"): "external-secrets.io/externalsecret_v1.json",
    ("external-secrets.io/v1", "SecretStore"): "external-secrets.io/secretstore_v1.json",
    ("external-secrets.io/v1", "ClusterSecretStore"): "external-secrets.io/clustersecretstore_v1.json",
    ("kustomize.toolkit.fluxcd.io/v1", "Kustomization"): "kustomize.toolkit.fluxcd.io/kustomization_v1.json",
    ("source.toolkit.fluxcd.io/v1", "GitRepository"): "source.toolkit.fluxcd.io/gitrepository_v1.json",
}
"""The custom resources a GitOps output may hold, by (apiVersion, kind)."""

METADATA_FIELDS = frozenset({"name", "namespace", "labels", "annotations"})


@functools.cache
def _validator(api_version: str, kind: str) -> jsonschema.protocols.Validator:
    schema: dict[str, Any] = copy.deepcopy(json.loads((SCHEMAS / KINDS[(api_version, kind)]).read_text()))
    schema["additionalProperties"] = False
    schema["properties"]["apiVersion"] = {"const": api_version}
    schema["properties"]["kind"] = {"const": kind}
    schema["required"] = sorted({*schema.get("required", []), "apiVersion", "kind", "metadata"})
    validator: jsonschema.protocols.Validator = jsonschema.validators.validator_for(schema)(schema)
    return validator


def is_custom(manifest: dict[str, Any]) -> bool:
    return (manifest.get("apiVersion"), manifest.get("kind")) in KINDS


def validate_custom(manifest: dict[str, Any]) -> None:
    """Raise (jsonschema.ValidationError or AssertionError) unless ``manifest`` is a valid custom
    resource of a kind of :data:`KINDS`, with nothing the schema does not define."""
    _validator(str(manifest["apiVersion"]), str(manifest["kind"])).validate(manifest)
    unknown = set(manifest["metadata"]) - METADATA_FIELDS
    assert not unknown, f"metadata fields {sorted(unknown)}"
    problems = object_problems(manifest)
    assert not problems, problems


@functools.cache
def _kubernetes_directory() -> str:
    version = [v for v in kubernetes_validate.all_versions() if kubernetes_validate.major_minor(v) <= "1.27"][-1]
    return f"kubernetes-json-schema/v{version}-local-strict"


@functools.cache
def _kubernetes_definitions() -> Resource[Any]:
    return Resource.from_contents(kubernetes_validate.schema_contents(f"{_kubernetes_directory()}/_definitions.json", "1.27.0"))


@functools.cache
def _kubernetes_validator(api_version: str, kind: str) -> jsonschema.protocols.Validator:
    group_version = re.sub(r"^([^./]*)(?:\.[^/]*)?/", r"\1-", api_version)
    schema = kubernetes_validate.schema_contents(f"{_kubernetes_directory()}/{kind.lower()}-{group_version}.json", "1.27.0")
    registry: Registry[Any] = _kubernetes_definitions() @ (Resource.from_contents(schema) @ Registry())
    validator: jsonschema.protocols.Validator = jsonschema.validators.Draft202012Validator(schema, registry=registry)
    return validator


def validate_kubernetes(manifest: dict[str, Any]) -> None:
    """Raise jsonschema.ValidationError unless ``manifest`` is valid against Kubernetes 1.27, strictly."""
    _kubernetes_validator(str(manifest["apiVersion"]), str(manifest["kind"])).validate(manifest)


def validate_any(manifest: dict[str, Any]) -> None:
    """:func:`validate_custom` for a custom resource, :func:`validate_kubernetes` for the rest."""
    if is_custom(manifest):
        validate_custom(manifest)
    else:
        validate_kubernetes(manifest)
