"""values_app/jsii_type_checks.py (main.py, run as a program, opts in): jsii's type checks answered
at once where the value plainly has its type, typeguard for the rest; never a value accepted that
typeguard refuses.

The types are spelled as jsii's generated code spells them (``typing.Optional[...]``), not as
ruff would have them written."""

# ruff: noqa: UP006, UP007, UP045

from __future__ import annotations

import collections.abc
import typing
from pathlib import Path
from typing import Any

import cdk8s
import jsii
import pytest
import typeguard
from hypothesis import given
from hypothesis import strategies as st

import constructs as upstream
from tests.helpers import loaded_by, pinned
from values_app import jsii_type_checks
from values_app.jsii_type_checks import WRITTEN_FOR, plainly_matches
from webapp_constructs._api_service import ApiService
from webapp_constructs._web_service import WebService

ROOT = Path(__file__).resolve().parents[2]


@jsii.implements(upstream.IValidation)
class _Validation:
    def validate(self) -> list[str]:
        return []


EXPECTED: list[Any] = [
    Any,
    str,
    int,
    bool,
    float,
    bytes,
    typing.Optional[str],
    typing.Optional[bool],
    typing.Union[int, float],  # jsii.Number
    typing.Sequence[str],
    typing.List[str],
    typing.Optional[typing.Sequence[str]],
    typing.Mapping[str, str],
    typing.Dict[str, int],
    typing.Optional[typing.Mapping[str, typing.Any]],
    typing.Sequence[typing.Mapping[str, str]],
    typing.Tuple[str, int],
    typing.Tuple[str, ...],
    typing.Literal["a"],
    typing.Callable[[], None],
    list[str],
    upstream.Construct,
    upstream.IConstruct,
    upstream.IValidation,
    cdk8s.Chart,
    cdk8s.YamlOutputType,
    typing.Optional[cdk8s.YamlOutputType],
    str | None,
]


def _values() -> st.SearchStrategy[Any]:
    scalars = st.one_of(
        st.none(),
        st.booleans(),
        st.integers(),
        st.floats(allow_nan=False),
        st.text(max_size=3),
        st.binary(max_size=2),
        st.sampled_from(list(cdk8s.YamlOutputType)),
        st.sampled_from([object(), _Validation()]),
        st.builds(cdk8s.Testing.app),
    )
    return st.recursive(
        scalars,
        lambda inner: st.one_of(
            st.lists(inner, max_size=3),
            st.tuples(inner, inner),
            st.dictionaries(st.one_of(st.text(max_size=2), st.integers()), inner, max_size=3),
        ),
        max_leaves=6,
    )


@given(value=_values(), expected=st.sampled_from(EXPECTED))
def test_what_it_accepts_typeguard_accepts(value: Any, expected: Any) -> None:
    if plainly_matches(value, expected):
        typeguard.check_type("argument x", value, expected)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("api", str),
        (None, typing.Optional[str]),
        (True, typing.Optional[bool]),
        (3, typing.Union[int, float]),
        (1.5, typing.Union[int, float]),  # jsii.Number
        (2, float),
        (["a", "b"], typing.Sequence[str]),
        ({"a": "b"}, typing.Optional[typing.Mapping[str, str]]),
        ({"a": 1}, typing.Dict[str, int]),
        (cdk8s.YamlOutputType.FILE_PER_CHART, typing.Optional[cdk8s.YamlOutputType]),
        (_Validation(), upstream.IValidation),  # declared with @jsii.implements
        (["a"], list[str]),  # a generic alias, not the class list
        (None, str | None),
        (("a", "b"), typing.Tuple[str, ...]),  # *args
    ],
)
def test_plain_values_are_answered_at_once(value: Any, expected: Any) -> None:
    assert plainly_matches(value, expected)


def test_a_construct_is_answered_at_once(chart: cdk8s.Chart) -> None:
    assert plainly_matches(chart, upstream.Construct)
    assert plainly_matches(chart, upstream.IConstruct)  # declared by the jsii class
    assert plainly_matches(chart.node.scope, typing.Optional[upstream.IConstruct])


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (5, str),
        ("5", int),
        ("1.5", float),
        (1j, float),
        ("ab", typing.Sequence[str]),  # a str is a sequence of str to typeguard: its answer
        (["a", 1], typing.Sequence[str]),
        ({"a": 1}, typing.Mapping[str, str]),
        ({1: "a"}, typing.Mapping[str, str]),
        (("a", 1), typing.Tuple[str, int]),
        (("a", 1), typing.Tuple[str, ...]),
        (["a"], typing.Tuple[str, ...]),
        ("a", typing.Literal["a"]),
        (object(), upstream.IValidation),  # not declared: typeguard decides
        (b"x", bytes),
    ],
)
def test_anything_else_is_left_to_typeguard(value: Any, expected: Any) -> None:
    assert not plainly_matches(value, expected)


def test_a_wrong_argument_is_refused_as_typeguard_refuses_it() -> None:
    """The same TypeError as typeguard's, whatever typeguard words it: the check only ever accepts
    sooner, it never refuses in its own words."""
    app = cdk8s.Testing.app()
    with pytest.raises(TypeError) as refused:
        cdk8s.Chart(app, 5)  # type: ignore[arg-type]
    with pytest.raises(TypeError) as by_typeguard:
        typeguard.check_type("argument id", 5, str)
    assert str(refused.value) == str(by_typeguard.value)
    with pytest.raises(TypeError) as refused:
        cdk8s.Chart(app, "c", labels=["a"])  # type: ignore[arg-type]
    with pytest.raises(TypeError) as by_typeguard:
        typeguard.check_type("argument labels", ["a"], typing.Optional[typing.Mapping[str, str]])
    assert str(refused.value) == str(by_typeguard.value)


ON_ITS_JSII = pytest.mark.skipif(
    jsii.__version__ != WRITTEN_FOR,
    reason=f"written for jsii {WRITTEN_FOR}; on another, install() does nothing (test_on_another_jsii_nothing_is_done)",
)


def test_written_for_the_pinned_jsii() -> None:
    """Fails when the pin of jsii moves: read jsii's ``_type_checking`` again (``_resolved_check``
    and ``_load_typeguard_check``, their arguments and what they return), then raise WRITTEN_FOR.
    (A run on another jsii, such as the lowest pyproject allows, leaves jsii as it is.)"""
    assert pinned("jsii") == WRITTEN_FOR


@ON_ITS_JSII
def test_installed_once_in_front_of_typeguard(monkeypatch: pytest.MonkeyPatch) -> None:
    from jsii import _type_checking

    original = _type_checking._resolved_check
    monkeypatch.setattr(_type_checking, "_resolved_check", original)  # put back after the test
    assert jsii_type_checks.install()
    installed = _type_checking._resolved_check
    assert getattr(installed, "_plain_first", False)
    assert jsii_type_checks.install()
    assert _type_checking._resolved_check is installed


def test_on_another_jsii_nothing_is_done(monkeypatch: pytest.MonkeyPatch) -> None:
    from jsii import _type_checking

    original = _type_checking._resolved_check
    monkeypatch.setattr(_type_checking, "_resolved_check", original)
    monkeypatch.setattr(jsii, "__version__", "1.143.0")
    assert not jsii_type_checks.install()
    assert _type_checking._resolved_check is original


def test_the_library_alone_leaves_jsii_as_it_is(tmp_path: Path) -> None:
    """Importing the library and making its constructs replaces nothing of jsii's (the program's
    assert fails the run otherwise)."""
    program = (
        "import cdk8s\n"
        "from jsii import _type_checking\n"
        "import webapp_constructs\n"
        "from webapp_constructs._api_service import ApiService\n"
        "ApiService(cdk8s.Chart(cdk8s.App(), 'c'), 'api', image='api:1')\n"
        "assert not getattr(_type_checking._resolved_check, '_plain_first', False)\n"
    )
    assert loaded_by(program, [], cwd=tmp_path) == []


@ON_ITS_JSII
def test_a_synth_of_plain_arguments_never_reaches_typeguard(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """The point of it: every check of a chart of this library's constructs (and its App checks),
    made and synthesized, is answered without typeguard's check being loaded. (Which modules jsii,
    cdk8s or typeguard import is theirs to choose: cdk8s 2.70.0's generated code imports typeguard
    itself and checks inline, past jsii's hook.)"""
    from jsii import _type_checking

    load = _type_checking._load_typeguard_check
    loads: list[str] = []

    def loading() -> Any:
        loads.append("typeguard")
        return load()

    monkeypatch.setattr(_type_checking, "_resolved_check", None)
    monkeypatch.setattr(_type_checking, "_load_typeguard_check", loading)
    jsii_type_checks.install()  # in front of a typeguard check not loaded yet, as in a new process

    app = cdk8s.App(outdir=str(tmp_path / "out"))
    chart = cdk8s.Chart(app, "todo", namespace="todo", labels={"team": "a"}, disable_resource_name_hashes=True)
    api = ApiService(chart, "api", image="api:1")
    WebService(chart, "web", image="web:1").connect(api, env="API_URL")
    app.synth()
    assert loads == []
    assert (tmp_path / "out" / "todo.k8s.yaml").is_file()

    _type_checking.check_type("argument x", ("a", 1), typing.Tuple[str, int])  # not plain: asks typeguard
    assert loads == ["typeguard"]


def test_a_mapping_checked_item_by_item() -> None:
    labels: collections.abc.Mapping[str, str] = {"a": "b", "c": "d"}
    assert plainly_matches(labels, typing.Mapping[str, str])
    assert not plainly_matches({**labels, "e": None}, typing.Mapping[str, str])
