"""AppSecret: base64 data, values that never show, Kubernetes' size limit."""

from __future__ import annotations

import base64

import cdk8s
import pytest

from tests.helpers import one
from webapp_constructs._app_secret import AppSecret, SecretValue
from webapp_constructs._props import PropsError


def test_renders_base64_data_that_decodes_to_the_values(chart: cdk8s.Chart) -> None:
    AppSecret(chart, "secrets", name="s", data={"K": SecretValue("välue with spaces"), "L": "plain"})
    secret = one(cdk8s.Testing.synth(chart), "Secret", "s")
    assert secret["type"] == "Opaque"
    assert "stringData" not in secret
    assert base64.b64decode(secret["data"]["K"]).decode() == "välue with spaces"
    assert base64.b64decode(secret["data"]["L"]).decode() == "plain"
    assert secret["metadata"]["namespace"] == "test"


def test_values_never_show() -> None:
    value = SecretValue("hunter2")
    assert "hunter2" not in repr(value) + str(value) + repr({"k": value})
    assert value.reveal() == "hunter2"


def test_over_one_mebibyte_is_refused_by_name_never_by_value_or_size(chart: cdk8s.Chart) -> None:
    with pytest.raises(PropsError) as error:
        AppSecret(chart, "big", name="big", data={"A": SecretValue("s3cr3t" + "x" * 1048571)})
    message = str(error.value)
    expected = "AppSecret 'big': data: the Secret 'big' "
    assert (
        message
        == expected
        + "holds more data than Kubernetes allows, 1048576 bytes (1 MiB) decoded (neither its values nor its size are shown)"
    )
    assert "s3cr3t" not in message
    AppSecret(chart, "fits", data={"A": "x" * 1048576})
