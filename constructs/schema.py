"""The JSON Schema of a values file, for editors (yaml-language-server) and other tools.

.venv/bin/python -m constructs.schema values.schema.json     # what `make schema` runs
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from constructs.values import AppValues

__all__ = ["SCHEMA_FILE", "schema_text", "values_schema"]

SCHEMA_FILE = "values.schema.json"


def values_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of :class:`constructs.values.AppValues`, camelCase keys."""
    schema = AppValues.model_json_schema(by_alias=True, mode="validation")
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "title": "todo-chatbot-cdk8s values", **schema}


def schema_text() -> str:
    return json.dumps(values_schema(), indent=2, sort_keys=True) + "\n"


if __name__ == "__main__":
    target = Path(sys.argv[1] if len(sys.argv) > 1 else SCHEMA_FILE)
    target.write_text(schema_text(), encoding="utf-8")
