"""The kinds and pod features of a values file (issue 21): `kind: worker`, `cronjob`, `migration`
with `before`, volumes, envFrom, init containers and sidecars, scheduling, pull secrets,
annotations and extraObjects; each rendered by its construct, each mistake at its file:line in
the values file's words."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

import pytest
import yaml

from tests.helpers import by_kind, container, one
from tests.restricted import restricted_violations
from values_app.loader import ValuesError, parse_values
from values_app.model import AppValues
from values_app.release import APP_FILE, build_release
from values_app.synth import render_files

Make = Callable[[dict[str, Any]], AppValues]
IMAGE = {"repository": "demo-api", "tag": "1.0.0"}


def rendered(values: AppValues) -> list[dict[str, Any]]:
    return render_files(build_release(values, environ={}))[APP_FILE]


def errors(data: dict[str, Any]) -> list[str]:
    with pytest.raises(ValuesError) as error:
        parse_values(yaml.safe_dump(data, sort_keys=False), source="v.yaml")
    return error.value.lines


def line_of(data: dict[str, Any], needle: str) -> int:
    text = yaml.safe_dump(data, sort_keys=False)
    return max(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


def test_a_worker_is_a_deployment_without_a_service_that_admits_nobody(values_data: dict[str, Any], make_values: Make) -> None:
    values_data["services"]["mailer"] = {"kind": "worker", "image": IMAGE, "command": ["python", "-m", "mailer"]}
    objects = rendered(make_values(values_data))
    assert container(one(objects, "Deployment", "demo-mailer"))["command"] == ["python", "-m", "mailer"]
    assert "ports" not in container(one(objects, "Deployment", "demo-mailer"))
    assert not [s for s in by_kind(objects, "Service") if s["metadata"]["name"] == "demo-mailer"]
    mailer = one(objects, "NetworkPolicy", "demo-mailer")["spec"]
    assert "ingress" not in mailer
    assert "Ingress" in mailer["policyTypes"]


def test_a_cronjob_runs_on_its_schedule_one_at_a_time(values_data: dict[str, Any], make_values: Make) -> None:
    values_data["services"]["nightly"] = {"kind": "cronjob", "image": IMAGE, "schedule": "0 3 * * *", "timeZone": "Europe/Paris"}
    cron = one(rendered(make_values(values_data)), "CronJob", "demo-nightly")
    assert cron["spec"]["schedule"] == "0 3 * * *"
    assert cron["spec"]["timeZone"] == "Europe/Paris"
    assert cron["spec"]["concurrencyPolicy"] == "Forbid"
    assert restricted_violations(cron["spec"]["jobTemplate"]["spec"]["template"]["spec"]) == []


def test_a_migration_runs_before_the_services_it_names(values_data: dict[str, Any], make_values: Make) -> None:
    values_data["services"]["migrate"] = {
        "kind": "migration",
        "image": IMAGE,
        "command": ["alembic", "upgrade", "head"],
        "before": ["api", "mcp"],
        "env": {"secrets": ["DATABASE_URL"]},
    }
    objects = rendered(make_values(values_data))
    job = one(objects, "Job")
    assert job["metadata"]["name"].startswith("demo-migrate-")
    annotations = job["metadata"]["annotations"]
    assert not any(key.endswith("/hook") for key in annotations)  # a hook would run before what it reads
    assert annotations["argocd.argoproj.io/sync-wave"] == "1"
    assert sorted(annotations["webapp-constructs.io/migration-before"].split(",")) == ["demo-api", "demo-mcp"]
    assert container(job)["env"][0]["valueFrom"]["secretKeyRef"]["key"] == "DATABASE_URL"


def test_pod_features_reach_the_pod(values_data: dict[str, Any], make_values: Make) -> None:
    values_data["services"]["api"].update(
        {
            "annotations": {"team": "core"},
            "podAnnotations": {"prometheus.io/scrape": "true"},
            "imagePullSecrets": ["regcred"],
            "nodeSelector": {"pool": "general"},
            "tolerations": [{"key": "dedicated", "operator": "Equal", "value": "api", "effect": "NoSchedule"}],
            "affinity": {"podAntiAffinity": {"preferredDuringSchedulingIgnoredDuringExecution": []}},
            "topologySpread": [{}],
            "priorityClassName": "high",
            "envFrom": [{"configMap": "demo-config", "prefix": "CFG_"}],
            "volumes": [
                {"mountPath": "/etc/demo", "configMap": "demo-config", "keys": ["LOG_LEVEL"]},
                {"mountPath": "/scratch", "emptyDir": True, "sizeLimit": "1Gi"},
            ],
            "initContainers": [{"name": "wait", "image": {"repository": "busybox", "tag": "1.36"}, "command": ["true"]}],
            "sidecars": [{"name": "proxy", "image": {"repository": "envoy", "tag": "1.30"}, "port": 9901}],
        }
    )
    deployment = one(rendered(make_values(values_data)), "Deployment", "demo-api")
    assert deployment["metadata"]["annotations"]["team"] == "core"
    template = deployment["spec"]["template"]
    pod = template["spec"]
    assert template["metadata"]["annotations"]["prometheus.io/scrape"] == "true"
    assert pod["imagePullSecrets"] == [{"name": "regcred"}]
    assert pod["nodeSelector"] == {"pool": "general"}
    assert pod["tolerations"] == [{"key": "dedicated", "operator": "Equal", "value": "api", "effect": "NoSchedule"}]
    assert "podAntiAffinity" in pod["affinity"]
    assert pod["topologySpreadConstraints"][0]["topologyKey"] == "topology.kubernetes.io/zone"
    assert pod["priorityClassName"] == "high"
    main = next(c for c in pod["containers"] if c["name"] != "proxy")
    assert {"configMapRef": {"name": "demo-config"}, "prefix": "CFG_"} in main["envFrom"]
    assert {"/etc/demo", "/scratch"} <= {m["mountPath"] for m in main["volumeMounts"]}
    assert [c["name"] for c in pod["initContainers"]] == ["wait"]
    assert "proxy" in [c["name"] for c in pod["containers"]]
    assert restricted_violations(pod) == []  # init containers and sidecars hardened as the main one


def test_extra_objects_render_in_the_namespace_with_the_release_label(values_data: dict[str, Any], make_values: Make) -> None:
    values_data["extraObjects"] = [
        {
            "apiVersion": "v1",
            "kind": "PersistentVolumeClaim",
            "metadata": {"name": "uploads"},
            "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}}},
        }
    ]
    values_data["services"]["api"]["volumes"] = [{"mountPath": "/data", "pvc": "uploads"}]
    objects = rendered(make_values(values_data))
    claim = one(objects, "PersistentVolumeClaim", "uploads")
    assert claim["metadata"]["namespace"] == "demo-ns"
    assert claim["metadata"]["labels"]["app.kubernetes.io/instance"] == "demo"
    pod = one(objects, "Deployment", "demo-api")["spec"]["template"]["spec"]
    assert [v["persistentVolumeClaim"]["claimName"] for v in pod["volumes"] if "persistentVolumeClaim" in v] == ["uploads"]


@pytest.mark.parametrize(
    ("service", "needle", "message"),
    [
        ({"kind": "worker", "image": IMAGE, "port": 8000}, "port: 8000", "services.x.port: unknown key 'port'"),
        (
            {"kind": "worker", "image": IMAGE, "networkPolicy": {"allowExternal": True}},
            "allowExternal",
            "services.x.networkPolicy.allowExternal: does not apply to a worker: it serves nothing",
        ),
        (
            {"kind": "cronjob", "image": IMAGE, "schedule": "61 * * * *"},
            "schedule",
            "services.x.schedule: '61 * * * *': 61 is not a minute (0-59)",
        ),
        (
            {"kind": "cronjob", "image": IMAGE, "schedule": "TZ=UTC 0 3 * * *"},
            "schedule",
            "services.x.schedule: 'TZ=UTC 0 3 * * *': a time zone in the schedule is refused by Kubernetes; use timeZone",
        ),
        (
            {"kind": "migration", "image": IMAGE, "before": ["nosuch"]},
            "nosuch",
            "services.x.before[0]: nosuch is not a service (one of api, mcp, web, x)",
        ),
        (
            {"kind": "migration", "image": IMAGE, "before": ["api"], "backoffLimit": 1000},
            "backoffLimit",
            "services.x.backoffLimit: 1000 is not a valid count (0-100)",
        ),
        (
            {"kind": "api", "image": IMAGE, "volumes": [{"mountPath": "/etc/x", "configMap": "nosuch"}]},
            "nosuch",
            "services.x.volumes[0].configMap: nosuch is not a ConfigMap of this release (declared: demo-config); "
            "declare it under configMaps or extraObjects",
        ),
        (
            {"kind": "api", "image": IMAGE, "envFrom": [{"secret": "nosuch"}]},
            "nosuch",
            "services.x.envFrom[0].secret: nosuch is not a Secret of this release (declared: demo-secrets); "
            "declare it under secrets (external: true for one made elsewhere)",
        ),
        (
            {"kind": "api", "image": IMAGE, "volumes": [{"mountPath": "/x"}]},
            "mountPath",
            "services.x.volumes[0]: give its source: one of configMap, secret, pvc or emptyDir: true",
        ),
        (
            {
                "kind": "api",
                "image": IMAGE,
                "volumes": [{"mountPath": "/x", "configMap": "demo-config", "secret": "demo-secrets"}],
            },
            "secret: demo-secrets",
            "services.x.volumes[0].secret: give one source only, not both configMap and secret",
        ),
        (
            {
                "kind": "api",
                "image": IMAGE,
                "initContainers": [{"name": "i", "image": IMAGE, "securityContext": {"runAsNonRoot": False}}],
            },
            "runAsNonRoot",
            "services.x.initContainers[0].securityContext.runAsNonRoot: runAsNonRoot: false lets the container run as root, "
            "below the Pod Security Standard 'restricted'; give the reason in auditSkips.CKV_K8S_23 (or keep the default)",
        ),
        ({"kind": "api", "image": IMAGE, "labels": {"app.kubernetes.io/name": "other"}}, "app.kubernetes.io/name", None),
        (
            {"kind": "api", "image": IMAGE, "imagePullSecrets": "regcred"},
            "imagePullSecrets",
            "services.x.imagePullSecrets: 'regcred' is a string, expected list",
        ),
        ({"kind": "api", "image": IMAGE, "imagePullSecrets": ["Bad_Name"]}, "Bad_Name", None),
        (
            {"kind": "api", "image": IMAGE, "tolerations": [{"operator": "Bogus"}]},
            "Bogus",
            "services.x.tolerations[0].operator: 'Bogus': expected 'Equal' or 'Exists'",
        ),
        # the props a construct's message names, in the values file's words (Terms, no parsing)
        (
            {"kind": "api", "image": IMAGE, "autoscaling": {"minReplicas": 5, "maxReplicas": 3, "targetCpuUtilization": 80}},
            "minReplicas",
            "services.x.autoscaling.minReplicas: 5 exceeds maxReplicas 3",
        ),
        (
            {"kind": "api", "image": IMAGE, "tolerations": [{"operator": "Exists", "tolerationSeconds": 60}]},
            "tolerationSeconds",
            "services.x.tolerations[0].tolerationSeconds: 60 is for a NoExecute toleration, not every effect; "
            "set effect: NoExecute",
        ),
        (
            {"kind": "api", "image": IMAGE, "podAnnotations": {"seccomp.security.alpha.kubernetes.io/pod": "unconfined"}},
            "podAnnotations",
            "services.x.podAnnotations: annotation "
            "seccomp.security.alpha.kubernetes.io/pod: the pod's legacy seccomp annotation "
            "seccomp.security.alpha.kubernetes.io/pod is 'unconfined' (only runtime/default or localhost/*), which breaks "
            "the Pod Security Standard 'baseline'; leave it out: the pods run under the runtime's default profiles "
            "(seccomp is relaxed with securityContext.seccompProfile and its reason)",
        ),
        (
            {"kind": "api", "image": IMAGE, "writablePaths": ["/tmp", "/tmp/"]},
            "/tmp/",
            "services.x.writablePaths[1]: /tmp/ is listed twice in the main container writablePaths",
        ),
    ],
)
def test_each_mistake_is_one_line_at_its_place(
    values_data: dict[str, Any], service: dict[str, Any], needle: str, message: str | None
) -> None:
    values_data["services"]["x"] = service
    lines = errors(values_data)
    assert len(lines) == 1, lines
    location, text = lines[0].split(": ", 1)
    assert location == f"v.yaml:{line_of(values_data, needle)}"
    if message is not None:
        assert text == message
    else:
        assert text.startswith("services.x.")


ALLOW_API = {"networkPolicy": {"allowFrom": ["api"]}}


@pytest.mark.parametrize(
    ("service", "needle", "message"),
    [
        *(
            (
                {"kind": kind, "image": IMAGE, **extra, **ALLOW_API},
                "allowFrom",
                f"services.x.networkPolicy.allowFrom: does not apply to a {kind}: it serves nothing; for it to call a "
                "service, list x in that service's networkPolicy.allowFrom",
            )
            for kind, extra in (("worker", {}), ("cronjob", {"schedule": "@daily"}), ("migration", {"before": ["api"]}))
        ),
        (
            {"kind": "cronjob", "image": IMAGE, "schedule": "@daily", "probes": {"liveness": {"path": "/healthz"}}},
            "liveness",
            "services.x.probes.liveness: an HTTP probe of '/healthz' needs a port, and a ScheduledJob listens on none: it "
            "would check nothing (and be left out); give the probe its port, or an execCommand",
        ),
        (
            {"kind": "api", "image": IMAGE, "volumes": [{"mountPath": "/x", "configMap": "demo-config", "sizeLimit": "1Gi"}]},
            "sizeLimit",
            "services.x.volumes[0].sizeLimit: 1Gi: a configMap volume takes no size limit; only an emptyDir does",
        ),
        (
            {"kind": "api", "image": IMAGE, "volumes": [{"mountPath": "/x", "pvc": "data", "sizeLimit": "1Gi"}]},
            "sizeLimit",
            "services.x.volumes[0].sizeLimit: 1Gi: a pvc volume takes no size limit; only an emptyDir does",
        ),
        (
            {"kind": "api", "image": IMAGE, "volumes": [{"mountPath": "/x", "emptyDir": True, "keys": ["A"]}]},
            "keys",
            "services.x.volumes[0].keys: an emptyDir volume has no keys; only a configMap or a secret volume does",
        ),
        (
            {"kind": "api", "image": IMAGE, "volumes": [{"mountPath": "/x", "configMap": "demo-config", "keys": []}]},
            "keys",
            "services.x.volumes[0].keys: [] would mount every key (an empty list of items is none); list the keys, or "
            "leave keys out",
        ),
        (
            {"kind": "api", "image": IMAGE, "volumes": [{"mountPath": "/x", "secret": "demo-secrets", "readOnly": False}]},
            "readOnly",
            "services.x.volumes[0].readOnly: false: a secret volume is always mounted read-only",
        ),
        (
            {"kind": "api", "image": IMAGE, "volumes": [{"mountPath": "/x", "emptyDir": True, "readOnly": True}]},
            "readOnly",
            "services.x.volumes[0].readOnly: true: an emptyDir is always writable (a read-only one would stay empty)",
        ),
    ],
)
def test_what_a_kind_does_not_take_is_refused_not_dropped(
    values_data: dict[str, Any], service: dict[str, Any], needle: str, message: str
) -> None:
    values_data["services"]["x"] = service
    assert errors(values_data) == [f"v.yaml:{line_of(values_data, needle)}: {message}"]


def test_what_each_kind_takes_beside_it_renders(values_data: dict[str, Any], make_values: Make) -> None:
    """The boundary: a served kind takes allowFrom, an emptyDir a size limit, a configMap or secret
    volume keys and readOnly: true, a pvc readOnly either way, an emptyDir readOnly: false."""
    values_data["services"]["mcp"].update(ALLOW_API)
    values_data["services"]["worker"] = {"kind": "worker", "image": IMAGE}
    values_data["services"]["api"]["volumes"] = [
        {"mountPath": "/scratch", "emptyDir": True, "sizeLimit": "1Gi", "readOnly": False},
        {"mountPath": "/etc/demo", "configMap": "demo-config", "keys": ["LOG_LEVEL"], "readOnly": True},
        {"mountPath": "/data", "pvc": "uploads", "readOnly": True},
    ]
    objects = rendered(make_values(values_data))
    pod = one(objects, "Deployment", "demo-api")["spec"]["template"]["spec"]
    by_name = {v["name"]: v for v in pod["volumes"]}
    assert {"sizeLimit": "1Gi"} in [v.get("emptyDir") for v in by_name.values()]
    items = [v["configMap"]["items"] for v in by_name.values() if "configMap" in v]
    assert items == [[{"key": "LOG_LEVEL", "path": "LOG_LEVEL"}]]
    assert [v["persistentVolumeClaim"]["readOnly"] for v in by_name.values() if "persistentVolumeClaim" in v] == [True]
    ingress = one(objects, "NetworkPolicy", "demo-mcp")["spec"]["ingress"]
    peers = [peer["podSelector"]["matchLabels"]["app.kubernetes.io/name"] for rule in ingress for peer in rule["from"]]
    assert peers == ["demo-api"]


def test_an_extra_container_relaxed_with_its_reason_renders(values_data: dict[str, Any], make_values: Make) -> None:
    values_data["services"]["api"]["initContainers"] = [
        {"name": "chown", "image": IMAGE, "securityContext": {"runAsNonRoot": False, "runAsUser": 0}}
    ]
    values_data["services"]["api"]["auditSkips"] = {"CKV_K8S_23": "the init container chowns the data volume as root"}
    pod = one(rendered(make_values(values_data)), "Deployment", "demo-api")["spec"]["template"]["spec"]
    assert pod["initContainers"][0]["securityContext"]["runAsNonRoot"] is False


def test_extra_objects_are_validated_and_never_a_secret(values_data: dict[str, Any]) -> None:
    values_data["extraObjects"] = [{"kind": "ServiceAccount"}, {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "s"}}]
    lines = errors(values_data)
    assert any("extraObjects[0]: apiVersion is missing" in line for line in lines)
    assert any(
        "extraObjects[1]: a Secret's values never live in a values file: declare it under secrets:" in line for line in lines
    )


def test_every_field_a_service_feeds_is_a_prop_of_its_construct() -> None:
    """The values model names the construct prop each field feeds (prop(to=...)): a renamed or
    removed prop fails here, not in a user's synth."""
    import dataclasses
    import typing

    from values_app.fields import spec_of
    from values_app.kinds import KINDS
    from values_app.model import ServiceUnion
    from webapp_constructs._props import fields_of

    def fed(cls: Any) -> list[str]:
        names: list[str] = []
        for field in fields_of(cls):
            if spec_of(field).spread:
                inner = typing.get_type_hints(cls)[field.name]
                names += fed(next(arm for arm in typing.get_args(inner) or (inner,) if dataclasses.is_dataclass(arm)))
            elif spec_of(field).to:
                names.append(str(spec_of(field).to))
        return names

    for values_class in typing.get_args(ServiceUnion):
        kind = typing.get_args(typing.get_type_hints(values_class)["kind"])[0]
        props = {field.name for field in fields_of(cast(Any, KINDS[kind].PROPS))}
        serves_nothing = {"allow_external"} if kind in ("worker", "cronjob", "migration") else set()
        assert set(fed(values_class)) - serves_nothing <= props, kind


@pytest.mark.parametrize(
    ("service", "needle", "message"),
    [
        ({"kind": "migration", "image": IMAGE, "before": "api"}, "before", "services.x.before: 'api' is a string, expected list"),
        (
            {"kind": "cronjob", "image": IMAGE, "schedule": ""},
            "schedule",
            "services.x.schedule: '' is not a schedule: five fields (minute hour day-of-month month day-of-week), "
            "or @daily and the like",
        ),
        ({"kind": "api", "image": IMAGE, "volumes": "x"}, "volumes", "services.x.volumes: 'x' is a string, expected list"),
        (
            {"kind": "api", "image": IMAGE, "sidecars": [{"name": "p", "image": IMAGE, "securityContext": {"runAsUser": 0}}]},
            "runAsUser",
            "services.x.sidecars[0].securityContext.runAsUser: 0 is root, but runAsNonRoot is true "
            "(set runAsNonRoot: false to run as root)",
        ),
        (
            {"kind": "api", "image": IMAGE, "securityContext": {"runAsUser": 0}},
            "runAsUser",
            "services.x.securityContext.runAsUser: 0 is root, but runAsNonRoot is true (set runAsNonRoot: false to run as root)",
        ),
    ],
)
def test_hostile_or_mistyped_values_are_one_line_in_the_values_files_words(
    values_data: dict[str, Any], service: dict[str, Any], needle: str, message: str
) -> None:
    values_data["services"]["x"] = service
    (line,) = errors(values_data)
    assert line == f"v.yaml:{line_of(values_data, needle)}: {message}"


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (
            {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "kube-system"}},
            "extraObjects[0].kind: a Namespace belongs to the whole cluster, not to a release in a namespace; "
            "create it outside the release (kubectl apply of its own file)",
        ),
        (
            {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding", "metadata": {"name": "admin"}},
            "extraObjects[0].kind: a ClusterRoleBinding belongs to the whole cluster, not to a release in a namespace; "
            "create it outside the release (kubectl apply of its own file)",
        ),
        (
            {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role", "metadata": {"name": "r", "namespace": "kube-system"}},
            "extraObjects[0].metadata.namespace: kube-system is not the release's namespace (demo-ns): "
            "an extra object lives in it (leave namespace out)",
        ),
    ],
)
def test_an_extra_object_never_reaches_out_of_the_release_s_namespace(
    values_data: dict[str, Any], extra: dict[str, Any], message: str
) -> None:
    values_data["extraObjects"] = [extra]
    (line,) = errors(values_data)
    assert line.split(": ", 1)[1] == message


def test_a_service_s_audit_skips_are_checked_once_by_the_very_rules_of_the_prop() -> None:
    """The construct does not check the merged auditSkips again (kinds.service_props): sound only
    while the release's and the service's are checked by the prop's own rule objects."""
    from values_app.model import AppValues, ServiceValues
    from webapp_constructs import WorkloadProps
    from webapp_constructs._props import fields_of

    def rules(cls: Any) -> tuple[Any, ...]:
        field = next(f for f in fields_of(cls) if f.name == "audit_skips")
        return (field.metadata["check"], field.metadata["each"], field.metadata["keys"])

    assert rules(AppValues) == rules(ServiceValues) == rules(WorkloadProps)
    assert all(rule for rule in rules(WorkloadProps)[1:])


def test_a_bad_reason_of_the_release_is_reported_once_at_its_line(values_data: dict[str, Any]) -> None:
    values_data["auditSkips"] = {"CKV_K8S_21": "too short"}
    lines = errors(values_data)
    assert len(lines) == 1, lines
    assert lines[0].startswith(f"v.yaml:{line_of(values_data, 'too short')}: auditSkips.CKV_K8S_21: 'too short' has 8 visible")
