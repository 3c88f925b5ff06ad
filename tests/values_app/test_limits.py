"""What a real cluster refuses or the app must not do, refused before Kubernetes would: at the
exact boundary, with file:line, nothing written; and no traceback in the ways a synth can fail."""

from __future__ import annotations

import copy
import io
import os
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.helpers import dump, yaml_load
from values_app import cli, inputs
from values_app.diff import MAX_MANIFEST_FILE_BYTES, DiffError, read_output
from values_app.environments import load_environments
from values_app.inputs import MAX_INPUT_BYTES
from values_app.loader import ValuesError, load_values, parse_values
from values_app.secrets import EnvFileError, read_env_file

ROOT = Path(__file__).resolve().parents[2]
PRESET = yaml_load((ROOT / "values" / "003-local-k8s-deployment.yaml").read_text())


def problems(mutate: Callable[[dict[str, Any]], None]) -> list[str]:
    data = copy.deepcopy(PRESET)
    mutate(data)
    try:
        parse_values(dump(data, sort_keys=False, width=2**20), source="v.yaml")
    except ValuesError as error:
        return error.lines
    return []


def only(lines: list[str]) -> str:
    assert len(lines) == 1, lines
    return lines[0]


# --- Kubernetes' own limits, at load time ------------------------------------------------------


@pytest.mark.parametrize(("size", "refused"), [(262144, False), (262145, True)])
def test_annotations_total_at_most_256_kib(size: int, refused: bool) -> None:
    key = "example.com/note"
    value = "x" * (size - len(key))

    def mutate(data: dict[str, Any]) -> None:
        data["ingress"] = {
            "host": "todo.example.com",
            "paths": [{"path": "/", "service": "frontend"}],
            "annotations": {key: value},
        }

    found = problems(mutate)
    if refused:
        assert re.fullmatch(
            r"v\.yaml:\d+: ingress\.annotations: the annotations total 262145 bytes; "
            r"Kubernetes allows at most 262144 \(256 KiB\)",
            only(found),
        )
    else:
        assert found == []


@pytest.mark.parametrize(("size", "refused"), [(1048576, False), (1048577, True)])
def test_a_config_map_holds_at_most_1_mib(size: int, refused: bool) -> None:
    def mutate(data: dict[str, Any]) -> None:
        # MCP_SERVER_PORT stays: the MCP server reads it. The values total `size` bytes.
        data["configMaps"]["todo-chatbot-config"] = {"BIG": "x" * (size - len("8001")), "MCP_SERVER_PORT": "8001"}
        for service in data["services"].values():
            service["env"]["config"] = [k for k in service["env"].get("config", []) if k == "MCP_SERVER_PORT"]

    found = problems(mutate)
    if refused:
        assert re.fullmatch(
            r"v\.yaml:\d+: configMaps\.todo-chatbot-config: the ConfigMap data totals 1048577 bytes; "
            r"Kubernetes allows at most 1048576 \(1 MiB\) of values, keys not counted",
            only(found),
        )
    else:
        assert found == []


@pytest.mark.parametrize(("prefix", "refused"), [(253, False), (254, True)])
def test_a_label_key_prefix_is_at_most_253_characters(prefix: int, refused: bool) -> None:
    domain = ".".join(["a" * 63] * 3) + "." + "b" * (prefix - 3 * 64)
    assert len(domain) == prefix
    found = problems(lambda data: data.__setitem__("labels", {f"{domain}/team": "todo"}))
    if refused:
        assert "is 254 characters; a DNS subdomain has at most 253" in only(found)
        assert only(found).startswith("v.yaml:")
    else:
        assert found == []


@pytest.mark.parametrize(("length", "refused"), [(63, False), (64, True)])
def test_label_values_and_names_are_at_most_63_characters(length: int, refused: bool) -> None:
    labelled = problems(lambda data: data["services"]["backend"].__setitem__("labels", {"team": "t" * length}))
    assert bool(labelled) is refused
    named = problems(lambda data: data["services"]["mcp"].__setitem__("name", "m" * length))
    assert bool(named) is refused


def test_a_secret_over_1_mib_is_refused_by_name_never_by_value_or_size(tmp_path: Path) -> None:
    big = "s3cr3t-" + "x" * 1048576
    environ = {"DATABASE_URL": big, "BETTER_AUTH_SECRET": "a", "OPENAI_API_KEY": "b", "CHATKIT_WORKFLOW_ID": "c"}
    stderr = io.StringIO()
    status = cli.run(
        values=ROOT / "values/003-local-k8s-deployment.yaml", outdir=tmp_path / "dist", environ=environ, stderr=stderr
    )
    assert status == 1
    assert stderr.getvalue() == (
        "error: AppSecret 'todo-chatbot-secrets': the Secret 'todo-chatbot-secrets' holds more data than Kubernetes "
        "allows, 1048576 bytes (1 MiB) decoded (neither its values nor its size are shown)\n"
    )
    assert "s3cr3t" not in stderr.getvalue()
    assert not (tmp_path / "dist").exists()


def test_what_the_synth_adds_is_checked_before_anything_is_written(tmp_path: Path) -> None:
    # The values are fine; with the audit annotation the synth adds, the Ingress's are not.
    key = "example.com/note"
    data = yaml_load(yaml.safe_dump(PRESET))
    data["auditSkips"]["CKV_K8S_21"] = "the reason for it, long enough"
    reason_size = len("checkov.io/skip1") + len("CKV_K8S_21=the reason for it, long enough")
    data["ingress"] = {
        "host": "todo.example.com",
        "paths": [{"path": "/", "service": "frontend"}],
        "annotations": {key: "x" * (262144 - len(key) - reason_size + 1)},
    }
    values = tmp_path / "v.yaml"
    values.write_text(yaml.safe_dump(data, sort_keys=False, width=2**20))
    stderr = io.StringIO()
    assert cli.run(values=values, outdir=tmp_path / "dist", environ={}, stderr=stderr) == 1
    assert stderr.getvalue() == (
        "error: 20-app.k8s.yaml: Ingress todo-chatbot: metadata.annotations: the annotations total 262145 bytes; "
        "Kubernetes allows at most 262144 (256 KiB)\n"
    )
    assert not (tmp_path / "dist").exists()


# --- unsafe values, refused ----------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/", "/usr", "/etc", "/bin", "/sbin", "/lib", "/var"])
def test_an_empty_dir_over_the_images_own_files_is_refused(path: str) -> None:
    line = only(problems(lambda data: data["services"]["backend"].__setitem__("writablePaths", ["/tmp", path])))
    assert re.fullmatch(rf"v\.yaml:\d+: services\.backend\.writablePaths\[1\]: {path} would hide the image's own files.*", line)


@pytest.mark.parametrize("namespace", ["kube-system", "kube-public", "kube-node-lease", "kube-anything"])
def test_the_clusters_own_namespaces_are_refused(namespace: str) -> None:
    line = only(problems(lambda data: data.__setitem__("namespace", {"name": namespace})))
    assert re.match(rf"v\.yaml:\d+: namespace\.name: {namespace} is one of the cluster's own namespaces \(kube-\*\)", line)


def test_a_relaxation_below_restricted_needs_its_reason() -> None:
    def relax(data: dict[str, Any]) -> None:
        data["services"]["backend"]["securityContext"] = {
            "runAsNonRoot": False,
            "capabilities": {"drop": ["ALL"], "add": ["NET_BIND_SERVICE", "CHOWN"]},
        }

    lines = problems(relax)
    assert [line.split(": ", 2)[1] for line in lines] == [
        "services.backend.securityContext.runAsNonRoot",
        "services.backend.securityContext.capabilities",
    ]
    assert "give the reason in auditSkips.CKV_K8S_23" in lines[0]
    assert "give the reason in auditSkips.CKV_K8S_25" in lines[1]

    def with_reasons(data: dict[str, Any]) -> None:
        relax(data)
        data["services"]["backend"]["auditSkips"] = {"CKV_K8S_23": "starts as root to bind", "CKV_K8S_25": "chowns its cache dir"}

    assert problems(with_reasons) == []
    assert (
        problems(
            lambda data: data["services"]["backend"].__setitem__(
                "securityContext", {"capabilities": {"add": ["NET_BIND_SERVICE"]}}
            )
        )
        == []
    )


def test_an_ingress_path_to_the_mcp_server_needs_the_explicit_opt_in() -> None:
    def route(data: dict[str, Any]) -> None:
        data["ingress"] = {"host": "todo.example.com", "paths": [{"path": "/mcp", "service": "mcp"}]}

    line = only(problems(route))
    assert re.fullmatch(
        r"v\.yaml:\d+: ingress\.paths\[0\]\.service: mcp is an internal MCP server; set services\.mcp\.exposeNodePort: true.*",
        line,
    )

    def opted_in(data: dict[str, Any]) -> None:
        route(data)
        data["services"]["mcp"]["exposeNodePort"] = True

    assert problems(opted_in) == []


# --- no traceback ---------------------------------------------------------------------------------


def main_py(*args: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if k in ("PATH", "JSII_NODE")}
    return subprocess.run(
        [sys.executable, str(ROOT / "main.py"), *args], env={**base, **env}, cwd=cwd, capture_output=True, text=True, check=False
    )


def test_a_home_whose_jsii_cache_is_unusable_still_synthesizes(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    if os.geteuid() == 0:  # root writes to a read-only directory anyway: a home that is a file cannot be used by anyone
        home.rmdir()
        home.write_text("not a directory")
    else:
        home.chmod(0o555)
    result = main_py(
        "--outdir", str(tmp_path / "dist"), "--quiet", env={"HOME": str(home), "TMPDIR": str(tmp_path)}, cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    assert (tmp_path / "dist" / "20-app.k8s.yaml").exists()
    cache = tmp_path / f"todo-chatbot-cdk8s-jsii-cache-{os.getuid()}"
    assert cache.is_dir()
    assert cache.stat().st_mode & 0o777 == 0o700


def test_jsii_that_cannot_start_is_one_line(tmp_path: Path) -> None:
    result = main_py(
        "--outdir", str(tmp_path / "dist"), env={"HOME": str(tmp_path), "JSII_NODE": str(tmp_path / "no-node")}, cwd=tmp_path
    )
    assert result.returncode == 1
    no_node = f"cannot start Node.js ({tmp_path / 'no-node'}): No such file or directory"
    assert result.stderr == f"error: jsii (Node.js, which cdk8s runs on) failed: {no_node}\n"
    assert not (tmp_path / "dist").exists()


def test_unreadable_values_and_env_files_are_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    values, env_file = tmp_path / "v.yaml", tmp_path / ".env"
    values.write_text((ROOT / "values/003-local-k8s-deployment.yaml").read_text())
    env_file.write_text("DATABASE_URL=x\n")
    unreadable = {values}

    def fake_open(path: Path, *args: Any, **kwargs: Any) -> Any:
        if path in unreadable:
            raise PermissionError(13, "Permission denied", str(path))
        return open(path, *args, **kwargs)

    monkeypatch.setattr(inputs, "open", fake_open, raising=False)  # root reads a file of mode 000 anyway
    stderr = io.StringIO()
    assert cli.run(values=values, outdir=tmp_path / "dist", environ={}, stderr=stderr) == 1
    assert stderr.getvalue() == f"error: {values}: cannot read (Permission denied)\n"
    unreadable = {env_file}
    stderr = io.StringIO()
    assert cli.run(values=values, outdir=tmp_path / "dist", env_file=env_file, environ={}, stderr=stderr) == 1
    assert stderr.getvalue() == f"error: {env_file}: cannot read (Permission denied)\n"


# --- inputs of a bounded size ---------------------------------------------------------------------


def padded(text: str, size: int) -> bytes:
    """``text`` and a comment that make ``size`` bytes."""
    data = text.encode()
    return data + b"#" * (size - len(data) - 1) + b"\n"


@pytest.mark.parametrize(("size", "refused"), [(MAX_INPUT_BYTES, False), (MAX_INPUT_BYTES + 1, True)])
def test_a_values_file_holds_at_most_4_mib_and_a_1_mib_config_map_fits(tmp_path: Path, size: int, refused: bool) -> None:
    data = yaml_load(yaml.safe_dump(PRESET))
    data["configMaps"]["todo-chatbot-config"] = {"BIG": "BIG-VALUE", "MCP_SERVER_PORT": "8001"}
    for service in data["services"].values():
        service["env"]["config"] = [k for k in service["env"].get("config", []) if k == "MCP_SERVER_PORT"]
    text = yaml.safe_dump(data, sort_keys=False).replace("BIG: BIG-VALUE", "BIG: " + "x" * (1048576 - len("8001")))
    path = tmp_path / "v.yaml"
    path.write_bytes(padded(text, size))
    if refused:
        with pytest.raises(ValuesError) as error:
            load_values(path)
        assert error.value.lines == [f"{path}: larger than 4 MiB (4194304 bytes), the most a values file may be"]
    else:
        assert load_values(path).config_maps["todo-chatbot-config"]["BIG"] == "x" * 1048572


def test_a_base_an_env_file_and_an_environments_file_are_bounded_too(tmp_path: Path) -> None:
    base, top = tmp_path / "base.yaml", tmp_path / "top.yaml"
    base.write_bytes(padded("release: x\n", MAX_INPUT_BYTES + 1))
    top.write_text("extends: base.yaml\n")
    with pytest.raises(ValuesError) as error:
        load_values(top)
    assert error.value.lines == [f"{base}: larger than 4 MiB (4194304 bytes), the most a values file may be"]
    env_file = tmp_path / ".env"
    env_file.write_bytes(padded("DATABASE_URL=x\n", MAX_INPUT_BYTES + 1))
    with pytest.raises(EnvFileError, match=r"\.env: larger than 4 MiB \(4194304 bytes\), the most an env file may be$"):
        read_env_file(env_file)
    env_file.write_bytes(padded("DATABASE_URL=x\n", MAX_INPUT_BYTES))
    assert read_env_file(env_file)["DATABASE_URL"].reveal() == "x"
    environments = tmp_path / "environments.yaml"
    environments.write_bytes(padded("environments: {}\n", MAX_INPUT_BYTES + 1))
    with pytest.raises(ValuesError) as error:
        load_environments(environments)
    assert error.value.lines == [f"{environments}: larger than 4 MiB (4194304 bytes), the most an environments file may be"]


@pytest.mark.parametrize(("size", "refused"), [(MAX_MANIFEST_FILE_BYTES, False), (MAX_MANIFEST_FILE_BYTES + 1, True)])
def test_diff_reads_a_file_of_at_most_64_mib(tmp_path: Path, size: int, refused: bool) -> None:
    path = tmp_path / "20-app.k8s.yaml"
    path.write_bytes(padded("- the first document is read before the rest\n---\n", size))
    with pytest.raises(DiffError) as error:
        read_output(tmp_path)
    if refused:
        assert str(error.value) == f"{path}: larger than 64 MiB (67108864 bytes), the most a manifest file may be"
    else:
        assert str(error.value) == f"{path}: document 1 is a list, not a manifest (a mapping)"


@pytest.mark.parametrize("flag", ["--values", "--env-file"])
def test_dev_zero_is_refused_at_once(tmp_path: Path, flag: str, capsys: pytest.CaptureFixture[str]) -> None:
    import main

    assert main.main([flag, "/dev/zero", "--outdir", str(tmp_path / "dist")]) == 1
    what = "a values file" if flag == "--values" else "an env file"
    assert (
        capsys.readouterr().err
        == f"error: /dev/zero: is a character device, not {what} (only regular files and pipes are read)\n"
    )
    assert not (tmp_path / "dist").exists()
