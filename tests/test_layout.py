"""The layout of issue 30, item 1: one package, ``webapp_constructs``, under one name in the
repository and installed (editable, by ``make setup``), not part of jsii's ``constructs``; its pure
parts import without jsii; no import circle in the package or the values app."""

from __future__ import annotations

import ast
import importlib
import inspect
import subprocess
import sys
from pathlib import Path

import pytest

import webapp_constructs
from tests.helpers import loaded_by
from tests.import_graph import circles, graph
from tests.public_surface import unexported_types

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "constructs" / "webapp_constructs"
JSII = ["jsii", "jsii.", "cdk8s", "cdk8s.", "constructs", "constructs.", "cdk8s_plus_27", "cdk8s_plus_27."]


def test_no_import_circle_in_the_library_or_the_values_app() -> None:
    edges = graph({"webapp_constructs": PACKAGE, "values_app": ROOT / "values_app"})
    assert len(edges) > 60  # every module was read
    assert circles(edges) == []


def test_the_check_finds_a_circle_held_by_an_import_in_a_function_or_for_types_only(tmp_path: Path) -> None:
    package = tmp_path / "pkg"
    package.mkdir()
    (package / "__init__.py").write_text("from ._a import A\n")
    (package / "_a.py").write_text("from ._b import B\n\nclass A: ...\n")
    (package / "_b.py").write_text("def f():\n    from ._c import C\n\nclass B: ...\n")
    (package / "_c.py").write_text("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from . import _a\n")
    (package / "_d.py").write_text("from pkg import _a\nimport pkg._b\n")
    edges = graph({"pkg": package})
    assert edges["pkg._d"] == {"pkg._a", "pkg._b"}
    assert circles(edges) == [["pkg._a", "pkg._b", "pkg._c"]]


def test_one_name_installed_in_editable_mode_and_nothing_of_jsii_s_constructs(tmp_path: Path) -> None:
    """Outside the repository (no PYTHONPATH), the package is the repository's folder, found
    through what ``make setup`` installed; none of its modules is registered under ``constructs``."""
    program = (
        "import sys, webapp_constructs\n"
        "for name in webapp_constructs.__all__: getattr(webapp_constructs, name)\n"
        "import constructs\n"
        "print(webapp_constructs.__file__)\n"
        "print(sorted(m.partition('.')[2] for m in sys.modules if m.startswith('constructs.')))\n"
        "print(constructs.__file__)\n"
        "print('jsii' in sys.modules)\n"
    )
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "JSII_NODE": str(ROOT / "node_modules" / ".bin" / "node")}
    result = subprocess.run([sys.executable, "-c", program], cwd=tmp_path, env=env, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    location, under_constructs, upstream, jsii_loaded = result.stdout.splitlines()
    assert jsii_loaded == "True"  # the public names that need it loaded it
    assert Path(location) == PACKAGE / "__init__.py"
    ours = {path.stem for path in PACKAGE.glob("*.py")}
    assert ours & set(ast.literal_eval(under_constructs)) == set()
    assert "site-packages" in upstream
    assert Path(webapp_constructs.__file__) == PACKAGE / "__init__.py"  # and the same in the tests


def test_the_pure_parts_import_without_jsii(tmp_path: Path) -> None:
    """Rules, quantities and props are plain Python: importing them (and the package) loads no
    jsii, so starts no Node.js process. (A public name that needs jsii loads it on first use: the
    test above loads them all.)"""
    pure = "import webapp_constructs\n" + "".join(
        f"import webapp_constructs.{name}\n" for name in ("_rules", "_quantity", "_props", "_prop_rules")
    )
    assert loaded_by(pure, JSII, tmp_path) == []


def test_every_public_name_comes_from_a_private_module() -> None:
    public = [path.name for path in PACKAGE.glob("*.py") if not path.name.startswith("_")]
    assert public == []
    for name in webapp_constructs.__all__:
        value = getattr(webapp_constructs, name)
        if inspect.ismodule(value):  # a namespace: a private module by a public name (rules, prop_rules)
            assert value.__name__.startswith("webapp_constructs._"), (name, value.__name__)
        elif isinstance(value, type) or inspect.isfunction(value):
            assert value.__module__.startswith("webapp_constructs._"), (name, value.__module__)
        else:  # a type alias (Literal[...], Callable[...]): a private module's own name
            stems = (path.stem for path in PACKAGE.glob("_*.py") if path.stem != "__init__")
            assert any(vars(importlib.import_module(f"webapp_constructs.{stem}")).get(name) is value for stem in stems), name
    assert sorted(webapp_constructs.__all__) == sorted(set(webapp_constructs.__all__))


def test_a_name_the_package_does_not_have_is_refused_as_python_refuses_it() -> None:
    with pytest.raises(AttributeError, match="has no attribute 'Nope'"):
        _ = webapp_constructs.Nope
    with pytest.raises(ImportError):
        exec("from webapp_constructs import Nope", {})
    assert "ApiService" in dir(webapp_constructs)


def test_every_type_a_public_signature_names_is_public() -> None:
    """A props class a construct takes, the options its keywords are, what ``facts()`` returns, a
    base class: what ``help()`` shows, a user can import and name."""
    assert unexported_types(PACKAGE, webapp_constructs.__all__) == {}


def test_the_surface_check_finds_a_type_a_user_cannot_import(tmp_path: Path) -> None:
    (tmp_path / "_shop.py").write_text(
        "from typing import Literal\n"
        "Color = Literal['red', 'blue']\n"
        "class _Base: ...\n"
        "class Facts:\n    port: int\n"
        "class ShopProps:\n    color: 'Color'\n"
        "class Base(_Base):\n    def facts(self) -> Facts: ...\n"
        "class Shop(Base):\n    PROPS: type[ShopProps]\n    def _private(self) -> Facts: ...\n"
    )
    assert unexported_types(tmp_path, ["Shop"]) == {
        "Base": "Shop (a base)",
        "ShopProps": "Shop.PROPS",
        "Facts": "Base.facts() returns",
        "Color": "ShopProps.color",
    }
    assert unexported_types(tmp_path, ["Shop", "Base", "ShopProps", "Facts", "Color"]) == {}


def app_mentions(folder: Path, app: str = "todo") -> list[str]:
    """``file:line`` of each mention of the application ``app`` in the Python sources of ``folder``."""
    return [
        f"{source.name}:{number}"
        for source in sorted(folder.glob("*.py"))
        for number, line in enumerate(source.read_text(encoding="utf-8").splitlines(), 1)
        if app in line.lower()
    ]


def test_the_library_is_general_nothing_of_the_todo_app_in_it() -> None:
    """Issue 30, item 1: its names, defaults, messages and examples are the library's own; the Todo
    chatbot's are the presets' (values/)."""
    assert app_mentions(ROOT / "constructs" / "webapp_constructs") == []


def test_the_mention_check_finds_one(tmp_path: Path) -> None:
    (tmp_path / "kind.py").write_text('"""A kind."""\n\nDEFAULT = "/app/.next/cache"  # the Todo web image\n')
    assert app_mentions(tmp_path) == ["kind.py:3"]
