"""Values a hostile pull request can bring (issue 20, items 4-8): each is refused with one line at
the field that brought it (exit 1, nothing written), or accepted with its reason."""

from __future__ import annotations

import copy
import io
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.helpers import dump, yaml_load
from values_app import cli
from values_app.diagram import mermaid
from values_app.loader import ValuesError, parse_values

ROOT = Path(__file__).resolve().parents[2]
PRESET = yaml_load((ROOT / "values" / "003-local-k8s-deployment.yaml").read_text())
PRODUCTION_INGRESS = {
    "host": "todo.example.com",
    "className": "nginx",
    "paths": [{"path": "/api", "service": "backend"}, {"path": "/", "service": "frontend"}],
}

Mutate = Callable[[dict[str, Any]], None]


def load(mutate: Mutate) -> tuple[str, list[str]]:
    """The mutated default preset as YAML text, and the problems loading it reports."""
    data = copy.deepcopy(PRESET)
    mutate(data)
    text = dump(data, sort_keys=False, width=2**20)
    try:
        parse_values(text, source="v.yaml")
    except ValuesError as error:
        return text, error.lines
    return text, []


def the_line(text: str, lines: list[str], field: str) -> str:
    """The one problem, checked to name ``field`` at the line of its key in ``text``."""
    assert len(lines) == 1, lines
    match = re.match(r"v\.yaml:(\d+): (\S+): ", lines[0])
    assert match is not None, lines[0]
    assert match[2] == field
    key = field.rsplit(".", 1)[-1]
    assert key in text.splitlines()[int(match[1]) - 1], (key, match[1])
    return lines[0]


def service(key: str, **fields: Any) -> Mutate:
    def mutate(data: dict[str, Any]) -> None:
        data["services"][key].update(fields)

    return mutate


def test_a_writable_root_filesystem_needs_its_reason() -> None:
    text, lines = load(service("backend", securityContext={"readOnlyRootFilesystem": False}))
    line = the_line(text, lines, "services.backend.securityContext.readOnlyRootFilesystem")
    assert "give the reason in auditSkips.CKV_K8S_22" in line
    reason = {"CKV_K8S_22": "the image writes its pid beside its binary"}
    assert load(service("backend", securityContext={"readOnlyRootFilesystem": False}, auditSkips=reason))[1] == []


@pytest.mark.parametrize(
    ("reason", "accepted"),
    [
        (" " * 15, False),
        ("\t" * 9 + "123456789", False),
        ("0123456789", True),
        ("\u200b" * 11, False),
        ("\u200b" + "x" * 10, True),
    ],
)
def test_a_reason_has_ten_visible_characters(reason: str, accepted: bool) -> None:
    relax = service("backend", securityContext={"allowPrivilegeEscalation": True}, auditSkips={"CKV_K8S_20": reason})
    text, lines = load(relax)
    if accepted:
        assert lines == []
    else:
        line = the_line(text, lines, "services.backend.auditSkips.CKV_K8S_20")
        assert "visible characters; a reason has at least 10" in line


def test_an_mcp_server_open_to_every_pod_needs_the_opt_in() -> None:
    text, lines = load(service("mcp", networkPolicy={"allowExternal": True}))
    line = the_line(text, lines, "services.mcp.networkPolicy.allowExternal")
    assert "open the internal MCP server to every pod of every namespace; set exposeNodePort: true" in line
    opted_in = service("mcp", networkPolicy={"allowExternal": True}, exposeNodePort=True)
    assert load(opted_in)[1] == []


def test_the_diagram_draws_a_clusterip_service_open_to_every_pod() -> None:
    data = yaml_load(yaml.safe_dump(PRESET))
    service("mcp", networkPolicy={"allowExternal": True}, exposeNodePort=True)(data)
    picture = mermaid(parse_values(yaml.safe_dump(data), source="v.yaml"))
    assert '  anypod(["any pod, any namespace"])' in picture
    assert '  anypod -->|":8001"| svc_mcp' in picture
    default = mermaid(parse_values(yaml.safe_dump(PRESET), source="v.yaml"))
    assert "anypod" not in default  # the NodePort services are drawn open to the browser


@pytest.mark.parametrize(
    ("name", "why"),
    [("kubernetes", "the API server's Service"), ("default", "the ServiceAccount Kubernetes creates in every namespace")],
)
@pytest.mark.parametrize("namespace", ["default", "todo-local"])
def test_names_the_cluster_owns_are_refused(name: str, why: str, namespace: str) -> None:
    def mutate(data: dict[str, Any]) -> None:
        data["namespace"] = {"name": namespace}
        data["services"]["backend"]["name"] = name

    text, lines = load(mutate)
    line = the_line(text, lines, "services.backend.name")
    assert f"{name} is {why}" in line
    assert line.endswith("; choose another name")


@pytest.mark.parametrize(
    "key",
    [
        "nginx.ingress.kubernetes.io/server-snippet",
        "nginx.ingress.kubernetes.io/configuration-snippet",
        "nginx.ingress.kubernetes.io/auth-snippet",
        "nginx.ingress.kubernetes.io/stream-snippet",
        "nginx.org/server-snippets",
    ],
)
def test_a_configuration_snippet_needs_its_reason(key: str) -> None:
    def mutate(data: dict[str, Any]) -> None:
        data["ingress"] = {**PRODUCTION_INGRESS, "annotations": {key: "location / { return 200; }"}}

    text, lines = load(mutate)
    line = the_line(text, lines, f"ingress.annotations.{key}")
    assert "CVE-2021-25742" in line
    assert "give the reason in auditSkips.CKV_K8S_153" in line

    def with_reason(data: dict[str, Any]) -> None:
        mutate(data)
        data.setdefault("auditSkips", {})["CKV_K8S_153"] = "a redirect our controller cannot express otherwise"

    assert load(with_reason)[1] == []


def test_other_ingress_annotations_need_no_reason() -> None:
    def mutate(data: dict[str, Any]) -> None:
        annotations = {"nginx.ingress.kubernetes.io/proxy-body-size": "8m", "cert-manager.io/cluster-issuer": "letsencrypt"}
        data["ingress"] = {**PRODUCTION_INGRESS, "annotations": annotations}

    assert load(mutate)[1] == []


def test_a_refused_value_writes_nothing(tmp_path: Path) -> None:
    bad = yaml_load(yaml.safe_dump(PRESET))
    bad["services"]["backend"]["securityContext"] = {"readOnlyRootFilesystem": False}
    values = tmp_path / "bad.yaml"
    values.write_text(yaml.safe_dump(bad))
    stderr = io.StringIO()
    assert cli.run(values=values, outdir=tmp_path / "out", environ={}, stderr=stderr) == 1
    assert len(stderr.getvalue().splitlines()) == 1
    assert not (tmp_path / "out").exists()


# Issue 28, items 6-8: the Pod Security promises and the reasons of a values file.


def synth_of(tmp_path: Path, mutate: Mutate) -> tuple[int, list[str]]:
    """The exit status and the stderr lines of a synth of the mutated preset."""
    data = copy.deepcopy(PRESET)
    mutate(data)
    values = tmp_path / "v.yaml"
    values.write_text(dump(data, sort_keys=False, width=2**20))
    stderr = io.StringIO()
    return cli.run(values=values, outdir=tmp_path / "out", environ={}, quiet=True, stderr=stderr), stderr.getvalue().splitlines()


def test_a_reason_of_zero_width_spaces_keeps_the_namespace_restricted(tmp_path: Path) -> None:
    relax = service("backend", securityContext={"allowPrivilegeEscalation": True}, auditSkips={"CKV_K8S_20": "\u200b" * 11})
    status, lines = synth_of(tmp_path, relax)
    assert status == 1
    assert len(lines) == 1
    assert "auditSkips.CKV_K8S_20: '\\u200b" in lines[0]
    assert "has 0 visible characters" in lines[0]
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("field", ["annotations", "podAnnotations"])
@pytest.mark.parametrize(("reason", "accepted"), [("x", False), ("\u200b" * 10 + "x", False), ("the mesh probes it", True)])
def test_a_checkov_skip_annotation_needs_its_reason(field: str, reason: str, accepted: bool) -> None:
    text, lines = load(service("backend", **{field: {"checkov.io/skip9": f"CKV_K8S_8={reason}"}}))
    if accepted:
        assert lines == []
        return
    line = the_line(text, lines, f"services.backend.{field}")
    assert "annotation checkov.io/skip9: the reason for CKV_K8S_8:" in line
    assert "auditSkips" in line


@pytest.mark.parametrize(
    ("annotation", "accepted"),
    [
        ({"container.apparmor.security.beta.kubernetes.io/backend": "unconfined"}, False),
        ({"container.apparmor.security.beta.kubernetes.io/backend": "runtime/default"}, True),
        ({"seccomp.security.alpha.kubernetes.io/pod": "unconfined"}, False),
        ({"seccomp.security.alpha.kubernetes.io/pod": "runtime/default"}, True),
    ],
)
def test_a_pod_annotation_below_baseline_is_refused(annotation: dict[str, str], accepted: bool) -> None:
    text, lines = load(service("backend", podAnnotations=annotation))
    if accepted:
        assert lines == []
        return
    line = the_line(text, lines, "services.backend.podAnnotations")
    assert "breaks the Pod Security Standard 'baseline'" in line


@pytest.mark.parametrize(
    ("namespace", "field"),
    [({"name": "default", "create": True}, "namespace.create"), ({"name": "kube-system"}, "namespace.name")],
)
def test_no_namespace_of_the_cluster_is_rendered(namespace: dict[str, Any], field: str) -> None:
    def mutate(data: dict[str, Any]) -> None:
        data["namespace"] = namespace

    text, lines = load(mutate)
    line = the_line(text, lines, field)
    assert "the cluster's own" in line


@pytest.mark.parametrize(
    "namespace", [{"name": "default"}, {"name": "default", "create": False}, {"name": "default-app", "create": True}]
)
def test_default_without_rendering_it_and_a_namespace_of_its_own(namespace: dict[str, Any]) -> None:
    def mutate(data: dict[str, Any]) -> None:
        data["namespace"] = namespace

    assert load(mutate)[1] == []


_HARDENED = {
    "allowPrivilegeEscalation": False,
    "runAsNonRoot": True,
    "capabilities": {"drop": ["ALL"]},
    "seccompProfile": {"type": "RuntimeDefault"},
}


def _extra_pod(**spec: Any) -> Mutate:
    pod = {
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"name": "debug"},
        "spec": {"containers": [{"name": "debug", "image": "busybox:1.36", "securityContext": _HARDENED}], **spec},
    }

    def mutate(data: dict[str, Any]) -> None:
        data["extraObjects"] = [pod]

    return mutate


def test_an_extra_pod_below_the_namespaces_level_is_refused(tmp_path: Path) -> None:
    status, lines = synth_of(tmp_path, _extra_pod(hostPID=True))
    assert status == 1
    assert any("extraObjects[0]" in line and "hostPID: true" in line for line in lines), lines
    assert not (tmp_path / "out").exists()
    assert synth_of(tmp_path, _extra_pod(hostPID=False))[0] == 0


@pytest.mark.parametrize(("reason", "accepted"), [("x", False), ("\u200b" * 11, False), ("a dashboard, not a workload", True)])
def test_a_checkov_skip_annotation_of_an_extra_object_needs_its_reason(reason: str, accepted: bool) -> None:
    job = {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": {"name": "report", "annotations": {"checkov.io/skip1": f"CKV_K8S_21={reason}"}},
        "spec": {
            "template": {
                "metadata": {"annotations": {"checkov.io/skip2": f"CKV_K8S_8={reason}"}},
                "spec": {
                    "restartPolicy": "Never",
                    "containers": [{"name": "report", "image": "busybox:1.36", "securityContext": _HARDENED}],
                },
            }
        },
    }

    def mutate(data: dict[str, Any]) -> None:
        data["extraObjects"] = [job]

    _, lines = load(mutate)
    if accepted:
        assert lines == []
        return
    assert [re.sub(r"^v\.yaml:\d+: (\S+): .*", r"\1", line) for line in lines] == [
        "extraObjects[0].metadata.annotations",
        "extraObjects[0].spec.template.metadata.annotations",
    ]
    assert all("visible characters; a reason has at least 10" in line for line in lines)
    assert all(line.endswith("or skip the check through auditSkips, whose reasons are checked") for line in lines)


@pytest.mark.parametrize(
    ("value", "refused"),
    [
        ("postgres://app:hunter2@db.internal/app", True),
        ("redis://:hunter2@cache:6379/0", True),
        ("https://user:hunter2@api.example.com/v1", True),
        ("postgres://app@db.internal/app", False),  # a user, no password
        ("http://todo-mcp:8001", False),
        ("https://api.example.com/v1?contact=ops@example.com", False),
    ],
)
def test_a_url_with_a_password_in_a_config_map_is_refused_unshown(value: str, refused: bool) -> None:
    """A ConfigMap is for what anyone may read (and a gitops: deploy repository keeps): a password
    in a URL goes under secrets:, and the message never shows it (issue 28, item 13)."""

    def mutate(data: dict[str, Any]) -> None:
        data["configMaps"]["todo-chatbot-config"]["CACHE_URL"] = value

    text, lines = load(mutate)
    if not refused:
        assert lines == []
        return
    line = the_line(text, lines, "configMaps.todo-chatbot-config.CACHE_URL")
    assert line.endswith(
        "holds a URL with a password (scheme://user:password@...), which a ConfigMap shows to anyone who reads it (and a "
        "gitops: deploy repository keeps); declare CACHE_URL under secrets:"
    )
    assert "hunter2" not in line
