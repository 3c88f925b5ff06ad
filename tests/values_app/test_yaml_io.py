"""The faster loader and dumper give exactly what PyYAML's safe ones (C where there) give."""

from __future__ import annotations

from typing import Any

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from values_app.yaml_io import MAX_ALIAS_NODES, Dumper, Loader, alias_problem, dump_all

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


# --- aliases, bounded -------------------------------------------------------------------------------

BILLION_LAUGHS = "".join(
    [
        'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n',
        *(f"{n}: &{n} [{','.join([f'*{p}'] * 9)}]\n" for p, n in zip("abcdefgh", "bcdefghi", strict=True)),
    ]
)
"""342 bytes; 9**9 (387 million) strings with its aliases expanded."""


def aliases(text: str) -> str | None:
    loader = Loader(text)
    try:
        return alias_problem(loader.get_single_node(), "v.yaml", text)
    finally:
        loader.dispose()


def bringing(count: int) -> str:
    """A document whose aliases bring in ``count`` nodes: ``*a`` 1000 each (a list and its 999
    items), ``*s`` 1."""
    lists, scalars = divmod(count, 1000)
    return f"a: &a [{', '.join(['x'] * 999)}]\ns: &s x\nb: [{', '.join(['*a'] * lists)}]\nc: [{', '.join(['*s'] * scalars)}]\n"


@pytest.mark.parametrize(("count", "refused"), [(MAX_ALIAS_NODES, False), (MAX_ALIAS_NODES + 1, True)])
def test_aliases_bring_in_at_most_100000_nodes(count: int, refused: bool) -> None:
    assert MAX_ALIAS_NODES == 100_000
    found = aliases(bringing(count))
    if refused:
        assert found == (
            "v.yaml:4: alias *s: the aliases up to here bring in 100001 nodes; at most 100000 may be brought in through aliases"
        )
    else:
        assert found is None


def test_the_billion_laughs_is_refused_at_once_at_its_alias() -> None:
    assert len(BILLION_LAUGHS) == 342
    assert aliases(BILLION_LAUGHS) == (
        "v.yaml:6: alias *e: the aliases up to here bring in 141148 nodes; at most 100000 may be brought in through aliases"
    )


@pytest.mark.parametrize(
    ("text", "line", "anchor"), [("a: &a [*a]\n", 1, "a"), ("x: 1\nb: &b\n  c: [1, *b]\n", 3, "b"), ("&r {k: *r}\n", 1, "r")]
)
def test_an_alias_inside_the_node_it_names_is_refused(text: str, line: int, anchor: str) -> None:
    assert aliases(text) == (
        f"v.yaml:{line}: alias *{anchor}: is inside the node &{anchor} it names; a recursive alias never ends"
    )


def test_aliases_of_shared_nodes_count_once_per_alias() -> None:
    # *d is met 3 times: each time it brings its 3 nodes (a list, its alias *s, and the string)
    assert aliases("s: &s x\nd: &d [*s, y]\ne: [*d, *d, *d]\n") is None
    assert aliases("k: 'no * alias here'\n") is None


LOADED = [
    "a: yes\nb: 'yes'\nc: 0o17\nd: 1.0\ne: ~\nf: 2026-11-23\ng: [1, x, on]\n",
    "base: &base {image: api, env: [A, B]}\nother: *base\nlist: [*base, *base]\n",
    "defaults: &d {a: 1, b: 2}\nmerged:\n  <<: *d\n  b: 3\n",  # a merge key: as the safe constructor does
    "? [complex, key]\n: value\n",
    "1: int key\ntrue: bool key\nnull: null key\n2.5: float key\n",
    "tagged: !!str 123\nbinary: !!binary aGVsbG8=\nset: !!set {a, b}\npairs: !!pairs [a: 1, b: 2]\n",
    "recursive: &r [1, *r]\n",
    "- a\n- {b: [c, {d: e}]}\n- []\n- {}\n- ''\n",
    "dup: 1\ndup: 2\n",
    "<<: 5\n",  # hostile: a merge of a scalar is refused, as safe_load refuses it
    "a: &x text\nb:\n  <<: *x\n",
    "{[a]: 1}\n",  # an unhashable key in a flow mapping
    "a: !!python/object:os.system ls\n",  # a tag the safe loader never runs
    "k: " + "[" * 50 + "]" * 50 + "\n",
]


@pytest.mark.parametrize("text", LOADED)
def test_loader_constructs_what_safe_load_constructs(text: str) -> None:
    try:
        theirs = yaml.safe_load(text)
    except yaml.YAMLError as error:
        with pytest.raises(type(error)):
            yaml.load(text, Loader=Loader)
        return
    ours = yaml.load(text, Loader=Loader)
    assert repr(ours) == repr(theirs)


def test_an_alias_is_the_very_object_it_names_as_with_safe_load() -> None:
    ours = yaml.load("base: &base {env: [A]}\nother: *base\nmerged: {<<: *base, x: 1}\n", Loader=Loader)
    assert ours["other"] is ours["base"]
    assert ours["merged"] == {"env": ["A"], "x": 1}
    assert ours["merged"]["env"] is ours["base"]["env"]
    recursive = yaml.load("r: &r [1, *r]\n", Loader=Loader)["r"]
    assert recursive[1] is recursive


def test_every_preset_loads_as_safe_load_loads_it() -> None:
    from pathlib import Path

    for path in sorted((Path(__file__).resolve().parents[2] / "values").glob("*.yaml")):
        text = path.read_text()
        assert yaml.load(text, Loader=Loader) == yaml.safe_load(text), path.name


PLAIN = [
    "a: yes\nb: 'yes'\nc: 0o17\nd: 1.0\ne: ~\nf: 2026-11-23\ng: [1, x, on]\nh: 1e3\ni: .inf\nj: -0x1F\n",
    "- a\n- {b: [c, {d: e}]}\n- []\n- {}\n- ''\n",
    "1: int key\ntrue: bool key\nnull: null key\n2.5: float key\n",
    'quoted: "a: b # c"\nfolded: >\n  two\n  lines\nliteral: |\n  keep\n  it\n',
    "non-specific: ! 12\nflow: ! {a: 1}\n",
    "deep: " + "[" * 63 + "]" * 63 + "\n",
    "---\nonly: one document\n...\n",
    "k: " + "{a: " * 20 + "1" + "}" * 20 + "\n",
]
NOT_PLAIN = [
    ("", "no document"),
    ("# a comment only\n", "no document"),
    ("just a scalar\n", "a scalar document"),
    ("a: 1\n---\nb: 2\n", "two documents"),
    ("base: &base {a: 1}\nother: *base\n", "an anchor and an alias"),
    ("defaults: &d {a: 1}\nmerged:\n  <<: *d\n", "a merge key"),
    ("<<: {a: 1}\n", "a merge key without alias"),
    ("tagged: !!str 123\n", "an explicit scalar tag"),
    ("set: !!set {a, b}\n", "an explicit collection tag"),
    ("a: !!python/object:os.system ls\n", "a tag the safe loader never runs"),
    ("? [complex, key]\n: value\n", "a collection as a key"),
    ("dup: 1\ndup: 2\n", "a repeated key"),
    ("'dup': 1\ndup: 2\n", "a repeated key as written, quoted once"),
    ("a: [1, 2\n", "not valid YAML"),
    ("a: b: c\n", "not valid YAML"),
    ("k: " + "[" * 64 + "]" * 64 + "\n", "65 collections deep"),
    ("k: " + "[" * 100_000, "deep and unterminated"),
    ("a: =\n", "a value key the safe constructor does not construct"),
]


@pytest.mark.parametrize("text", PLAIN)
def test_a_plain_document_loads_straight_from_the_events_as_safe_load_loads_it(text: str) -> None:
    from values_app.yaml_io import load_plain

    ours = load_plain(text, 64)
    assert ours is not None
    assert repr(ours) == repr(yaml.safe_load(text))


@pytest.mark.parametrize(("text", "why"), NOT_PLAIN, ids=[why for _, why in NOT_PLAIN])
def test_anything_but_a_plain_document_is_left_to_the_full_way(text: str, why: str) -> None:
    from values_app.yaml_io import load_plain

    assert load_plain(text, 64) is None, why


def test_every_preset_is_plain_and_loads_straight_as_safe_load_loads_it() -> None:
    from pathlib import Path

    from values_app.yaml_io import load_plain

    for path in sorted((Path(__file__).resolve().parents[2] / "values").glob("*.yaml")):
        text = path.read_text()
        assert load_plain(text, 64) == yaml.safe_load(text), path.name


@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(max_size=8),
        lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
        max_leaves=12,
    ).map(lambda data: {"root": data}),
    st.booleans(),
)
def test_what_the_safe_dumper_writes_loads_straight_back(data: dict[str, Any], flow: bool) -> None:
    from values_app.yaml_io import load_plain

    text = yaml.dump(data, Dumper=SAFE_DUMPER, default_flow_style=flow, allow_unicode=True)
    assert load_plain(text, 64) == yaml.safe_load(text) == data


def test_no_secret_value_is_kept_after_it_is_written_or_read() -> None:
    """Written (the fast way and through PyYAML) or read, a Secret's values leave no trace in the
    caches, whatever the Secret's spelling; other strings are kept."""
    from values_app.yaml_io import cached_strings, forget_secret_values

    planted = ["cGxhbnRlZC12YWx1ZQ==", "planted: value with: colons", "a\nmulti-line planted value", "yes", "1.5e3-planted"]
    secrets = [
        {"apiVersion": "v1", "kind": kind, "metadata": {"name": "s"}, "data": {f"K{i}": value for i, value in enumerate(planted)}}
        for kind in ("Secret", "secret", "SECRET")
    ]
    a_list = {"apiVersion": "v1", "kind": "List", "items": [{**secrets[0], "stringData": {"X": "planted-in-a-list"}}]}
    other = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "kept-config-name"}, "data": {"K": "kept-value"}}
    text = dump_all([*secrets, a_list, other])
    loader = Loader(text)
    try:
        while loader.check_node():
            forget_secret_values(loader.construct_document(loader.get_node()))
    finally:
        loader.dispose()
    dump_all([secrets[0], {"k": 1.5}])  # through PyYAML: a float
    held = cached_strings()[1]
    assert not [value for value in [*planted, "planted-in-a-list"] if value in held]
    assert "kept-value" in held


def test_the_caches_are_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    from values_app import yaml_io
    from values_app.yaml_io import cached_strings

    monkeypatch.setattr(yaml_io, "CACHE_ENTRIES", 500)  # the bound as any size would have it, filled three times over
    for start in range(0, 3 * 500, 100):
        dump_all([{f"key-{n}": f"value-{n}" for n in range(start, start + 100)}])
        yaml.load(dump_all([{"k": [f"v{n}" for n in range(start, start + 100)]}]), Loader=Loader)
    assert 0 < cached_strings()[0] <= 500
