"""Where a workload reads a ConfigMap, a Secret or a claim from (issue 28, items 18 and 19): ours,
cdk8s-plus's (imported ones included) or a name; the wrong kind refused with the way out; a key the
object is known not to have refused with the nearest it has; the same for every entry point.

The lines marked ``# type: ignore[arg-type]`` are mistakes mypy must catch: ``make test`` runs
``mypy --strict``, whose ``warn_unused_ignores`` fails if one of them stops being a type error
(an argument typed ``Any`` again). Each is refused at run time too."""

from __future__ import annotations

from typing import Any

import cdk8s
import cdk8s_plus_27 as kp
import pytest

from tests.crd_schemas import validate_kubernetes
from tests.helpers import container, one
from webapp_constructs._api_service import ApiService
from webapp_constructs._app_config import AppConfig
from webapp_constructs._app_ingress import AppIngress
from webapp_constructs._app_secret import AppSecret
from webapp_constructs._harden import harden
from webapp_constructs._pod_props import Volume
from webapp_constructs._props import PropsError
from webapp_constructs._web_service import WebService


@pytest.fixture
def chart() -> cdk8s.Chart:
    return cdk8s.Chart(cdk8s.Testing.app(), "shop", namespace="shop")


def _one_line(raised: pytest.ExceptionInfo[BaseException]) -> str:
    (line,) = str(raised.value).splitlines()
    return line


# --- the wrong kind ---------------------------------------------------------------------------


def test_a_secret_mounted_as_a_config_map_is_refused_with_the_way_out(chart: cdk8s.Chart) -> None:
    creds = AppSecret(chart, "creds", data={"DATABASE_URL": "x"})
    plus = kp.Secret(chart, "plus", string_data={"DATABASE_URL": "x"})
    imported = kp.Secret.from_secret_name(chart, "imported", "made-by-hand")
    cases: list[tuple[AppSecret | kp.ISecret, str]] = [
        (creds, "AppSecret creds"),
        (plus, f"the cdk8s-plus Secret {plus.name}"),
        (imported, "the imported Secret made-by-hand"),
    ]
    for secret, shown in cases:
        with pytest.raises(PropsError) as raised:
            Volume.config_map(secret, "/etc/shop")  # type: ignore[arg-type]
        line = _one_line(raised)
        assert line.startswith(f"Volume: source: {shown}"), line
        assert "is a Secret, not a ConfigMap; mount a Secret with Volume.secret(...)" in line
        # the accepted case next to it
        assert Volume.secret(secret, "/etc/shop").pod_volume()["secret"]["secretName"] == secret.name


def test_a_config_map_mounted_as_a_secret_or_a_claim_is_refused(chart: cdk8s.Chart) -> None:
    settings = AppConfig(chart, "settings", data={"LOG_LEVEL": "info"})
    plus = kp.ConfigMap(chart, "plus", data={"LOG_LEVEL": "info"})
    for config in (settings, plus):
        with pytest.raises(PropsError, match=r"^Volume: source: .* is a ConfigMap, not a Secret; mount a ConfigMap with Volume"):
            Volume.secret(config, "/etc/shop")  # type: ignore[arg-type]
        assert Volume.config_map(config, "/etc/shop").pod_volume()["configMap"]["name"] == config.name
    with pytest.raises(PropsError, match=r"^Volume: claim: .* is a ConfigMap, not a PersistentVolumeClaim; mount a ConfigMap"):
        Volume.pvc(plus, "/data")
    claim = kp.PersistentVolumeClaim(chart, "claim")
    assert Volume.pvc(claim, "/data").pod_volume()["persistentVolumeClaim"]["claimName"] == claim.name


def test_what_is_no_config_map_secret_or_name_is_a_type_error(chart: cdk8s.Chart) -> None:
    api = ApiService(chart, "api", image="api:1")
    with pytest.raises(TypeError, match=r"^Volume: source is an AppSecret, a cdk8s-plus Secret or the name of one, not int$"):
        Volume.secret(42, "/etc/shop")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"config_map is an AppConfig, a cdk8s-plus ConfigMap or the name of one, not dict"):
        api.env_from_config_map({"LOG_LEVEL": "info"})  # type: ignore[arg-type]
    with pytest.raises(
        TypeError, match=r"^Volume: claim is a cdk8s-plus PersistentVolumeClaim or the name of one, not ApiService$"
    ):
        Volume.pvc(api, "/data")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"keys is a list of keys, such as \['A'\], not a str"):
        Volume.config_map("settings", "/etc/shop", keys="A")


def test_env_from_the_wrong_kind_is_refused_with_the_way_out(chart: cdk8s.Chart) -> None:
    api = ApiService(chart, "api", image="api:1")
    plus = kp.Secret(chart, "plus", string_data={"DATABASE_URL": "x"})
    with pytest.raises(PropsError) as raised:
        api.env_from_config_map(plus, ["DATABASE_URL"])
    line = _one_line(raised)
    assert line.startswith(f"ApiService 'api': config_map: the cdk8s-plus Secret {plus.name} is a Secret, not a ConfigMap")
    assert line.endswith("read a Secret with env_from_secret(...)")
    with pytest.raises(PropsError, match=r"secret: AppConfig settings is a ConfigMap, not a Secret; read a ConfigMap with"):
        api.env_from_secret(AppConfig(chart, "settings", data={"A": "1"}))  # type: ignore[arg-type]
    api.env_from_secret(plus, ["DATABASE_URL"])


# --- keys ---------------------------------------------------------------------------------------


def test_a_misspelt_key_of_a_kp_secret_is_refused_as_on_an_app_secret(chart: cdk8s.Chart) -> None:
    ours = AppSecret(chart, "ours", data={"DATABASE_URL": "s3cr3t-value", "API_TOKEN": "y"})
    plus = kp.Secret(chart, "plus", string_data={"DATABASE_URL": "s3cr3t-value", "API_TOKEN": "y"})
    secrets: list[AppSecret | kp.Secret] = [ours, plus]
    for index, secret in enumerate(secrets):
        api = ApiService(chart, f"api{index}", image="api:1")
        with pytest.raises(PropsError) as raised:
            api.env_from_secret(secret, ["DATABSE_URL"])
        line = _one_line(raised)
        assert line.startswith(f"ApiService 'api{index}': keys[0]: Secret {secret.name} has no key 'DATABSE_URL'")
        assert "did you mean 'DATABASE_URL'?" in line
        assert "s3cr3t" not in line  # keys, never a value
        with pytest.raises(PropsError, match=r"keys\[0\]: Secret .* has no key 'DATABSE_URL'; did you mean 'DATABASE_URL'\?"):
            Volume.secret(secret, "/etc/creds", keys=["DATABSE_URL"])
        api.env_from_secret(secret, ["DATABASE_URL"])  # the accepted case next to it
        assert Volume.secret(secret, "/etc/creds", keys=["API_TOKEN"]).keys == ["API_TOKEN"]


def test_a_misspelt_key_of_a_kp_config_map_is_refused_data_and_binary_data(chart: cdk8s.Chart) -> None:
    plus = kp.ConfigMap(chart, "plus", data={"LOG_LEVEL": "info"}, binary_data={"logo.png": "aGk="})
    with pytest.raises(PropsError, match=r"keys\[1\]: ConfigMap .* has no key 'logo.jpg'; did you mean 'logo.png'\?"):
        Volume.config_map(plus, "/etc/shop", keys=["LOG_LEVEL", "logo.jpg"])
    assert Volume.config_map(plus, "/etc/shop", keys=["LOG_LEVEL", "logo.png"]).keys == ["LOG_LEVEL", "logo.png"]


def test_a_secret_whose_keys_are_unknown_takes_any_key(chart: cdk8s.Chart) -> None:
    """An imported Secret, or a kp.Secret without data (filled by the cluster, or by hand)."""
    api = ApiService(chart, "api", image="api:1")
    api.env_from_secret(kp.Secret.from_secret_name(chart, "imported", "made-by-hand"), ["A"])
    empty = kp.Secret(chart, "empty")
    api.env_from_secret(empty, ["B"])
    api.env_from_secret("by-name", ["C"])
    env = container(one(cdk8s.Testing.synth(chart), "Deployment"))["env"]
    assert [e["valueFrom"]["secretKeyRef"]["name"] for e in env] == ["made-by-hand", empty.name, "by-name"]


# --- a Secret where its name is taken ----------------------------------------------------------


def test_tls_secret_takes_a_secret(chart: cdk8s.Chart) -> None:
    web = WebService(chart, "web", image="web:1")
    tls = kp.TlsSecret(chart, "tls", tls_cert="cert", tls_key="key")
    ours = AppSecret(chart, "ours", data={"tls.crt": "cert", "tls.key": "key"})
    imported = kp.Secret.from_secret_name(chart, "imported", "by-cert-manager")
    given: list[AppSecret | kp.ISecret | str] = [tls, ours, imported, "by-name"]
    for index, secret in enumerate(given):
        AppIngress(chart, f"ingress{index}", host=f"h{index}.example.com", routes={"/": web}, tls_secret=secret)
    manifests = cdk8s.Testing.synth(chart)
    names = [one(manifests, "Ingress", f"ingress{i}")["spec"]["tls"][0]["secretName"] for i in range(4)]
    assert names == [tls.name, "ours", "by-cert-manager", "by-name"]
    with pytest.raises(PropsError) as raised:
        AppIngress(chart, "bad", host="bad.example.com", routes={"/": web}, tls_secret=AppSecret(chart, "x", data={"crt": "c"}))
    assert str(raised.value).splitlines()[0].startswith("AppIngress 'bad': tls_secret[0]: Secret x has no key 'tls.crt'")
    with pytest.raises(PropsError, match=r"tls_secret: AppConfig c is a ConfigMap, not a Secret"):
        AppIngress(chart, "bad2", host="b.example.com", routes={"/": web}, tls_secret=AppConfig(chart, "c", data={"A": "1"}))  # type: ignore[arg-type]


def test_image_pull_secrets_take_secrets(chart: cdk8s.Chart) -> None:
    registry = kp.Secret.from_secret_name(chart, "registry", "regcred")
    ours = AppSecret(chart, "ours", data={".dockerconfigjson": "{}"})
    ApiService(chart, "api", image="api:1", image_pull_secrets=[registry, ours, "by-name"])
    spec = one(cdk8s.Testing.synth(chart), "Deployment")["spec"]["template"]["spec"]
    assert spec["imagePullSecrets"] == [{"name": "regcred"}, {"name": "ours"}, {"name": "by-name"}]
    with pytest.raises(PropsError) as raised:
        ApiService(chart, "bad", image="api:1", image_pull_secrets=[kp.ConfigMap(chart, "cm")])
    line = _one_line(raised)
    assert line.startswith("ApiService 'bad': image_pull_secrets[0]: the cdk8s-plus ConfigMap ")
    assert "is a ConfigMap, not a Secret" in line
    with pytest.raises(PropsError, match=r"image_pull_secrets\[0\]: 'Reg Cred' is not a DNS-1123 subdomain"):
        ApiService(chart, "bad2", image="api:1", image_pull_secrets=["Reg Cred"])
    with pytest.raises(PropsError, match=r"image_pull_secrets\[0\]: a int is no Secret"):
        ApiService(chart, "bad3", image="api:1", image_pull_secrets=[42])  # type: ignore[list-item]


# --- harden -------------------------------------------------------------------------------------


def test_harden_twice_is_harden_once_and_hardens_what_came_since(chart: cdk8s.Chart) -> None:
    redis = kp.Deployment(chart, "redis", containers=[kp.ContainerProps(image="redis:7", port_number=6379)])
    harden(redis, writable_paths=["/data"])
    harden(redis, writable_paths=["/data"])  # idempotent
    redis.add_container(image="exporter:1", name="exporter")
    harden(redis, writable_paths=["/data", "/tmp"])  # the new container, and the new path
    deployment = one(cdk8s.Testing.synth(chart), "Deployment")
    validate_kubernetes(deployment)
    spec = deployment["spec"]["template"]["spec"]
    assert sorted(v["name"] for v in spec["volumes"]) == ["data", "tmp"]
    for each in spec["containers"]:
        assert sorted(m["mountPath"] for m in each["volumeMounts"]) == ["/data", "/tmp"], each["name"]
        assert each["securityContext"]["capabilities"] == {"drop": ["ALL"]}
    with pytest.raises(TypeError, match="harden takes a cdk8s-plus workload"):
        harden(ApiService(chart, "api", image="api:1"))  # type: ignore[arg-type]


def test_types_of_the_entry_points_are_what_they_take() -> None:
    """The annotations name what is taken (no ``Any``): what mypy reads."""
    import inspect

    from webapp_constructs._workload import Workload

    for function in (
        Workload.env_from_secret,
        Workload.env_from_config_map,
        Volume.secret,
        Volume.config_map,
        Volume.pvc,
        harden,
    ):
        annotations: dict[str, Any] = inspect.get_annotations(function)
        assert "Any" not in " ".join(str(value) for value in annotations.values()), function.__qualname__
