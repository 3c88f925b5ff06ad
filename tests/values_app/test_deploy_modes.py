"""Issue 29, item 4: one apply mode per printed sequence, and a way from one prune form to the
other that leaves nothing behind.

The printed client-side sequence is client-side from its first line to its last, the server-side
one server-side (its Namespace and migration steps too: a server-side apply of fields a client-side
apply set conflicts with ``kubectl-client-side-apply``); ``--force-conflicts`` only in the one-time
takeover. A small model of what each form prunes (``--prune``: objects with kubectl's
``last-applied-configuration``, of the allowlisted kinds, with the label, in the namespaces applied
to; an ApplySet: its members) plays a switch as the summary says, and the plain switch that leaves
a dropped object running."""

from __future__ import annotations

import shlex
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests import ordering
from tests.migration import inject_migration

ROOT = Path(__file__).resolve().parents[2]
PRESETS = sorted((ROOT / "values").glob("*.yaml"))


def rendered(preset: Path, migration: bool) -> Any:
    from values_app.loader import load_values
    from values_app.synth import render

    with pytest.MonkeyPatch.context() as patch:
        if migration:
            inject_migration(patch)
        values = load_values(preset)
    return render(values, environ={key: "x" for secret in values.secrets.values() for key in secret.keys})


def forms(lines: Sequence[str]) -> dict[str, list[str]]:
    sequences = ordering.printed_sequences(lines)
    found: dict[str, list[str]] = {}
    for header, commands in sequences.items():
        if header.startswith("Deploy"):
            found["client"] = commands
        elif header.startswith("or, server-side"):
            found["server"] = commands
        elif "take its objects over once" in header:
            found["takeover"] = commands
    return found


@pytest.mark.parametrize("migration", [False, True], ids=["plain", "migration"])
@pytest.mark.parametrize("preset", PRESETS, ids=[p.stem for p in PRESETS])
def test_each_printed_sequence_is_one_mode(preset: Path, migration: bool, tmp_path: Path) -> None:
    from values_app.deploy import deploy_plan

    render = rendered(preset, migration)
    lines = deploy_plan(tmp_path, render.files, render.release).lines()
    found = forms(lines)
    applies = {name: [c for c in commands if "kubectl apply" in c] for name, commands in found.items()}
    assert applies["client"]
    assert not any("--server-side" in c or "--force-conflicts" in c for c in applies["client"])
    if render.release.values.namespace.rendered:
        assert applies["client"][0].startswith("kubectl apply -f ")  # the Namespace, first
    if "server" in found:
        assert len(applies["server"]) == len(applies["client"])  # the same steps
        assert all("--server-side" in c for c in applies["server"])
        assert not any("--force-conflicts" in c for c in applies["server"])
        assert all("--force-conflicts" in c and "--server-side" in c for c in applies["takeover"])
        assert "To switch from the second to the first, deploy once more with the second" in "\n".join(lines)
    else:  # no ApplySet form, nothing to switch to
        assert "takeover" not in found
    assert [c for c in found["client"] if c.startswith("kubectl wait")] == [
        c for c in found.get("server", found["client"]) if c.startswith("kubectl wait")
    ]


# --- switching prune forms --------------------------------------------------------------------------


@dataclass
class Live:
    """What a form's pruning sees of each object: kubectl's annotation, ApplySet membership."""

    last_applied: bool = False
    member: bool = False


@dataclass
class PruneCluster:
    objects: dict[tuple[str, str, str], Live] = field(default_factory=dict)
    conflicts: list[str] = field(default_factory=list)

    def run(self, command: str, files: Mapping[str, Sequence[Mapping[str, Any]]]) -> None:
        words = shlex.split(command)
        while "=" in words[0]:
            words.pop(0)
        if words[1] != "apply":
            return
        paths = [words[i + 1] for i, w in enumerate(words) if w == "-f"]
        selector = words[words.index("-l") + 1] if "-l" in words else None
        server = "--server-side" in words
        force = "--force-conflicts" in words
        applyset = any(w.startswith("--applyset=") for w in words)
        allow = {w.split("=", 1)[1].rsplit("/", 1)[1] for w in words if w.startswith("--prune-allowlist=")}
        applied: set[tuple[str, str, str]] = set()
        for path in paths:
            for manifest in ordering._read(path, files, "-R" in words):
                if not ordering._selects(selector if not (applyset or "--prune" in words) else None, manifest):
                    continue
                meta = manifest["metadata"]
                key = (str(manifest["kind"]), str(meta.get("namespace", "")), str(meta["name"]))
                live = self.objects.setdefault(key, Live())
                if server and live.last_applied and not force and manifest["kind"] == "ExternalSecret":
                    self.conflicts.append(f"{key}: conflict with kubectl-client-side-apply")
                if not server:
                    live.last_applied = True
                if applyset:
                    live.member = True
                applied.add(key)
        if "--prune" not in words:
            return
        namespaces = {key[1] for key in applied}
        for key, live in list(self.objects.items()):
            if key in applied or key[1] not in namespaces:
                continue
            if (applyset and live.member) or (not applyset and live.last_applied and key[0] in allow):
                del self.objects[key]


def deploy(cluster: PruneCluster, commands: Sequence[str], files: Mapping[str, Sequence[Mapping[str, Any]]]) -> None:
    for command in commands:
        cluster.run(command, files)


def test_switching_prune_forms_as_printed_leaves_nothing_behind(tmp_path: Path) -> None:
    from values_app.deploy import deploy_plan

    preset = ROOT / "values" / "production.yaml"
    out = tmp_path / "dist"
    first, second = rendered(preset, True), rendered(preset, False)  # the second drops the migration
    plans = [forms(deploy_plan(out, r.files, r.release).lines()) for r in (first, second)]
    files = [{str(out / name): docs for name, docs in r.files.items()} for r in (first, second)]
    dropped = ("ServiceAccount", "todo-chatbot", "todo-chatbot-migrate")

    for start, then in (("client", "server"), ("server", "client")):
        # straight from one form to the other: the dropped migration's ServiceAccount stays
        cluster = PruneCluster()
        deploy(cluster, plans[0][start], files[0])
        assert dropped in cluster.objects
        deploy(cluster, plans[1][then] if then == "client" else plans[1]["takeover"], files[1])
        assert dropped in cluster.objects, (start, then)
        # as printed: once more with the old form, (take over,) then the new one
        cluster = PruneCluster()
        deploy(cluster, plans[0][start], files[0])
        deploy(cluster, plans[1][start], files[1])
        if then == "server":
            deploy(cluster, plans[1]["takeover"], files[1])
        deploy(cluster, plans[1][then], files[1])
        assert dropped not in cluster.objects
        assert set(cluster.objects) == {
            ("Namespace" if m["kind"] == "Namespace" else m["kind"], m["metadata"].get("namespace", ""), m["metadata"]["name"])
            for docs in files[1].values()
            for m in docs
        }
        # and from then on the new form prunes: a third deploy of the first output, then the second
        deploy(cluster, plans[0][then], files[0])
        deploy(cluster, plans[1][then], files[1])
        assert dropped not in cluster.objects
        assert cluster.conflicts == []
