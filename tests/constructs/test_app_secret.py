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


@pytest.mark.parametrize(
    ("data", "said"),
    [
        ({"PORT": 5432}, "data.PORT: is a number, expected a string or a SecretValue (the value is not shown)"),
        ({"TOKEN": ["hunter2"]}, "data.TOKEN: is a list, expected a string or a SecretValue (the value is not shown)"),
        (["hunter2"], "data: is a list, expected a mapping of keys to strings (the value is not shown)"),
        ("hunter2", "data: is a string, expected a mapping of keys to strings (the value is not shown)"),
        ({"5": 5432}, "data.5: is a number, expected a string or a SecretValue (the value is not shown)"),
    ],
)
def test_a_value_of_the_wrong_type_is_refused_without_showing_it(chart: cdk8s.Chart, data: object, said: str) -> None:
    """A secret's value given as a number is still a secret: the error names the key, never the
    value (it used to pass the type check and end in an AttributeError)."""
    with pytest.raises(PropsError) as raised:
        AppSecret(chart, "creds", data=data)  # type: ignore[arg-type]
    assert str(raised.value) == f"AppSecret 'creds': {said}"
    assert [problem.value for problem in raised.value.problems] == [None]
    assert "5432" not in str(raised.value).replace("data.5:", "")
    assert "hunter2" not in str(raised.value)


def test_a_key_of_the_wrong_type_is_shown_keys_are_no_secret(chart: cdk8s.Chart) -> None:
    with pytest.raises(PropsError, match=r"^AppSecret 'creds': data\.5: 5 is a number, expected string \(quote it\)$"):
        AppSecret(chart, "creds", data={5: "hunter2"})  # type: ignore[dict-item]


def test_a_secret_value_is_a_string() -> None:
    with pytest.raises(TypeError, match=r"^SecretValue takes a string, not int$"):
        SecretValue(5432)  # type: ignore[arg-type]
