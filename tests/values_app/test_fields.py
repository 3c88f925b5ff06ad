"""The values model's fields: the library's rules, and what the values app adds in its own metadata."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from values_app.fields import FieldSpec, alias_of, in_values, prop, spec_of, valuesclass
from values_app.model import ImageValues, ServiceValues
from values_app.schema import values_schema
from webapp_constructs import PropsError, Security
from webapp_constructs._props import Props, fields_of


def _field(cls: Any, name: str) -> dataclasses.Field[Any]:
    return next(field for field in fields_of(cls) if field.name == name)


def test_a_field_spells_its_key_and_names_the_prop_it_feeds() -> None:
    assert alias_of(_field(ImageValues, "pull_policy")) == "pullPolicy"
    assert spec_of(_field(ImageValues, "pull_policy")).to == "image_pull_policy"
    assert spec_of(_field(ServiceValues, "image")).spread
    assert spec_of(_field(ImageValues, "repository")) == FieldSpec()


@valuesclass
class _Shop(Props):
    port: int = prop(default=80, check=lambda value: [] if value < 1000 else ["too high"], key="listenOn", to="port")


def test_a_values_field_keeps_the_library_s_rules() -> None:
    assert alias_of(_field(_Shop, "port")) == "listenOn"
    assert spec_of(_field(_Shop, "port")).to == "port"
    with pytest.raises(PropsError) as raised:
        _Shop(port=1001)
    assert [(p.path, p.message) for p in raised.value.problems] == [(("port",), "too high")]


def test_a_relaxation_s_reason_is_no_key_of_a_values_file() -> None:
    """A reason is the service's auditSkips entry, never securityContext.reasons."""
    assert not in_values(Security, _field(Security, "reasons"))
    assert in_values(Security, _field(Security, "run_as_user"))
    security = values_schema()["$defs"]["Security"]["properties"]
    assert "reasons" not in security
    assert "runAsUser" in security
