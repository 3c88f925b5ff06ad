"""The public API: one import, every prop documented with its default, the keyword arguments in
step with the props."""

from __future__ import annotations

import ast
import dataclasses
import inspect
import re
from pathlib import Path
from typing import Any, cast

import pytest

import webapp_constructs as library
from values_app.schema import _docstrings
from webapp_constructs._props import Props


def test_the_public_api_is_importable_from_one_module() -> None:
    for name in library.__all__:
        assert getattr(library, name) is not None, name


def all_props() -> list[type]:
    found: set[type] = set()
    pending: list[type] = [Props]
    while pending:
        subclass: type
        for subclass in pending.pop().__subclasses__():
            found.add(subclass)
            pending.append(subclass)
    return sorted((cls for cls in found if cls.__module__.startswith("webapp_constructs.")), key=lambda cls: cls.__name__)


@pytest.mark.parametrize("cls", all_props(), ids=lambda cls: cls.__name__)
def test_every_prop_with_a_default_documents_it(cls: type) -> None:
    docs = _docstrings(cls)
    for field in dataclasses.fields(cls):
        if field.default is dataclasses.MISSING and field.default_factory is dataclasses.MISSING:
            continue
        assert field.name in docs, f"{cls.__name__}.{field.name} has no docstring"
        assert "Default" in docs[field.name] or field.name in ("requests", "limits"), (
            f"{cls.__name__}.{field.name}: {docs[field.name]}"
        )


def _library_imports(sources: list[Path]) -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    for source in sources:
        for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.name.startswith("webapp_constructs"):
                        found.setdefault(alias.name, set())
            elif isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "webapp_constructs":
                found.setdefault(node.module, set()).update(alias.name for alias in node.names)
            elif (  # webapp_constructs._props.prop, after an import of the package
                isinstance(node, ast.Attribute)
                and isinstance(node.value, ast.Name)
                and node.value.id == "webapp_constructs"
                and node.attr.startswith("_")
            ):
                found.setdefault("webapp_constructs", set()).add(node.attr)
    return found


def test_the_examples_and_the_values_app_import_only_the_public_api() -> None:
    """Issue 30, item 2: the seam runs one way, through ``__all__``."""
    root = Path(__file__).resolve().parent.parent.parent
    clients = [*sorted((root / "examples").glob("*.py")), *sorted((root / "values_app").glob("*.py")), root / "main.py"]
    found = _library_imports(clients)
    assert set(found) <= {"webapp_constructs"}, sorted(set(found) - {"webapp_constructs"})
    assert found.get("webapp_constructs", set()) <= set(library.__all__), found["webapp_constructs"] - set(library.__all__)


def test_the_import_reader_finds_private_names_however_imported(tmp_path: Path) -> None:
    source = tmp_path / "client.py"
    source.write_text(
        "from webapp_constructs import ApiService, _rules as rules\n"
        "import webapp_constructs._quantity\n"
        "def f():\n    from webapp_constructs._props import prop\n"
        "import webapp_constructs\nwebapp_constructs._charts.new_chart\n"
    )
    assert _library_imports([source]) == {
        "webapp_constructs": {"ApiService", "_rules", "_charts"},
        "webapp_constructs._quantity": set(),
        "webapp_constructs._props": {"prop"},
    }


def _constructs() -> list[type]:
    from webapp_constructs._manifest import ManifestConstruct

    found = [getattr(library, name) for name in library.__all__]
    made = [cls for cls in found if isinstance(cls, type) and issubclass(cls, ManifestConstruct)]
    bases = (library.ManifestConstruct, library.Workload, library.DeploymentWorkload, library.ServiceWorkload)
    return [cls for cls in made if cls not in bases]  # the bases of the kinds, not made directly


def _required(cls: type, chart: Any) -> dict[str, Any]:
    """The fewest keyword arguments each construct needs."""
    web = library.WebService(chart, "backend-web", image="web:1")
    given: dict[str, dict[str, Any]] = {
        "ScheduledJob": {"image": "job:1", "schedule": "0 3 * * *"},
        "MigrationJob": {"image": "job:1", "before": [web]},
        "AppConfig": {"data": {"A": "1"}},
        "AppSecret": {"data": {"A": "1"}},
        "AppIngress": {"host": "shop.example.com", "routes": {"/": web}},
        "DefaultDeny": {"pod_selector": {"app": "shop"}},
        "ExternalSecret": {"store": "vault", "remote_key": "shop/db", "keys": ["A"]},
        "AppNamespace": {},
    }
    return given.get(cls.__name__, {"image": "app:1"})


WORKED_OUT = {"AppIngress": {"paths"}}
"""Props a construct makes of its other arguments (an AppIngress's paths are those of its routes):
no keyword argument of their own."""


@pytest.mark.parametrize("cls", _constructs(), ids=lambda cls: cls.__name__)
def test_help_shows_each_keyword_argument_with_its_default_and_each_is_taken(cls: Any) -> None:
    """help(ApiService) and editors read __init__'s signature: every prop is a keyword argument
    there, with its default (not ``**options``), and the constructor takes each one as shown."""
    import cdk8s

    signature = inspect.signature(cls.__init__)
    parameters = signature.parameters
    assert all(p.kind is not inspect.Parameter.VAR_KEYWORD for p in parameters.values()), signature
    fields = dataclasses.fields(cls.PROPS)
    assert {f.name for f in fields} - set(parameters) == WORKED_OUT.get(cls.__name__, set())
    for field in fields:
        if field.default is not dataclasses.MISSING and field.name in parameters:
            assert parameters[field.name].default == field.default, field.name
    assert "documented on :class:" in cls.__init__.__doc__
    assert cls.__init__.__qualname__ == f"{cls.__name__}.__init__"
    import pydoc

    # help() shows it (worked out when first asked for): each keyword with its annotation; how
    # pydoc lays a signature out (one line, or one parameter a line since Python 3.13) is its own
    shown = pydoc.plain(pydoc.render_doc(cls))
    for name in parameters:
        if name != "self":
            assert re.search(rf"\b{name}: ", shown), name
    assert "documented on :class:" in shown
    chart = cdk8s.Chart(cdk8s.Testing.app(), "shop", namespace="shop")
    required = _required(cls, chart)
    defaults = {name: p.default for name, p in parameters.items() if p.default is not inspect.Parameter.empty}
    cls(chart, "it", **{**defaults, **required})  # every keyword as shown, at its default


def _props_classes() -> list[type]:
    """Every props class a user meets: those the library exports, and each construct's ``PROPS``."""
    from webapp_constructs._props import Props

    exported = [getattr(library, name) for name in library.__all__]
    found = [cls for cls in exported if isinstance(cls, type) and issubclass(cls, Props) and cls is not Props]
    found += [cast(Any, cls).PROPS for cls in _constructs()]
    return list(dict.fromkeys(found))


@pytest.mark.parametrize("cls", _props_classes(), ids=lambda cls: cls.__name__)
def test_help_renders_each_props_class_and_names_its_fields(cls: Any) -> None:
    """help(Volume), help(ServiceProps)...: the pages help(ApiService) points to render, and name
    every field (pydoc's layout is its own: only the names are checked)."""
    import pydoc

    shown = pydoc.plain(pydoc.render_doc(cls))
    assert cls.__name__ in shown
    for field in dataclasses.fields(cls):
        assert field.name in shown, field.name
    assert set(inspect.signature(cls).parameters) == {field.name for field in dataclasses.fields(cls)}


@pytest.mark.parametrize("cls", _constructs(), ids=lambda cls: cls.__name__)
def test_the_signature_of_a_construct_lists_its_keyword_arguments(cls: Any) -> None:
    """inspect.signature(ApiService): scope, id, then every keyword argument with its default, as
    its __init__ shows them; not the (*args, **kwargs) of jsii's metaclass."""
    signature = inspect.signature(cls)
    parameters = list(signature.parameters.values())
    assert [p.name for p in parameters[:2]] == ["scope", "id"]
    assert all(p.kind is not inspect.Parameter.VAR_POSITIONAL and p.kind is not inspect.Parameter.VAR_KEYWORD for p in parameters)
    keywords = {p.name for p in parameters if p.kind is p.KEYWORD_ONLY}
    assert {f.name for f in dataclasses.fields(cls.PROPS)} - keywords == WORKED_OUT.get(cls.__name__, set())
    assert parameters == list(inspect.signature(cls.__init__).parameters.values())[1:]


def test_the_props_of_your_own_example_of_the_docs_refuses_as_it_says() -> None:
    docs = (Path(__file__).resolve().parents[2] / "docs" / "library.md").read_text(encoding="utf-8")
    section = docs[docs.index("### Props of your own") :]
    program, said = section.split("```python\n", 1)[1].split("```\n", 1)[0], section.split("```\n\n```\n", 1)[1]
    with pytest.raises(library.PropsError) as raised:
        exec(program, {})
    assert said.split("```", 1)[0].strip().endswith(str(raised.value).splitlines()[-1])
    assert f"PropsError: {raised.value}".splitlines()[0] in said


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: library.relaxations({"run_as_non_root": False}), "takes a Security, not dict: write Security"),  # type: ignore[arg-type]
        (lambda: library.relaxations("run_as_non_root"), "takes a Security, not str"),  # type: ignore[arg-type]
        (lambda: library.render([{"kind": "Pod"}], chart_labels={}), "takes an object as a mapping"),  # type: ignore[arg-type]
        (lambda: library.render("kind: Pod", chart_labels={}), "not str"),  # type: ignore[arg-type]
        (lambda: library.owner_name("ApiService", "api"), "takes the construct's class, not str"),  # type: ignore[arg-type]
    ],
)
def test_a_helper_made_public_refuses_what_it_does_not_take_in_one_line(call: Any, message: str) -> None:
    with pytest.raises(TypeError, match=message) as raised:
        call()
    assert "\n" not in str(raised.value)


def test_relaxations_of_a_security_name_each_with_its_check() -> None:
    found = library.relaxations(library.Security(run_as_non_root=False, reasons={"run_as_non_root": "nginx starts as root"}))
    assert [(r.name, r.check) for r in found] == [("run_as_non_root", library.RELAXATION_CHECKS["run_as_non_root"])]
    assert library.relaxations(library.Security()) == []


def _wrong_values(annotation: object) -> list[object]:
    """Values no keyword of that annotation takes: an object of no kind, a string where a list or
    mapping is expected, a list where a string is."""
    text = str(annotation)
    wrong: list[object] = [object()]
    if "Sequence[" in text or "Mapping[" in text or "list[" in text:
        wrong.append("x")
    elif text.startswith(("str", "<class 'str'>")):
        wrong.append(["x"])
    return wrong


def test_every_keyword_of_every_construct_refuses_a_wrong_value_in_one_line_leaving_nothing() -> None:
    """Each keyword argument, given a value of the wrong kind, is one TypeError or PropsError of one
    line (never an AttributeError from deep inside), and the refused construct is not in the tree."""
    import cdk8s

    tried = 0
    for cls in _constructs():
        chart = cdk8s.Chart(cdk8s.Testing.app(), "shop", namespace="shop")
        required = _required(cls, chart)
        for parameter in list(inspect.signature(cls).parameters.values())[2:]:
            for value in _wrong_values(parameter.annotation):
                tried += 1
                with pytest.raises((TypeError, library.PropsError)) as raised:
                    cls(chart, f"wrong-{tried}", **{**required, parameter.name: value})
                assert len(str(raised.value).splitlines()) == 1, (cls.__name__, parameter.name, str(raised.value))
        assert not [child.node.id for child in chart.node.children if child.node.id.startswith("wrong-")], cls.__name__
    assert tried > 400
