"""The pod features every workload kind has: volumes, extra containers, probes, scheduling."""

from __future__ import annotations

from typing import Any

import cdk8s
import cdk8s_plus_27 as kp
import pytest

from tests.helpers import container, one
from webapp_constructs._api_service import ApiService
from webapp_constructs._app_config import AppConfig
from webapp_constructs._pod_props import Container, Egress, Probe, Probes, Security, Toleration, TopologySpread, Volume
from webapp_constructs._pod_security import evaluate
from webapp_constructs._props import PropsError


def pod(chart: cdk8s.Chart) -> dict[str, Any]:
    spec: dict[str, Any] = one(cdk8s.Testing.synth(chart), "Deployment")["spec"]["template"]["spec"]
    return spec


def test_volumes_of_every_kind(chart: cdk8s.Chart) -> None:
    settings = AppConfig(chart, "settings", data={"app.toml": "x = 1"})
    claim = kp.PersistentVolumeClaim(chart, "data", storage=cdk8s.Size.gibibytes(1))
    ApiService(
        chart,
        "api",
        image="api:1",
        volumes=[
            Volume.config_map(settings, "/etc/shop"),
            Volume.secret("tls", "/etc/tls", keys=["tls.crt"]),
            Volume.pvc(claim, "/data"),
            Volume.empty_dir("/cache", size_limit="1Gi", memory=True),
        ],
    )
    spec = pod(chart)
    volumes = {v["name"]: v for v in spec["volumes"]}
    assert volumes["config-etc-shop"] == {"name": "config-etc-shop", "configMap": {"name": "settings"}}
    assert volumes["secret-etc-tls"]["secret"] == {
        "secretName": "tls",
        "defaultMode": 0o400,
        "items": [{"key": "tls.crt", "path": "tls.crt"}],
    }
    assert volumes["data-data"]["persistentVolumeClaim"] == {"claimName": claim.name, "readOnly": False}
    assert volumes["cache"]["emptyDir"] == {"medium": "Memory", "sizeLimit": "1Gi"}
    mounts = {m["mountPath"]: m for m in container({"spec": {"template": {"spec": spec}}})["volumeMounts"]}
    assert mounts["/etc/shop"].get("readOnly") is True
    assert "readOnly" not in mounts["/data"]
    assert evaluate(spec).level == "restricted"


def test_a_volume_never_hides_the_image(chart: cdk8s.Chart) -> None:
    with pytest.raises(PropsError, match="/etc would hide the image's own files"):
        Volume.config_map("settings", "/etc")
    with pytest.raises(TypeError, match="keys is a list of keys"):
        Volume.secret("tls", "/etc/tls", keys="tls.crt")


def test_init_containers_and_sidecars_hardened_alike(chart: cdk8s.Chart) -> None:
    ApiService(
        chart,
        "api",
        image="api:1",
        init_containers=[
            Container(name="wait-db", image="busybox:1.36", command=["sh", "-c", "until nc -z db 5432; do sleep 1; done"])
        ],
        sidecars=[Container(name="proxy", image="envoy:1.30", port=9901)],
    )
    spec = pod(chart)
    (init,) = spec["initContainers"]
    _, proxy = spec["containers"]
    for extra in (init, proxy):
        assert extra["securityContext"] == {
            "allowPrivilegeEscalation": False,
            "readOnlyRootFilesystem": True,
            "runAsNonRoot": True,
            "capabilities": {"drop": ["ALL"]},
        }
    assert proxy["livenessProbe"] == {"tcpSocket": {"port": 9901}}
    assert "livenessProbe" not in init
    names = [v["name"] for v in spec["volumes"]]
    assert names == ["tmp", "wait-db-tmp", "proxy-tmp"]
    assert evaluate(spec).level == "restricted"


def test_an_extra_container_relaxed_without_its_reason_is_refused() -> None:
    with pytest.raises(PropsError, match=r"security.run_as_non_root: .* give its reason in reasons\['run_as_non_root'\]"):
        Container(name="root", image="x:1", security=Security(run_as_non_root=False))


def test_startup_exec_and_grpc_probes(chart: cdk8s.Chart) -> None:
    ApiService(
        chart,
        "api",
        image="api:1",
        probes=Probes(
            liveness=Probe(grpc_port=9090),
            readiness=Probe(path="/ready", port=8081),
            startup=Probe(exec_command=["cat", "/tmp/started"], failure_threshold=30),
        ),
    )
    main = container(one(cdk8s.Testing.synth(chart), "Deployment"))
    assert main["livenessProbe"] == {"grpc": {"port": 9090}}
    assert main["readinessProbe"] == {"httpGet": {"path": "/ready", "port": 8081}}
    assert main["startupProbe"] == {"exec": {"command": ["cat", "/tmp/started"]}, "failureThreshold": 30}
    with pytest.raises(PropsError, match="a probe checks one way"):
        Probe(path="/x", grpc_port=1)


def test_scheduling_pull_secrets_annotations_token_and_pre_stop(chart: cdk8s.Chart) -> None:
    ApiService(
        chart,
        "api",
        image="api:1",
        node_selector={"pool": "general"},
        tolerations=[Toleration(key="dedicated", value="shop", effect="NoSchedule")],
        affinity={"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [{}]}}},
        topology_spread=[TopologySpread()],
        priority_class_name="high",
        image_pull_secrets=["regcred"],
        pod_annotations={"prometheus.io/scrape": "true"},
        pod_labels={"team": "shop"},
        automount_service_account_token=True,
        pre_stop=["sleep", "5"],
    )
    manifests = cdk8s.Testing.synth(chart)
    template = one(manifests, "Deployment")["spec"]["template"]
    spec = template["spec"]
    assert spec["nodeSelector"] == {"pool": "general"}
    assert spec["tolerations"] == [{"operator": "Equal", "key": "dedicated", "value": "shop", "effect": "NoSchedule"}]
    assert spec["topologySpreadConstraints"] == [
        {
            "maxSkew": 1,
            "topologyKey": "topology.kubernetes.io/zone",
            "whenUnsatisfiable": "ScheduleAnyway",
            "labelSelector": {"matchLabels": {"app.kubernetes.io/instance": "test", "app.kubernetes.io/name": "api"}},
        }
    ]
    assert (spec["priorityClassName"], spec["imagePullSecrets"]) == ("high", [{"name": "regcred"}])
    assert spec["automountServiceAccountToken"] is True
    assert one(manifests, "ServiceAccount")["automountServiceAccountToken"] is True
    assert template["metadata"]["annotations"] == {"prometheus.io/scrape": "true"}
    assert template["metadata"]["labels"]["team"] == "shop"
    assert "team" not in one(manifests, "Service")["metadata"]["labels"]
    assert spec["containers"][0]["lifecycle"] == {"preStop": {"exec": {"command": ["sleep", "5"]}}}
    with pytest.raises(PropsError, match=r"affinity\.nodes: Affinity has no field 'nodes'"):
        ApiService(chart, "other", image="api:1", affinity={"nodes": {}})


def test_an_extra_container_named_like_the_main_one_is_refused(chart: cdk8s.Chart) -> None:
    # Issue 28, item 15: the API server refuses two containers of one name in a pod.
    with pytest.raises(PropsError) as raised:
        ApiService(chart, "api", image="api:1", sidecars=[Container(name="api", image="proxy:1")])
    (line,) = str(raised.value).splitlines()
    assert line.startswith("ApiService 'api': sidecars[0].name: api is the main container's name")
    assert "name this one otherwise" in line
    with pytest.raises(PropsError, match=r"init_containers\[0\].name: shop is the main container's name"):
        ApiService(chart, "api", image="api:1", component="shop", init_containers=[Container(name="shop", image="m:1")])
    ApiService(chart, "ok", image="api:1", sidecars=[Container(name="ok-proxy", image="proxy:1")])
    main, sidecar = one(cdk8s.Testing.synth(chart), "Deployment")["spec"]["template"]["spec"]["containers"]
    assert (main["name"], sidecar["name"]) == ("ok", "ok-proxy")


def test_a_construct_id_that_names_no_container_leaves_the_name_to_the_workload(chart: cdk8s.Chart) -> None:
    """``ApiService(chart, "Api", name="api")``: the main container is named ``api`` (a container
    name is a DNS-1123 label, which "Api" is not), and a sidecar of that name is refused."""
    ApiService(chart, "Api", image="api:1", name="api")
    assert container(one(cdk8s.Testing.synth(chart), "Deployment"))["name"] == "api"
    with pytest.raises(PropsError, match=r"sidecars\[0\].name: api is the main container's name"):
        ApiService(chart, "Api2", image="api:1", name="api2", component="api", sidecars=[Container(name="api", image="p:1")])


def test_a_volume_mounted_over_a_writable_path_is_refused(chart: cdk8s.Chart) -> None:
    # Issue 28, item 15: /tmp is already a writable emptyDir; two mounts at one path are refused.
    with pytest.raises(PropsError) as raised:
        ApiService(chart, "api", image="api:1", volumes=[Volume.empty_dir("/tmp")])
    (line,) = str(raised.value).splitlines()
    assert line.startswith("ApiService 'api': volumes[0]: /tmp is already a writable emptyDir of the main container")
    assert "mount this volume elsewhere, or leave /tmp out of writable_paths" in line
    with pytest.raises(PropsError, match=r"volumes\[0\]: /tmp/ is already a writable emptyDir"):
        ApiService(chart, "api", image="api:1", volumes=[Volume.secret("creds", "/tmp/")])
    with pytest.raises(PropsError, match=r"writable_paths\[1\]: /tmp is listed twice"):
        ApiService(chart, "api", image="api:1", writable_paths=["/tmp", "/tmp"])
    with pytest.raises(PropsError, match=r"sidecars\[0\].volumes\[0\]: /tmp is already a writable emptyDir of container proxy"):
        ApiService(
            chart, "api", image="api:1", sidecars=[Container(name="proxy", image="p:1", volumes=[Volume.empty_dir("/tmp")])]
        )
    # the accepted cases next to them: elsewhere, or /tmp no longer a writable path
    ApiService(chart, "a", image="api:1", volumes=[Volume.empty_dir("/tmp/scratch")])
    ApiService(chart, "b", image="api:1", writable_paths=[], volumes=[Volume.empty_dir("/tmp", memory=True)])
    manifests = cdk8s.Testing.synth(chart)
    for name in ("a", "b"):
        mounts = [m["mountPath"] for m in container(one(manifests, "Deployment", name))["volumeMounts"]]
        assert len(mounts) == len(set(mounts)), mounts


def test_two_different_volumes_of_one_name_are_refused(chart: cdk8s.Chart) -> None:
    shared = Volume.empty_dir("/cache")
    with pytest.raises(PropsError, match=r"two different volumes of the pod are named data; give one another volume_name"):
        ApiService(
            chart,
            "api",
            image="api:1",
            volumes=[Volume(kind="secret", source="creds", mount_path="/creds", volume_name="data")],
            sidecars=[
                Container(
                    name="p", image="p:1", volumes=[Volume(kind="configMap", source="cfg", mount_path="/c", volume_name="data")]
                )
            ],
        )
    ApiService(chart, "ok", image="api:1", volumes=[shared], sidecars=[Container(name="p", image="p:1", volumes=[shared])])
    volumes = one(cdk8s.Testing.synth(chart), "Deployment")["spec"]["template"]["spec"]["volumes"]
    assert [v["name"] for v in volumes].count("cache") == 1  # one volume the two containers share


@pytest.mark.parametrize("key", ["../../etc", "..data", "a/b", "/etc/passwd", ".", ""])
def test_a_volume_key_that_is_no_file_name_in_the_volume_is_refused(key: str) -> None:
    # Issue 28, item 15: an item's path must stay inside the volume (no '..', not absolute).
    with pytest.raises(PropsError, match=r"^Volume: keys\[0\]: .*not a valid ConfigMap or Secret key"):
        Volume.secret("creds", "/etc/creds", keys=[key])
    with pytest.raises(PropsError, match=r"^Volume: keys\[0\]: "):
        Volume.config_map("settings", "/etc/settings", keys=[key])


def test_a_volume_key_that_is_a_file_name_is_accepted(chart: cdk8s.Chart) -> None:
    volume = Volume.secret("creds", "/etc/creds", keys=["tls.crt", ".hidden", "a..b"])
    ApiService(chart, "api", image="api:1", volumes=[volume])
    spec = one(cdk8s.Testing.synth(chart), "Deployment")["spec"]["template"]["spec"]
    items = next(v for v in spec["volumes"] if "secret" in v)["secret"]["items"]
    assert [item["path"] for item in items] == ["tls.crt", ".hidden", "a..b"]
    with pytest.raises(PropsError, match="keys: is empty"):
        Volume.secret("creds", "/etc/creds", keys=[])


def test_a_dict_where_props_are_expected_says_which_props_to_write(chart: cdk8s.Chart) -> None:
    # Issue 28, item 19: not "{'key': ..., 'value': 'batch',  is a mapping, expected mapping".
    given: Any = [{"key": "dedicated", "value": "batch", "effect": "NoSchedule"}]
    with pytest.raises(PropsError) as raised:
        ApiService(chart, "api", image="api:1", tolerations=given)
    (line,) = str(raised.value).splitlines()
    assert line == (
        "ApiService 'api': tolerations[0]: a dict is given, expected a Toleration: "
        "write Toleration(key='dedicated', value='batch', effect='NoSchedule')"
    )
    with pytest.raises(PropsError, match=r"egress: a dict is given, expected an Egress: write Egress\(external_ports=\[443\]\)"):
        ApiService(chart, "api", image="api:1", egress={"external_ports": [443]})  # type: ignore[arg-type]
    long: Any = {f"key{i}": "x" * 10 for i in range(10)}
    with pytest.raises(PropsError, match=r"write Security\(key0='xxxxxxxxxx', .*\.\.\.\)$"):
        ApiService(chart, "api", image="api:1", security=long)
    with pytest.raises(PropsError, match=r"^ApiService 'api': tolerations: 'dedicated' is a string, expected list$"):
        ApiService(chart, "api", image="api:1", tolerations="dedicated")  # type: ignore[arg-type]
    ApiService(chart, "api", image="api:1", tolerations=[Toleration(key="dedicated", value="batch", effect="NoSchedule")])


def test_an_unknown_keyword_suggests_the_nearest_name(chart: cdk8s.Chart) -> None:
    # Issue 28, item 19: as mypy says it.
    with pytest.raises(PropsError, match=r"^ApiService 'api': replica: unknown prop for ApiService; did you mean 'replicas'\?$"):
        ApiService(chart, "api", image="api:1", replica=2)  # type: ignore[call-arg]
    with pytest.raises(TypeError, match=r"unexpected keyword argument 'mount_pth'; did you mean 'mount_path'\?$"):
        Volume(kind="secret", source="creds", mount_pth="/etc/creds")  # type: ignore[call-arg]
    with pytest.raises(TypeError, match=r"unexpected keyword argument 'external_port'; did you mean 'external_ports'\?$"):
        Egress(external_port=[5432])  # type: ignore[call-arg]
    with pytest.raises(PropsError, match=r"^ApiService 'api': flavour: unknown prop for ApiService$"):  # nothing near
        ApiService(chart, "api", image="api:1", flavour="x")  # type: ignore[call-arg]
    ApiService(chart, "api", image="api:1", replicas=2)


def test_tolerations_and_spreads_are_checked_as_the_api_server_checks_them(chart: cdk8s.Chart) -> None:
    # Issue 28, item 15: validateTolerations and validateTopologySpreadConstraints (1.27).
    with pytest.raises(PropsError, match=r"^Toleration: key: .*'bad key'"):
        Toleration(key="bad key", value="x")
    with pytest.raises(PropsError, match=r"^Toleration: value: 'a b' is not a valid label value"):
        Toleration(key="dedicated", value="a b")
    with pytest.raises(PropsError, match=r"^Toleration: toleration_seconds: 60 is for a NoExecute toleration, not NoSchedule"):
        Toleration(key="dedicated", value="x", effect="NoSchedule", toleration_seconds=60)
    with pytest.raises(PropsError, match=r"^TopologySpread: topology_key: '' is not a valid qualified name"):
        TopologySpread(topology_key="")
    twice = [TopologySpread(), TopologySpread(max_skew=2)]
    with pytest.raises(PropsError, match=r"topology_spread\[1\]: a second constraint on topology.kubernetes.io/zone"):
        ApiService(chart, "api", image="api:1", topology_spread=twice)
    # the accepted cases next to them
    ApiService(
        chart,
        "api",
        image="api:1",
        tolerations=[
            Toleration(key="example.com/dedicated", value="a-b", effect="NoExecute", toleration_seconds=60),
            Toleration(operator="Exists"),
        ],
        topology_spread=[TopologySpread(), TopologySpread(when_unsatisfiable="DoNotSchedule")],
    )
    from tests.crd_schemas import validate_kubernetes

    validate_kubernetes(one(cdk8s.Testing.synth(chart), "Deployment"))
