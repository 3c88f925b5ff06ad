"""values.schema.json: current with the model, and every preset conforms to it."""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from tests.helpers import yaml_load
from values_app.schema import SCHEMA_FILE, schema_text

ROOT = Path(__file__).resolve().parents[2]


@functools.cache
def _schema_text() -> str:
    return schema_text()


@functools.cache
def _validator() -> Any:
    schema = json.loads(_schema_text())
    jsonschema.validators.validator_for(schema).check_schema(schema)
    return jsonschema.validators.validator_for(schema)(schema)


def test_committed_schema_is_current() -> None:
    assert (ROOT / SCHEMA_FILE).read_text() == _schema_text(), "run `make schema` and commit values.schema.json"


@pytest.mark.parametrize("preset", sorted(p.name for p in (ROOT / "values").glob("*.yaml")))
def test_preset_conforms_and_points_editors_at_the_schema(preset: str) -> None:
    text = (ROOT / "values" / preset).read_text()
    assert text.startswith(f"# yaml-language-server: $schema=../{SCHEMA_FILE}\n")
    _validator().validate(yaml_load(text))
