"""Strict validation of custom resources (Argo CD, Flux, External Secrets) against the JSON schemas
of ``../shared/crd-schemas/`` (datreeio/CRDs-catalog): nested objects there refuse unknown fields;
the top level does not, so it is closed here (``additionalProperties: false``), ``apiVersion`` and
``kind`` are pinned, and ``metadata`` (only ``type: object`` there) is held to what the API server
checks of any object's metadata."""

from __future__ import annotations

import copy
import functools
import json
from pathlib import Path
from typing import Any

import jsonschema

from constructs.rules import object_problems

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
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    validator: jsonschema.protocols.Validator = cls(schema)
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
