"""Props: every problem at once, each with its field, its value and what is allowed."""

from __future__ import annotations

import dataclasses
import inspect
from typing import Any

import pytest

from tests.helpers import load_library
from webapp_constructs._pod_props import Autoscaling, Probe, ResourceAmounts, Resources, Security
from webapp_constructs._props import (
    Problem,
    PropsError,
    Term,
    check,
    dotted,
    field_problems,
    fields_of,
    int_range,
    max_length,
    min_length,
    pattern,
    prop,
    propsclass,
    rule_problems,
    type_checker,
    type_problems,
)


def test_every_problem_at_once() -> None:
    with pytest.raises(PropsError) as error:
        Probe(path="health", period_seconds=0, failure_threshold=101)
    assert error.value.problems == [
        Problem(("path",), "'health' is not an HTTP path (it starts with '/' and has no spaces)", "rule", "health"),
        Problem(("period_seconds",), "0 is not a valid number of seconds (1-3600)", "rule", 0),
        Problem(("failure_threshold",), "101 is not a valid failure threshold (1-100)", "rule", 101),
    ]
    assert str(error.value).splitlines()[0] == "Probe: path: 'health' is not an HTTP path (it starts with '/' and has no spaces)"


def test_rules_between_fields_run_once_each_field_is_fine() -> None:
    with pytest.raises(PropsError, match=r"requests.cpu: 2 exceeds limits.cpu 500m"):
        Resources(requests=ResourceAmounts(cpu="2"), limits=ResourceAmounts(cpu="500m"))
    with pytest.raises(PropsError, match=r"runAsUser: 0 is root|run_as_user: 0 is root"):
        Security(run_as_user=0)
    Security(run_as_user=0, run_as_non_root=False)
    with pytest.raises(PropsError, match=r"max_replicas: 0 is not a valid replica count \(1-1000\)"):
        Autoscaling(max_replicas=0)


@pytest.mark.parametrize(
    ("value", "tp", "message"),
    [
        ("2", int, "'2' is a string, expected integer"),
        (True, int, "True is a boolean, expected integer"),
        (1.0, str, "1.0 is a number, expected string (quote it)"),
        ("x", list[str], "'x' is a string, expected list"),
        ({"a": 1}, dict[str, str], "1 is a number, expected string (quote it)"),
        (["a", "b", 3], list[str], "3 is a number, expected string (quote it)"),
        ({"a": "x", 2: "y"}, dict[str, str], "2 is a number, expected string (quote it)"),
        ([1, True], list[int], "True is a boolean, expected integer"),
    ],
)
def test_types_are_checked_with_plain_words(value: Any, tp: Any, message: str) -> None:
    (problem,) = type_problems(value, tp)
    assert problem.message == message


def test_a_collection_of_exactly_the_right_types_passes_and_one_entry_amiss_is_found_at_its_place() -> None:
    assert type_problems(["a", "b"], list[str], ("args",)) == []
    assert type_problems({"A": "1"}, dict[str, str], ("env",)) == []
    assert type_problems([1, 2.5], list[float]) == []  # an int is a number: not the exact type, still fine
    assert type_problems(["a", 1], list[str], ("args",)) == [
        Problem(("args", 1), "1 is a number, expected string (quote it)", "type", 1)
    ]
    assert type_problems({"A": None}, dict[str, str], ("env",))[0].path == ("env", "A")


def test_field_paths_stay_on_one_line() -> None:
    assert dotted(("services", "web", "env", "config", 0)) == "services.web.env.config[0]"
    assert dotted(("auditSkips", "\n")) == "auditSkips['\\n']"
    assert dotted(()) == "(top level)"


def test_a_missing_required_prop_is_named() -> None:
    from webapp_constructs._app_config import AppConfigProps
    from webapp_constructs._common import make_props

    with pytest.raises(PropsError) as error:
        make_props(AppConfigProps, "AppConfig 'config'", "config")
    assert str(error.value) == "AppConfig 'config': data: required, but missing"
    assert error.value.problems[0].code == "missing"
    with pytest.raises(PropsError) as error:  # every problem at once, a misspelt keyword with it
        make_props(AppConfigProps, "AppConfig 'config'", "config", dat={"A": "1"})
    assert [(p.path, p.code) for p in error.value.problems] == [(("dat",), "unknown"), (("data",), "missing")]
    assert "did you mean 'data'?" in str(error.value)


def _unchecked() -> list[Any]:
    import values_app.model  # noqa: F401 - and the values model, whose defaults are made so too

    load_library()
    from webapp_constructs._props import UNCHECKED

    return list(UNCHECKED)


@pytest.mark.parametrize("instance", _unchecked(), ids=lambda instance: type(instance).__qualname__)
def test_every_props_made_unchecked_at_import_passes_its_class_s_rules(instance: Any) -> None:
    """unchecked(X, ...) and defaults(X) make props at every import without checking them (the
    default props of other props, a kind's default resources); here each is checked, once."""
    assert field_problems(instance) == []
    assert list(instance.cross_checks()) == []
    cls: Any = type(instance)
    assert instance == cls(**{field.name: getattr(instance, field.name) for field in fields_of(cls)})


def _props_classes() -> list[Any]:
    import values_app.model  # noqa: F401 - and the values model

    load_library()
    from webapp_constructs._props import Props

    found: list[Any] = []
    todo: list[Any] = [Props]
    while todo:
        for sub in todo.pop().__subclasses__():
            todo.append(sub)
            if dataclasses.is_dataclass(sub) and sub.__module__.startswith(("webapp_constructs.", "values_app.")):
                found.append(sub)
    return sorted(found, key=lambda cls: (cls.__module__, cls.__qualname__))


@pytest.mark.parametrize("cls", _props_classes(), ids=lambda cls: f"{cls.__module__}.{cls.__qualname__}")
def test_every_default_of_every_props_class_passes_its_field_s_checks(cls: Any) -> None:
    """Props skip the checks of a field left at its very default (field_problems(skip_defaults=True)):
    here each default, and what each default factory makes, is checked by its field's type and rules."""
    from webapp_constructs._props import hints, rule_problems

    checked = 0
    for field in fields_of(cls):
        made = (field.default_factory(),) if field.default_factory is not dataclasses.MISSING else ()
        for value in (field.default, *made):
            if value is dataclasses.MISSING:
                continue
            path = (field.name,)
            assert type_problems(value, hints(cls)[field.name], path) == [], f"{cls.__qualname__}.{field.name}"
            assert rule_problems(field, value, path) == [], f"{cls.__qualname__}.{field.name}"
            checked += 1
    assert checked or all(f.default is dataclasses.MISSING for f in fields_of(cls))


def test_only_a_field_at_its_very_default_is_skipped() -> None:
    """What skip_defaults skips is the default object itself, never a value a user gives."""
    assert field_problems(Probe(), skip_defaults=True) == field_problems(Probe()) == []
    assert _props_classes().count(Probe) == 1
    with pytest.raises(PropsError, match="failure_threshold"):
        Probe(failure_threshold=0)


def test_unchecked_props_are_refused_a_field_they_lack_but_not_checked() -> None:
    from webapp_constructs._props import UNCHECKED, unchecked

    with pytest.raises(TypeError, match="ResourceAmounts has no field 'gpu'"):
        unchecked(ResourceAmounts, gpu="1")
    made = unchecked(ResourceAmounts, cpu="lots")
    UNCHECKED.remove(made)  # not one of the library's
    assert made.cpu == "lots"  # as given: what the test above checks for the library's own
    with pytest.raises(PropsError, match="lots"):
        ResourceAmounts(cpu="lots")


def test_props_of_defaults_only_are_still_checked_when_a_user_makes_them() -> None:
    from webapp_constructs._pod_props import Toleration

    with pytest.raises(PropsError, match="an Equal toleration needs its key"):
        Toleration()


def test_props_are_made_by_keyword_with_the_messages_of_a_generated_init() -> None:
    with pytest.raises(TypeError, match=r"ResourceAmounts.__init__\(\) got an unexpected keyword argument 'gpu'"):
        ResourceAmounts(gpu="1")  # type: ignore[call-arg]
    with pytest.raises(TypeError, match=r"takes 1 positional argument"):
        ResourceAmounts("1")  # type: ignore[call-arg]
    signature = inspect.signature(Probe)
    assert all(p.kind is inspect.Parameter.KEYWORD_ONLY for p in signature.parameters.values())
    assert signature.parameters["path"].default is None
    assert dataclasses.replace(ResourceAmounts(cpu="1"), memory="1Gi") == ResourceAmounts(cpu="1", memory="1Gi")


def test_replaced_checks_what_it_changes_and_the_rules_between_fields() -> None:
    from webapp_constructs._props import replaced

    probe = Probe(path="/health")
    assert replaced(probe, path="/ready") == Probe(path="/ready")
    with pytest.raises(PropsError, match=r"^Probe: path: 5 is a"):
        replaced(probe, path=5)
    with pytest.raises(PropsError, match="a probe checks one way"):
        replaced(probe, exec_command=["true"])
    with pytest.raises(PropsError, match=r"^ApiService 'api': path: 5 is a"):
        replaced(probe, owner="ApiService 'api'", path=5)
    with pytest.raises(TypeError):
        replaced(probe, paths="/x")


def test_replaced_leaves_the_fields_it_does_not_change_as_they_were_checked() -> None:
    from webapp_constructs._props import UNCHECKED, replaced, unchecked

    made = unchecked(ResourceAmounts, cpu="lots")  # what only a test makes: a field no check saw
    UNCHECKED.remove(made)
    assert replaced(made, memory="64Mi").cpu == "lots"
    with pytest.raises(PropsError, match="memory"):
        replaced(made, memory="lots")


def test_evolve_is_dataclasses_replace_with_its_checks_without_walking_every_field_twice() -> None:
    from webapp_constructs._props import evolve

    probe = Probe(path="/health", failure_threshold=3)
    changed = evolve(probe, failure_threshold=5)
    assert changed == dataclasses.replace(probe, failure_threshold=5)
    assert (probe.failure_threshold, changed.failure_threshold, changed.path) == (3, 5, "/health")
    with pytest.raises(dataclasses.FrozenInstanceError):
        changed.path = "/other"
    with pytest.raises(PropsError, match="failure_threshold"):
        evolve(probe, failure_threshold=0)  # a field's rules
    with pytest.raises(TypeError, match="unexpected keyword argument 'gpu'"):
        evolve(probe, gpu=1)


def test_from_checked_skips_what_the_caller_checked_and_nothing_else() -> None:
    """Each value checked once, said where the props are made: no switch that holds for other code."""
    # every field checked by the caller: only the rules between fields run
    assert Probe.from_checked({"failure_threshold": 0}).failure_threshold == 0
    with pytest.raises(PropsError, match="exec_command"):
        Probe.from_checked({"path": "/health", "exec_command": ["true"]})  # a path and a command: between them
    # the rules of the fields named: the types of all, the rules of the others, run
    assert Probe.from_checked({"failure_threshold": 0}, rules_checked=["failure_threshold"]).failure_threshold == 0
    with pytest.raises(PropsError, match="failure_threshold"):
        Probe.from_checked({"failure_threshold": 0}, rules_checked=["path"])
    with pytest.raises(PropsError, match="expected integer"):
        Probe.from_checked({"failure_threshold": "3"}, rules_checked=["failure_threshold"])
    with pytest.raises(TypeError, match="unexpected keyword argument 'gpu'"):
        Probe.from_checked({"gpu": 1})
    with pytest.raises(TypeError, match="mapping of fields, not str"):
        Probe.from_checked("failure_threshold")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="collection of field names, not str"):
        Probe.from_checked({}, rules_checked="path")  # a str would be its letters
    with pytest.raises(TypeError, match="names no field of Probe: 'pth'"):
        Probe.from_checked({}, rules_checked=["path", "pth"])  # a misspelt name would check it silently
    made = Probe.from_checked({"failure_threshold": 0})
    with pytest.raises(dataclasses.FrozenInstanceError):
        made.path = "/other"
    with pytest.raises(PropsError, match="failure_threshold"):  # nothing else is affected
        Probe(failure_threshold=0)


def test_a_field_carries_its_caller_s_metadata_beside_its_rules_and_may_not_hide_them() -> None:
    from webapp_constructs._props import prop

    def positive(value: int) -> list[str]:
        return [] if value > 0 else ["must be positive"]

    field = prop(default=1, check=positive, metadata={"mine": "kept"})
    assert field.metadata["mine"] == "kept"
    assert field.metadata["check"] == (positive,)
    with pytest.raises(TypeError, match="check"):
        prop(check=positive, metadata={"check": ()})
    with pytest.raises(TypeError, match="takes a mapping, not list"):
        prop(metadata=[("mine", 1)])  # type: ignore[arg-type]


def test_the_library_s_props_know_nothing_of_values_files() -> None:
    """Issue 30, item 2: no alias, no construct prop to feed, nothing a values file spells."""
    from webapp_constructs._props import prop

    assert set(inspect.signature(prop).parameters) == {"default", "check", "each", "keys", "metadata"}
    for cls in (Security, Resources, Autoscaling, Probe, ResourceAmounts):
        for field in fields_of(cls):
            assert set(field.metadata) <= {"check", "each", "keys"}, (cls.__name__, field.name)


def test_a_field_of_a_plain_class_takes_its_instances_and_a_protocol_what_its_rules_take() -> None:
    """A class that is neither a scalar nor props used to pass anything (``AppSecret`` data of
    ``SecretValue | str`` took an int); a protocol stays structural, its rules decide."""
    from typing import Protocol

    class Token:
        pass

    class Named(Protocol):
        name: str

    assert type_problems(Token(), Token) == []
    (problem,) = type_problems(5, Token, ("token",))
    assert (problem.path, problem.message, problem.code, problem.value) == (
        ("token",),
        "5 is a number, expected Token",
        "type",
        5,
    )
    assert type_problems(5, Named) == []
    assert [p.message for p in type_problems({"a": 5}, dict[str, Token | str])] == ["5 is a number, expected Token"]


@pytest.mark.parametrize(
    ("make", "error", "said"),
    [
        (lambda: propsclass(type("Plain", (), {})), TypeError, "@propsclass decorates a subclass of Props"),
        (lambda: prop(check="NAME"), TypeError, r"prop\(check=...\) takes a rule .* not 'NAME'"),  # type: ignore[arg-type]
        (lambda: prop(each=[check(lambda value: []), 5]), TypeError, r"prop\(each=...\) takes a rule .* not 5"),  # type: ignore[list-item]
        (lambda: pattern("(", "a group"), ValueError, r"pattern\('\('\) is no regular expression"),
        (lambda: pattern(5, "a number"), TypeError, "pattern.. takes a regular expression as a string, not int"),  # type: ignore[arg-type]
        (lambda: int_range(5, 1, "port"), ValueError, "int_range.. takes two integers, the lower one first, not 5 and 1"),
        (lambda: min_length(-1), ValueError, "min_length.. takes a number of characters or entries, 0 or more, not -1"),
        (lambda: max_length("3"), ValueError, "max_length.. takes a number of characters or entries, 0 or more, not '3'"),  # type: ignore[arg-type]
        (lambda: type_checker("int"), TypeError, "type_checker.. takes a type such as int or list.str., not the string 'int'"),
        (lambda: rule_problems("port", 1, ()), TypeError, r"rule_problems\(\) takes a field of a props class"),  # type: ignore[arg-type]
        (lambda: dotted("env.name"), TypeError, r"dotted\(\) takes a path of keys and indexes"),
        (lambda: Term.prop(5), TypeError, r"Term.prop\(\) takes a prop's dotted name, such as 'replicas', not 5"),  # type: ignore[arg-type]
        (lambda: Term.setting("", True), TypeError, r"Term.setting\(\) takes a prop's dotted name"),
    ],
)
def test_the_props_toolkit_refuses_what_would_fail_later_or_pass_silently(make: Any, error: type[Exception], said: str) -> None:
    """Each of these used to be taken: a string rule's characters became rules, a string path was
    dotted letter by letter, a string annotation passed every value, a plain class became props."""
    with pytest.raises(error, match=said):
        make()
