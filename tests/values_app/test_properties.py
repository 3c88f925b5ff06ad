"""Property-based: any mutation of a preset is either rejected with a clean, located message, or
accepted and rendered into manifests that pass strict Kubernetes 1.27 schema validation.

Runs derandomized (the same examples every run, so CI never flakes); set HYPOTHESIS_PROFILE=explore
to search further (profiles in conftest.py).
"""

from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import Any

import yaml
from hypothesis import given
from hypothesis import strategies as st

from tests.crd_schemas import validate_kubernetes
from values_app.loader import ValuesError, load_layers, parse_values
from values_app.release import build_release
from values_app.synth import render_files

ROOT = Path(__file__).resolve().parents[2]
# Each preset as one document: an overlay merged over the files it extends.
PRESETS = {p.name: load_layers([p]).data for p in sorted((ROOT / "values").glob("*.yaml"))}
LOCATED = re.compile(r"^preset\.yaml(:\d+)?: \S.*$")

Path_ = tuple[str | int, ...]


def paths(node: Any, prefix: Path_ = ()) -> list[Path_]:
    """Every path to a value in a YAML document."""
    found: list[Path_] = []
    items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else []
    for key, value in items:
        found.append((*prefix, key))
        found += paths(value, (*prefix, key))
    return found


garbage = st.one_of(
    st.integers(min_value=-(10**6), max_value=10**6),
    st.floats(allow_nan=False, allow_infinity=False),
    st.booleans(),
    st.none(),
    st.just(""),
    st.text(max_size=12),
    st.sampled_from(["70000", "30080", "100m", "1Gi", "-1", "ALL", "/tmp", "${services.x.url}", "$", "a" * 70, "Todo"]),
    st.lists(st.integers(0, 5), max_size=2),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=2),
)


@st.composite
def mutated(draw: st.DrawFn) -> tuple[str, Any]:
    name = draw(st.sampled_from(sorted(PRESETS)))
    doc: Any = copy.deepcopy(PRESETS[name])
    path = draw(st.sampled_from(paths(doc)))
    parent = doc
    for part in path[:-1]:
        parent = parent[part]
    last = path[-1]
    action = draw(st.sampled_from(["replace", "delete", "unknown-key", "number-shift"]))
    if action == "delete":
        del parent[last]
    elif action == "unknown-key" and isinstance(parent, dict):
        parent[draw(st.sampled_from(["replica", "prot", "imagePullPolicy", "extra"]))] = draw(garbage)
    elif action == "number-shift" and isinstance(parent[last], int) and not isinstance(parent[last], bool):
        parent[last] = parent[last] + draw(st.sampled_from([-100000, -30000, -1, 1, 70000]))
    else:
        parent[last] = draw(garbage)
    return name, doc


@given(mutated())
def test_mutations_are_rejected_cleanly_or_render_valid_manifests(case: tuple[str, Any]) -> None:
    _, doc = case
    text = yaml.safe_dump(doc, sort_keys=False)
    try:
        values = parse_values(text, source="preset.yaml")
    except ValuesError as error:
        lines = error.lines
    else:
        release = build_release(values, environ={"DATABASE_URL": "fake-db"})
        for manifests in render_files(release).values():
            for manifest in manifests:
                validate_kubernetes(manifest)
        return
    assert lines
    for line in lines:
        assert LOCATED.match(line), line
