"""The pod features every workload kind has: volumes, extra containers, probes, scheduling."""

from __future__ import annotations

from typing import Any

import cdk8s
import cdk8s_plus_27 as kp
import pytest

from constructs.api_service import ApiService
from constructs.app_config import AppConfig
from constructs.pod_props import Container, Probe, Probes, Security, Toleration, TopologySpread, Volume
from constructs.pod_security import evaluate
from constructs.props import PropsError
from tests.helpers import container, one


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
        affinity={"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": []}}},
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
    with pytest.raises(PropsError, match="an Affinity has nodeAffinity"):
        ApiService(chart, "other", image="api:1", affinity={"nodes": {}})
