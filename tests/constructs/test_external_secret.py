"""ExternalSecret: the External Secrets Operator's object, valid against its CRD's schema, each key
a property of the remote key; props checked at construction, at their boundaries."""

from __future__ import annotations

import cdk8s
import pytest

from tests.crd_schemas import validate_custom
from tests.helpers import one
from webapp_constructs._external_secret import ExternalSecret
from webapp_constructs._prop_rules import REMOTE_KEY_LENGTH
from webapp_constructs._props import PropsError

DEFAULTS = {"conversionStrategy": "Default", "decodingStrategy": "None", "metadataPolicy": "None", "nullBytePolicy": "Ignore"}
"""What the CRD defaults in each remoteRef, written out (the object is what the API server stores)."""


def test_renders_an_external_secret_whose_target_is_the_secret(chart: cdk8s.Chart) -> None:
    made = ExternalSecret(
        chart, "todo", store="vault", remote_key="prod/todo", keys=["DATABASE_URL", "API_KEY"], properties={"API_KEY": "api-key"}
    )
    found = one(cdk8s.Testing.synth(chart), "ExternalSecret", "todo")
    validate_custom(found)
    assert found["apiVersion"] == "external-secrets.io/v1"
    assert found["metadata"]["namespace"] == "test"
    assert found["spec"] == {
        "data": [
            {"remoteRef": {"key": "prod/todo", "property": "DATABASE_URL", **DEFAULTS}, "secretKey": "DATABASE_URL"},
            {"remoteRef": {"key": "prod/todo", "property": "api-key", **DEFAULTS}, "secretKey": "API_KEY"},
        ],
        "refreshInterval": "1h",
        "secretStoreRef": {"kind": "ClusterSecretStore", "name": "vault"},
        "target": {"creationPolicy": "Owner", "deletionPolicy": "Retain", "name": "todo"},
    }
    assert made.keys == ("DATABASE_URL", "API_KEY")
    assert made.external_secret.name == "todo"


def test_a_namespaced_store_and_another_interval(chart: cdk8s.Chart) -> None:
    ExternalSecret(
        chart, "x", name="db", store="team.store", store_kind="SecretStore", remote_key="k", keys=["A"], refresh_interval="0s"
    )
    found = one(cdk8s.Testing.synth(chart), "ExternalSecret", "db")
    validate_custom(found)
    assert found["spec"]["secretStoreRef"] == {"kind": "SecretStore", "name": "team.store"}
    assert found["spec"]["refreshInterval"] == "0s"
    assert found["spec"]["target"]["name"] == "db"


@pytest.mark.parametrize("interval", ["1h", "15m", "1m30s", "1m", "60s", "59s1000ms", "0.5m30s", "1.5h", "0s", "0m0s"])
def test_intervals_accepted(chart: cdk8s.Chart, interval: str) -> None:
    ExternalSecret(chart, "x", store="s", remote_key="k", keys=["A"], refresh_interval=interval)


@pytest.mark.parametrize("interval", ["", "1", "1d", "h", "1 h", "-1h", "1H"])
def test_intervals_refused(chart: cdk8s.Chart, interval: str) -> None:
    with pytest.raises(PropsError, match=r"refresh_interval: .* is not a duration: a number and a unit \(ms, s, m, h\)"):
        ExternalSecret(chart, "x", store="s", remote_key="k", keys=["A"], refresh_interval=interval)


@pytest.mark.parametrize("interval", ["59s", "59.999s", "0.5m", "500ms", "1ms", "59s999ms"])
def test_an_interval_below_a_minute_is_refused_but_zero(chart: cdk8s.Chart, interval: str) -> None:
    """Each refresh reads the secret store: at least 1m (the accepted boundary above), or 0s (fetch once)."""
    with pytest.raises(PropsError, match=rf"refresh_interval: '{interval}' is shorter than 1m: .* give 1m or more .*, or 0s"):
        ExternalSecret(chart, "x", store="s", remote_key="k", keys=["A"], refresh_interval=interval)


def test_every_problem_at_once(chart: cdk8s.Chart) -> None:
    with pytest.raises(PropsError) as error:
        ExternalSecret(
            chart,
            "x",
            store="Vault_1",
            store_kind="Store",  # type: ignore[arg-type]
            remote_key=" ",
            keys=["A", "A", "1BAD=", ""],
            properties={"B": "b"},
        )
    lines = str(error.value).splitlines()
    assert lines[0].startswith("ExternalSecret 'x': store: 'Vault_1' is not a DNS-1123 subdomain")
    assert "ExternalSecret 'x': store_kind: 'Store': expected 'SecretStore' or 'ClusterSecretStore'" in lines
    assert "ExternalSecret 'x': remote_key: is empty; name the entry of the secret store, such as prod/shop" in lines
    assert "ExternalSecret 'x': keys: A is listed twice" in lines
    assert any(line.startswith("ExternalSecret 'x': keys[2]: ") for line in lines)
    assert any(line.startswith("ExternalSecret 'x': keys[3]: ") for line in lines)


def test_a_property_for_a_key_it_does_not_have(chart: cdk8s.Chart) -> None:
    with pytest.raises(PropsError, match=r"^ExternalSecret 'x': properties\.B: B is not one of the keys \(A\)$"):
        ExternalSecret(chart, "x", store="s", remote_key="k", keys=["A"], properties={"B": "b"})


def test_remote_key_length_boundary(chart: cdk8s.Chart) -> None:
    ExternalSecret(chart, "fits", store="s", remote_key="k" * REMOTE_KEY_LENGTH, keys=["A"])
    with pytest.raises(PropsError, match=rf"remote_key: is {REMOTE_KEY_LENGTH + 1} characters long; at most {REMOTE_KEY_LENGTH}"):
        ExternalSecret(chart, "over", store="s", remote_key="k" * (REMOTE_KEY_LENGTH + 1), keys=["A"])
    with pytest.raises(PropsError, match=r"remote_key: 'a\\nb': no blanks around it, no control characters"):
        ExternalSecret(chart, "ctl", store="s", remote_key="a\nb", keys=["A"])


def test_at_least_one_key(chart: cdk8s.Chart) -> None:
    with pytest.raises(PropsError, match=r"keys: is empty; it needs at least one entry"):
        ExternalSecret(chart, "x", store="s", remote_key="k", keys=[])
