"""Diff before apply (values_app.diff): rendered manifests against an existing output directory.

The manifests are small hand-made dicts: no synth runs here."""

from __future__ import annotations

import base64
import copy
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

from tests.values_app.test_yaml_io import BILLION_LAUGHS
from values_app.diff import DiffError, DiffResult, ObjectChange, diff_outputs, known_documents, read_output
from values_app.outdir import MARKER
from values_app.release import APP_FILE, NAMESPACE_FILE, SECRETS_FILE
from values_app.yaml_io import dump_all

NS = "todo-local"

Files = dict[str, list[dict[str, Any]]]


def namespace() -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": NS}}


def config_map(name: str = "todo-config", **data: str) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": name, "namespace": NS},
        "data": data or {"LOG_LEVEL": "INFO", "API_URL": "http://todo-backend:8000"},
    }


def secret(values: dict[str, str], name: str = "todo-secrets", labels: dict[str, str] | None = None) -> dict[str, Any]:
    metadata: dict[str, Any] = {"name": name, "namespace": NS}
    if labels is not None:
        metadata["labels"] = labels
    data = {key: base64.b64encode(value.encode()).decode() for key, value in values.items()}
    return {"apiVersion": "v1", "kind": "Secret", "metadata": metadata, "type": "Opaque", "data": data}


def deployment(
    name: str = "todo-backend", checksum: str = "aaa111", replicas: int = 1, image: str = "todo-backend:1.0"
) -> dict[str, Any]:
    return {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": name, "namespace": NS},
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": {"app": name}},
            "template": {
                "metadata": {"annotations": {"checksum/config": checksum}, "labels": {"app": name}},
                "spec": {"containers": [{"name": name, "image": image}]},
            },
        },
    }


def output() -> Files:
    return {
        NAMESPACE_FILE: [namespace()],
        SECRETS_FILE: [secret({"DATABASE_URL": "postgres://db", "API_TOKEN": "token"})],
        APP_FILE: [config_map(), deployment(), deployment("todo-frontend", checksum="bbb222")],
    }


def write_output(directory: Path, files: Files, written: Mapping[int, str] | None = None) -> None:
    """``files`` written as a synth writes them; ``written`` (``id`` of a document -> its text, as
    :func:`dump_all` writes it) spares dumping again what was dumped already."""
    directory.mkdir()
    for name, docs in files.items():
        if written is None:
            text = dump_all(docs)
        else:
            text = "---\n".join(written[id(doc)] if id(doc) in written else dump_all([doc]) for doc in docs)
        (directory / name).write_text(text, encoding="utf-8")
    (directory / MARKER).write_text(
        json.dumps({"generator": "todo-chatbot-cdk8s", "files": sorted(files)}) + "\n", encoding="utf-8"
    )


def only(result: DiffResult) -> ObjectChange:
    assert len(result.changes) == 1, result.report()
    return result.changes[0]


# --- identical, changed, added, removed, moved -----------------------------------------------------


def test_identical_outputs_have_no_changes() -> None:
    result = diff_outputs(output(), output())
    assert result.identical
    assert result.changes == []
    assert result.will_roll == []
    assert result.summary() == "no changes"
    assert result.report() == "no changes"


def test_a_changed_object_comes_with_a_unified_diff_of_its_yaml() -> None:
    new = output()
    new[APP_FILE][0] = config_map(LOG_LEVEL="DEBUG", API_URL="http://todo-backend:8000")
    result = diff_outputs(new, output(), old_label="dist")
    change = only(result)
    assert (change.status, change.kind, change.name, change.namespace, change.file) == (
        "changed",
        "ConfigMap",
        "todo-config",
        NS,
        APP_FILE,
    )
    assert not change.rolls
    assert change.diff.splitlines() == [
        f"--- dist/{APP_FILE} (ConfigMap {NS}/todo-config)",
        f"+++ rendered/{APP_FILE} (ConfigMap {NS}/todo-config)",
        "@@ -4,5 +4,5 @@",
        "   name: todo-config",
        f"   namespace: {NS}",
        " data:",
        "-  LOG_LEVEL: INFO",
        "+  LOG_LEVEL: DEBUG",
        "   API_URL: http://todo-backend:8000",
    ]
    assert result.summary() == "1 changed, 0 added, 0 removed"
    assert result.report() == "\n".join(
        [f"changed: ConfigMap todo-config (namespace {NS}), {APP_FILE}", change.diff, "", "1 changed, 0 added, 0 removed"]
    )


def test_a_change_is_found_in_the_data_not_in_the_text() -> None:
    """Key order is not content: the same object with its keys in another order is no change."""
    old = output()
    reordered = config_map()
    reordered["data"] = dict(reversed(list(reordered["data"].items())))
    old[APP_FILE][0] = {key: reordered[key] for key in reversed(list(reordered))}
    assert diff_outputs(output(), old).identical

    new = output()
    new[APP_FILE][0]["data"]["LOG_LEVEL"] = 1  # the same text once quoted away, another value
    old[APP_FILE][0]["data"]["LOG_LEVEL"] = "1"
    assert only(diff_outputs(new, old)).status == "changed"


def test_an_added_object_is_diffed_from_nothing() -> None:
    new = output()
    new[APP_FILE].insert(1, config_map("todo-extra", FEATURE="on"))
    new[APP_FILE].append(deployment("todo-worker"))
    result = diff_outputs(new, output())
    added, worker = result.changes
    assert (added.status, added.kind, added.name, added.file, added.rolls) == (
        "added",
        "ConfigMap",
        "todo-extra",
        APP_FILE,
        False,
    )
    lines = added.diff.splitlines()
    assert lines[:3] == ["--- /dev/null", f"+++ rendered/{APP_FILE} (ConfigMap {NS}/todo-extra)", "@@ -0,0 +1,7 @@"]
    assert lines[3:] == ["+" + line for line in dump_all([config_map("todo-extra", FEATURE="on")]).splitlines()]
    assert (worker.status, worker.rolls) == ("added", True)
    assert result.will_roll == ["todo-worker"]
    assert result.summary() == "0 changed, 2 added, 0 removed; will roll: todo-worker"
    assert f"added: ConfigMap todo-extra (namespace {NS}), {APP_FILE}\n--- /dev/null\n" in result.report()
    assert f"added: Deployment todo-worker (namespace {NS}), {APP_FILE}, will roll\n" in result.report()


def test_a_removed_object_is_diffed_to_nothing_and_listed_after_the_rendered_ones() -> None:
    old = output()
    old[NAMESPACE_FILE].append(config_map("todo-legacy", OLD="yes"))
    new = output()
    new[APP_FILE][1] = deployment(replicas=2)
    result = diff_outputs(new, old, old_label="dist")
    assert [(c.status, c.name) for c in result.changes] == [("changed", "todo-backend"), ("removed", "todo-legacy")]
    removed = result.changes[1]
    assert (removed.kind, removed.namespace, removed.file, removed.rolls) == ("ConfigMap", NS, NAMESPACE_FILE, False)
    lines = removed.diff.splitlines()
    assert lines[:2] == [f"--- dist/{NAMESPACE_FILE} (ConfigMap {NS}/todo-legacy)", "+++ /dev/null"]
    assert all(line.startswith("-") for line in lines[3:])
    assert "-  OLD: 'yes'" in lines
    assert not result.changes[0].rolls  # replicas only: the pod template is the same
    assert result.summary() == "1 changed, 0 added, 1 removed"
    assert result.report().endswith(
        f"removed: ConfigMap todo-legacy (namespace {NS}), {NAMESPACE_FILE}\n{removed.diff}\n\n{result.summary()}"
    )


def test_an_object_that_moved_to_another_file_is_the_same_object() -> None:
    new = output()
    new[NAMESPACE_FILE].append(new[APP_FILE].pop(0))  # the ConfigMap, unchanged, in another file
    assert diff_outputs(new, output()).identical

    new[NAMESPACE_FILE][1]["data"]["LOG_LEVEL"] = "DEBUG"
    change = only(diff_outputs(new, output()))
    assert (change.status, change.file) == ("changed", NAMESPACE_FILE)
    assert change.diff.splitlines()[:2] == [
        f"--- old/{APP_FILE} (ConfigMap {NS}/todo-config)",
        f"+++ rendered/{NAMESPACE_FILE} (ConfigMap {NS}/todo-config)",
    ]


def test_objects_are_told_apart_by_group_kind_namespace_and_name() -> None:
    new = output()
    other = config_map()
    other["metadata"]["namespace"] = "elsewhere"
    new[APP_FILE].append(other)
    moved_version = deployment()
    moved_version["apiVersion"] = "apps/v1beta2"  # same group: the same object, changed
    new[APP_FILE][1] = moved_version
    result = diff_outputs(new, output())
    assert [(c.status, c.kind, c.namespace) for c in result.changes] == [
        ("changed", "Deployment", NS),
        ("added", "ConfigMap", "elsewhere"),
    ]
    assert "-apiVersion: apps/v1\n+apiVersion: apps/v1beta2" in result.changes[0].diff


# --- rolling ----------------------------------------------------------------------------------------


def test_a_config_value_change_rolls_the_deployment_that_reads_it() -> None:
    old: Files = {APP_FILE: [config_map(LOG_LEVEL="INFO"), deployment(checksum="aaa111")]}
    new: Files = {APP_FILE: [config_map(LOG_LEVEL="DEBUG"), deployment(checksum="ccc333")]}
    result = diff_outputs(new, old)
    config, backend = result.changes
    assert (config.kind, config.status, config.rolls) == ("ConfigMap", "changed", False)
    assert (backend.kind, backend.status, backend.rolls) == ("Deployment", "changed", True)
    assert "-        checksum/config: aaa111\n+        checksum/config: ccc333" in backend.diff
    assert result.will_roll == ["todo-backend"]
    assert result.summary() == "2 changed, 0 added, 0 removed; will roll: todo-backend"
    assert f"changed: Deployment todo-backend (namespace {NS}), {APP_FILE}, will roll\n" in result.report()


def test_will_roll_lists_each_workload_once_in_order() -> None:
    new = output()
    new[APP_FILE][1] = deployment(image="todo:2.0")
    new[APP_FILE][2] = deployment("todo-frontend", checksum="new")
    stateful = deployment("todo-backend")
    stateful["kind"] = "StatefulSet"
    new[APP_FILE].append(stateful)  # same name, another kind: added, rolls, named once
    result = diff_outputs(new, output())
    assert [c.rolls for c in result.changes] == [True, True, True]
    assert result.will_roll == ["todo-backend", "todo-frontend"]
    assert result.summary() == "2 changed, 1 added, 0 removed; will roll: todo-backend, todo-frontend"


# --- Secrets: no value, ever ------------------------------------------------------------------------

OLD_VALUES = {
    "DATABASE_URL": "fake-old-hunter2-postgres",
    "API_TOKEN": "fake-same-token-swordfish",
    "OLD_ONLY": "fake-gone-letmein",
}
NEW_VALUES = {
    "DATABASE_URL": "fake-new-hunter3-postgres",
    "API_TOKEN": "fake-same-token-swordfish",
    "NEW_ONLY": "fake-fresh-opensesame",
}


def planted() -> list[str]:
    """Every fake value in plain text and base64, and pieces of them."""
    values = [*OLD_VALUES.values(), *NEW_VALUES.values()]
    encoded = [base64.b64encode(value.encode()).decode() for value in values]
    pieces = [text[start : start + 8] for text in values + encoded for start in range(0, len(text) - 7)]
    return values + encoded + pieces


def assert_no_value(result: DiffResult) -> None:
    shown = "\n".join([result.report(), result.summary(), repr(result), *(c.diff for c in result.changes)])
    leaked = [value for value in planted() if value in shown]
    assert leaked == [], shown


def test_a_secret_change_shows_which_keys_changed_but_no_value() -> None:
    old = output()
    old[SECRETS_FILE] = [secret(OLD_VALUES, labels={"tier": "one"})]
    new = output()
    new[SECRETS_FILE] = [secret(NEW_VALUES, labels={"tier": "two"})]
    result = diff_outputs(new, old, old_label="dist")
    change = only(result)
    assert (change.status, change.kind, change.name, change.file, change.rolls) == (
        "changed",
        "Secret",
        "todo-secrets",
        SECRETS_FILE,
        False,
    )
    assert change.diff.splitlines() == [
        f"--- dist/{SECRETS_FILE} (Secret {NS}/todo-secrets)",
        f"+++ rendered/{SECRETS_FILE} (Secret {NS}/todo-secrets)",
        "@@ -4,9 +4,9 @@",
        "   name: todo-secrets",
        f"   namespace: {NS}",
        "   labels:",
        "-    tier: one",  # other fields diff normally
        "+    tier: two",
        " type: Opaque",
        " data:",
        "-  DATABASE_URL: (old value)",
        "+  DATABASE_URL: (new value)",
        "   API_TOKEN: (unchanged)",
        "-  OLD_ONLY: (set)",
        "+  NEW_ONLY: (set)",
    ]
    assert_no_value(result)


def test_a_secret_whose_values_alone_changed_is_reported_without_them() -> None:
    old: Files = {SECRETS_FILE: [secret({"DATABASE_URL": OLD_VALUES["DATABASE_URL"]})]}
    new: Files = {SECRETS_FILE: [secret({"DATABASE_URL": NEW_VALUES["DATABASE_URL"]})]}
    new[SECRETS_FILE][0]["stringData"] = {"EXTRA": NEW_VALUES["NEW_ONLY"]}
    result = diff_outputs(new, old)
    change = only(result)
    assert "-  DATABASE_URL: (old value)\n+  DATABASE_URL: (new value)\n+stringData:\n+  EXTRA: (set)" in change.diff
    assert_no_value(result)


def test_an_added_or_removed_secret_is_masked_too() -> None:
    old: Files = {SECRETS_FILE: [secret(OLD_VALUES, "todo-old-secrets")]}
    new: Files = {SECRETS_FILE: [secret(NEW_VALUES, "todo-new-secrets")]}
    new[SECRETS_FILE][0]["stringData"] = {"PLAIN": NEW_VALUES["NEW_ONLY"]}
    old[SECRETS_FILE][0]["metadata"]["annotations"] = {
        "kubectl.kubernetes.io/last-applied-configuration": json.dumps(old[SECRETS_FILE][0]),
    }
    result = diff_outputs(new, old)
    assert [(c.status, c.name) for c in result.changes] == [("added", "todo-new-secrets"), ("removed", "todo-old-secrets")]
    added, removed = result.changes
    assert "+  DATABASE_URL: (set)\n+  API_TOKEN: (set)\n+  NEW_ONLY: (set)\n+stringData:\n+  PLAIN: (set)" in added.diff
    assert "-  DATABASE_URL: (set)\n-  API_TOKEN: (set)\n-  OLD_ONLY: (set)" in removed.diff
    assert "-    kubectl.kubernetes.io/last-applied-configuration: (set)" in removed.diff
    assert_no_value(result)


def test_secret_values_are_masked_when_read_back_from_an_output_directory(tmp_path: Path) -> None:
    write_output(tmp_path / "dist", {SECRETS_FILE: [secret(OLD_VALUES)]})
    result = diff_outputs({SECRETS_FILE: [secret(NEW_VALUES)]}, read_output(tmp_path / "dist"), old_label=str(tmp_path / "dist"))
    assert only(result).status == "changed"
    assert_no_value(result)


def test_diffing_leaves_the_manifests_as_they_were() -> None:
    new, old = output(), output()
    new[SECRETS_FILE][0]["data"]["API_TOKEN"] = "Y2hhbmdlZA=="
    before = copy.deepcopy((new, old))
    diff_outputs(new, old)
    assert (new, old) == before


# --- reading an output directory --------------------------------------------------------------------


def test_read_output_reads_each_yaml_file_and_ignores_the_rest(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    files = output()
    write_output(dist, files)
    (dist / "notes.txt").write_text("not a manifest\n", encoding="utf-8")
    (dist / "nested.yaml").mkdir()  # only files directly in the directory
    with (dist / APP_FILE).open("a", encoding="utf-8") as handle:
        handle.write("---\n---\n")  # empty documents are skipped
    assert (dist / MARKER).is_file()

    read = read_output(dist)
    assert list(read) == sorted(files)
    assert read == files
    assert diff_outputs(files, read, old_label=str(dist)).identical


def test_read_output_of_an_empty_directory_is_empty(tmp_path: Path) -> None:
    assert read_output(tmp_path) == {}


def test_a_missing_directory_cannot_be_read(tmp_path: Path) -> None:
    with pytest.raises(DiffError) as raised:
        read_output(tmp_path / "dist-old")
    assert (
        str(raised.value) == f"{tmp_path / 'dist-old'}: no such directory; render it first or pass --against an existing output"
    )


def test_a_file_is_not_an_output_directory(tmp_path: Path) -> None:
    path = tmp_path / "values.yaml"
    path.write_text("release: demo\n", encoding="utf-8")
    with pytest.raises(DiffError) as raised:
        read_output(path)
    assert str(raised.value).startswith(f"{path}: not a directory")
    assert "\n" not in str(raised.value)


def test_invalid_yaml_is_named_with_its_file_and_line(tmp_path: Path) -> None:
    dist = tmp_path / "dist"
    write_output(dist, output())
    text = dump_all(output()[APP_FILE]).splitlines()
    text[11] = "  bad: [unclosed: {"
    (dist / APP_FILE).write_text("\n".join(text) + "\n", encoding="utf-8")
    with pytest.raises(DiffError) as raised:
        read_output(dist)
    message = str(raised.value)
    assert message.startswith(f"{dist / APP_FILE}:")
    assert ": not valid YAML: " in message
    assert "\n" not in message
    line = int(message.removeprefix(f"{dist / APP_FILE}:").split(":")[0])
    assert 12 <= line <= len(text)


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("a: 1\n  b: 2\n", 2),
        ("a: 1\nb: 2\nb: [\n", 4),
        ("a: 1\nb: \x00\n", 2),
    ],
)
def test_the_line_of_a_yaml_error_is_the_line_of_the_problem(tmp_path: Path, text: str, line: int) -> None:
    (tmp_path / "x.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(DiffError, match=rf"^{tmp_path / 'x.yaml'}:{line}: not valid YAML: [^\n]+$"):
        read_output(tmp_path)


def test_a_yaml_error_in_the_secrets_file_does_not_quote_it(tmp_path: Path) -> None:
    (tmp_path / SECRETS_FILE).write_text(f"data:\n  TOKEN: {OLD_VALUES['API_TOKEN']}\n    broken: here\n", encoding="utf-8")
    with pytest.raises(DiffError) as raised:
        read_output(tmp_path)
    assert str(raised.value).startswith(f"{tmp_path / SECRETS_FILE}:3: not valid YAML: ")
    assert OLD_VALUES["API_TOKEN"] not in str(raised.value)


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("- a\n- b\n", "document 1 is a list, not a manifest (a mapping)"),
        (
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n---\nkind: ConfigMap\n",
            "document 2 is not a manifest: no apiVersion",
        ),
        ("apiVersion: v1\nkind: ConfigMap\ndata:\n  a: b\n", "document 1 is not a manifest: no metadata.name"),
    ],
)
def test_a_document_that_is_not_a_manifest_cannot_be_read(tmp_path: Path, text: str, problem: str) -> None:
    (tmp_path / APP_FILE).write_text(text, encoding="utf-8")
    with pytest.raises(DiffError) as raised:
        read_output(tmp_path)
    assert str(raised.value) == f"{tmp_path / APP_FILE}: {problem}"


def test_the_aliases_of_each_document_are_bounded(tmp_path: Path) -> None:
    manifest = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n"
    (tmp_path / APP_FILE).write_text(f"{manifest}---\n{manifest}data: &d {{k: *d}}\n---\n{BILLION_LAUGHS}", encoding="utf-8")
    with pytest.raises(DiffError) as raised:
        read_output(tmp_path)
    assert str(raised.value) == f"{tmp_path / APP_FILE}:8: alias *d: is inside the node &d it names; a recursive alias never ends"
    (tmp_path / APP_FILE).write_text(f"{manifest}---\n{BILLION_LAUGHS}", encoding="utf-8")
    with pytest.raises(DiffError) as raised:
        read_output(tmp_path)
    assert str(raised.value) == (
        f"{tmp_path / APP_FILE}:10: alias *e: the aliases up to here bring in 141148 nodes; "
        "at most 100000 may be brought in through aliases"
    )


def test_a_secret_is_masked_by_what_it_is_not_by_its_spelling(tmp_path: Path) -> None:
    """A Secret whose kind is spelt in another case, or inside a list of objects (a hand-edited
    previous output, an object of another group named so), is masked all the same."""
    lower = {**secret(OLD_VALUES, "lower"), "kind": "secret"}
    listed = {"apiVersion": "v1", "kind": "List", "metadata": {"name": "listed", "namespace": NS}, "items": [secret(OLD_VALUES)]}
    other_group = {**secret(OLD_VALUES, "grouped"), "apiVersion": "example.com/v1"}
    write_output(tmp_path / "dist", {APP_FILE: [lower, listed, other_group]})
    result = diff_outputs({APP_FILE: [config_map()]}, read_output(tmp_path / "dist"))
    assert sorted(c.name for c in result.changes if c.status == "removed") == ["grouped", "listed", "lower"]
    assert_no_value(result)


# --- an object renamed by a content hash ------------------------------------------------------------

MIGRATIONS_FILE = "15-migrations.k8s.yaml"


def job(name: str = "todo-migrate-0106c63f", image: str = "todo-backend:1.0", namespace: str = NS) -> dict[str, Any]:
    """A migration Job as the library names it: ``<name>-<8 hex digits of its pod template>``."""
    return {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": {"name": name, "namespace": namespace, "labels": {"app": "todo-migrate"}},
        "spec": {
            "backoffLimit": 2,
            "template": {
                "spec": {
                    "restartPolicy": "Never",
                    "containers": [{"name": "migrate", "image": image, "command": ["alembic", "upgrade", "head"]}],
                }
            },
        },
    }


def with_objects(*objects: dict[str, Any]) -> Files:
    files = output()
    files[MIGRATIONS_FILE] = list(objects)
    return files


def changed_lines(diff: str) -> list[str]:
    """The lines a unified diff removes or adds (not its ---/+++ header)."""
    return [line for line in diff.splitlines()[2:] if line[:1] in "-+"]


def test_a_job_renamed_by_its_content_hash_replaces_its_predecessor_in_one_line() -> None:
    """A one-line image change renames the migration Job: one change, "replaces Job <old>", whose
    diff is that one line, not the whole Job removed and added again."""
    old = with_objects(job("todo-migrate-0106c63f", "todo-backend:1.0"))
    new = with_objects(job("todo-migrate-9fead4ac", "todo-backend:1.1"))
    result = diff_outputs(new, old, old_label="dist")
    change = only(result)
    assert (change.status, change.kind, change.name, change.namespace, change.replaces, change.rolls) == (
        "changed",
        "Job",
        "todo-migrate-9fead4ac",
        NS,
        "todo-migrate-0106c63f",
        False,
    )
    assert change.header() == (
        f"changed: Job todo-migrate-9fead4ac (namespace {NS}), {MIGRATIONS_FILE}, replaces Job todo-migrate-0106c63f"
    )
    assert change.diff.splitlines()[:2] == [
        f"--- dist/{MIGRATIONS_FILE} (Job {NS}/todo-migrate-0106c63f)",
        f"+++ rendered/{MIGRATIONS_FILE} (Job {NS}/todo-migrate-9fead4ac)",
    ]
    assert changed_lines(change.diff) == ["-        image: todo-backend:1.0", "+        image: todo-backend:1.1"]
    assert result.summary() == "1 changed, 0 added, 0 removed"


def test_a_renamed_object_that_changed_nothing_else_still_replaces_its_predecessor() -> None:
    """A new name is a new object (a Job that runs again): reported, with an empty diff."""
    result = diff_outputs(with_objects(job("todo-migrate-9fead4ac")), with_objects(job("todo-migrate-0106c63f")))
    change = only(result)
    assert (change.status, change.replaces, change.diff) == ("changed", "todo-migrate-0106c63f", "")
    assert result.report().splitlines()[0].endswith("replaces Job todo-migrate-0106c63f")


def test_a_workload_renamed_by_a_hash_rolls() -> None:
    old = {APP_FILE: [deployment("todo-worker-0106c63f")]}
    new = {APP_FILE: [deployment("todo-worker-9fead4ac")]}
    change = only(diff_outputs(new, old))
    assert (change.replaces, change.rolls) == ("todo-worker-0106c63f", True)


def test_a_secret_renamed_by_a_hash_is_paired_and_still_masked() -> None:
    old: Files = {SECRETS_FILE: [secret(OLD_VALUES, "todo-secrets-0106c63f")]}
    new: Files = {SECRETS_FILE: [secret(NEW_VALUES, "todo-secrets-9fead4ac")]}
    result = diff_outputs(new, old)
    change = only(result)
    assert change.replaces == "todo-secrets-0106c63f"
    assert changed_lines(change.diff) == [
        "-  DATABASE_URL: (old value)",
        "+  DATABASE_URL: (new value)",
        "-  OLD_ONLY: (set)",
        "+  NEW_ONLY: (set)",
    ]
    assert_no_value(result)


@pytest.mark.parametrize(
    ("removed", "added"),
    [
        pytest.param([job("todo-migrate-0106c63f")], [job("todo-other-9fead4ac")], id="another base"),
        pytest.param([job("todo-migrate-0106c63f")], [job("todo-migrate-9fead4ac", namespace="elsewhere")], id="namespace"),
        pytest.param([job("todo-migrate-0106c63f")], [{**job("todo-migrate-9fead4ac"), "kind": "CronJob"}], id="another kind"),
        pytest.param(
            [job("todo-migrate-0106c63f")],
            [{**job("todo-migrate-9fead4ac"), "apiVersion": "example.com/v1"}],
            id="another group",
        ),
        pytest.param([job("todo-migrate-0106c63f")], [job("todo-migrate-9fead4ac00")], id="hashes of two lengths"),
        pytest.param([job("todo-migrate-0106C63F")], [job("todo-migrate-9FEAD4AC")], id="not lowercase hex"),
        pytest.param([job("todo-migrate-v1")], [job("todo-migrate-v2")], id="not a hash"),
        pytest.param([job("todo-migrate-0106c63")], [job("todo-migrate-9fead4a")], id="7 digits"),
        pytest.param([job("todo-migrate0106c63f")], [job("todo-migrate9fead4ac")], id="no dash"),
        pytest.param([job("0106c63f")], [job("9fead4ac")], id="no base"),
        pytest.param(
            [job("todo-migrate-0106c63f"), job("todo-migrate-11111111")], [job("todo-migrate-9fead4ac")], id="two by one"
        ),
        pytest.param(
            [job("todo-migrate-0106c63f")], [job("todo-migrate-9fead4ac"), job("todo-migrate-22222222")], id="one by two"
        ),
    ],
)
def test_only_a_hash_of_the_same_base_kind_and_namespace_one_for_one_is_paired(
    removed: list[dict[str, Any]], added: list[dict[str, Any]]
) -> None:
    """Anything but exactly one out and one in, under the same base, hash length, group, kind and
    namespace, stays additions and removals: unrelated objects are never paired."""
    result = diff_outputs(with_objects(*added), with_objects(*removed))
    assert sorted(c.status for c in result.changes) == ["added"] * len(added) + ["removed"] * len(removed)
    assert all(c.replaces is None for c in result.changes)


def test_a_hash_renamed_object_beside_its_unchanged_predecessor_is_added() -> None:
    """The old object still rendered is no predecessor: the new one is an addition."""
    old = with_objects(job("todo-migrate-0106c63f"))
    new = with_objects(job("todo-migrate-0106c63f"), job("todo-migrate-9fead4ac"))
    change = only(diff_outputs(new, old))
    assert (change.status, change.name, change.replaces) == ("added", "todo-migrate-9fead4ac", None)


def test_pairs_are_made_per_namespace() -> None:
    """The same base in two namespaces: each new Job replaces the old one of its own namespace."""
    old = with_objects(job("todo-migrate-0106c63f", namespace="a"), job("todo-migrate-11111111", namespace="b"))
    new = with_objects(job("todo-migrate-9fead4ac", namespace="a"), job("todo-migrate-22222222", namespace="b"))
    result = diff_outputs(new, old)
    assert [(c.status, c.namespace, c.name, c.replaces) for c in result.changes] == [
        ("changed", "a", "todo-migrate-9fead4ac", "todo-migrate-0106c63f"),
        ("changed", "b", "todo-migrate-22222222", "todo-migrate-11111111"),
    ]


# --- scale: linear in the number of objects ---------------------------------------------------------

SCALE = 25_000  # make bench times 25k, 50k and 100k; here a step quadratic in it would take minutes


def small(index: int, value: str = "same") -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": f"todo-{index}", "namespace": NS},
        "data": {"KEY": value},
    }


def test_a_diff_of_25k_objects_through_an_output_directory(tmp_path: Path) -> None:
    """25k objects, read back from an output directory as ``main.py diff`` reads it (what is
    rendered again unchanged is taken as it is: :func:`known_documents`), one changed and one
    renamed by its hash: exactly those two changes. Each object is looked up by identity in a
    dictionary, once: linear (``make bench`` prints the figures; no test times)."""
    half = (SCALE - 1) // 2
    old: Files = {
        NAMESPACE_FILE: [small(index) for index in range(half)],
        APP_FILE: [small(index) for index in range(half, SCALE - 1)],
        MIGRATIONS_FILE: [job("todo-migrate-0106c63f", "todo-backend:1.0")],
    }
    old[NAMESPACE_FILE][7] = small(7, "old")
    new = {**old, MIGRATIONS_FILE: [job("todo-migrate-9fead4ac", "todo-backend:1.1")]}
    new[NAMESPACE_FILE] = [*old[NAMESPACE_FILE]]
    new[NAMESPACE_FILE][7] = small(7, "new")
    known = known_documents(new)
    write_output(tmp_path / "dist", old, {id(doc): text for text, doc in known.items()})
    del old
    result = diff_outputs(new, read_output(tmp_path / "dist", known))
    assert sum(len(manifests) for manifests in new.values()) == SCALE
    assert [(c.status, c.name, c.replaces) for c in result.changes] == [
        ("changed", "todo-7", None),
        ("changed", "todo-migrate-9fead4ac", "todo-migrate-0106c63f"),
    ]
    assert changed_lines(result.changes[0].diff) == ["-  KEY: old", "+  KEY: new"]
    assert changed_lines(result.changes[1].diff) == ["-        image: todo-backend:1.0", "+        image: todo-backend:1.1"]


def test_an_output_directory_not_as_rendered_is_parsed_whole(tmp_path: Path) -> None:
    """A file whose documents are not what a synth writes (a hand edit's quotes) is parsed,
    and compared as data all the same."""
    write_output(tmp_path / "dist", output())
    app = tmp_path / "dist" / APP_FILE
    app.write_text(app.read_text().replace("  LOG_LEVEL: INFO\n", "  LOG_LEVEL: 'INFO'\n"))
    assert diff_outputs(output(), read_output(tmp_path / "dist", known_documents(output()))).identical


def test_an_identity_that_is_there_many_times_is_matched_occurrence_by_occurrence() -> None:
    """A hand-edited output may repeat an object: each occurrence is matched with the same one of
    the other side (the many copies counted apart, so that they cost no more than other objects)."""
    copies = [config_map(KEY=str(index)) for index in range(1000)]
    old: Files = {APP_FILE: copies}
    new: Files = {APP_FILE: [*copies[:500], config_map(KEY="changed"), *copies[501:999]]}
    result = diff_outputs(new, old)
    assert [(c.status, c.name) for c in result.changes] == [("changed", "todo-config"), ("removed", "todo-config")]
    assert changed_lines(result.changes[0].diff) == ["-  KEY: '500'", "+  KEY: changed"]
    assert changed_lines(result.changes[1].diff)[-1] == "-  KEY: '999'"


def test_a_star_in_every_document_is_no_alias_and_a_real_alias_is_still_found(tmp_path: Path) -> None:
    """The alias check reads each document's own text: wildcard hosts in every document are
    values, and a recursive alias after them is found at its line."""
    host = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: h%d}\ndata: {HOST: '*.example.com'}\n"
    (tmp_path / APP_FILE).write_text("---\n".join(host % index for index in range(3)), encoding="utf-8")
    assert [m["data"]["HOST"] for m in read_output(tmp_path)[APP_FILE]] == ["*.example.com"] * 3
    (tmp_path / APP_FILE).write_text(
        "---\n".join([*(host % index for index in range(3)), "apiVersion: v1\nkind: ConfigMap\nmetadata: &m {name: *m}\n"]),
        encoding="utf-8",
    )
    with pytest.raises(DiffError) as raised:
        read_output(tmp_path)
    assert str(raised.value).startswith(f"{tmp_path / APP_FILE}:18: alias *m: is inside the node &m it names")
