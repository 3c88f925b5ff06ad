"""The faster loader and dumper give exactly what PyYAML's safe ones (C where there) give."""

from __future__ import annotations

from typing import Any

import yaml
from hypothesis import given
from hypothesis import strategies as st

from values_app.yaml_io import Dumper, Loader, dump_all

SAFE_DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
TRICKY = [
    "",
    "yes",
    "No",
    "on",
    "off",
    "null",
    "~",
    "true",
    "1",
    "0o17",
    "0x1F",
    "1.0",
    "1e3",
    ".inf",
    "2026-11-23",
    "12:30",
    "- item",
    "key: value",
    "#comment",
    " leading",
    "trailing ",
    "multi\nline\n",
    'quote\'s "both"',
    "ünïcödé ✓",
    "*alias",
    "&anchor",
    "!tag",
    "@at",
    "`tick",
    "%percent",
    "a" * 300,
]


def dumped(docs: list[Any]) -> tuple[str, str]:
    options: dict[str, Any] = {"sort_keys": False, "default_flow_style": False, "width": 2**16, "allow_unicode": True}
    return yaml.dump_all(docs, Dumper=Dumper, **options), yaml.dump_all(docs, Dumper=SAFE_DUMPER, **options)


def test_dumper_writes_what_safe_dump_writes_for_tricky_scalars() -> None:
    doc = {
        "strings": TRICKY,
        "keys": {value or "empty": value for value in TRICKY},
        "numbers": [0, -1, 65535, 2**40, 1.5],
        "flags": [True, False, None],
        "empty": {"map": {}, "list": []},
        "nested": [[{"a": [1, {"b": "c"}]}]],
    }
    ours, theirs = dumped([doc, doc])
    assert ours == theirs
    assert "&" not in ours.replace("&anchor", "")  # the same dict twice: no anchors
    assert dump_all([doc, doc]) == theirs


json_like = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text() | st.sampled_from(TRICKY),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=20,
)


@given(st.lists(json_like, min_size=1, max_size=3))
def test_dumper_matches_safe_dump_and_round_trips(docs: list[Any]) -> None:
    ours, theirs = dumped(docs)
    assert ours == theirs
    assert dump_all(docs) == theirs
    assert list(yaml.load_all(ours, Loader=Loader)) == docs


def test_loader_reads_what_safe_load_reads() -> None:
    text = "a: yes\nb: 'yes'\nc: 0o17\nd: 1.0\ne: ~\nf: 2026-11-23\ng: [1, x, on]\n"
    assert yaml.load(text, Loader=Loader) == yaml.safe_load(text)
    assert yaml.load(text, Loader=Loader) == yaml.safe_load(text)  # again, from the cache
