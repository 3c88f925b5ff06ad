"""Props written once (issue 30, item 4): each ``*Options`` TypedDict is generated from its props
dataclass by scripts/props_options.py (``make options``); the committed blocks are current."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]


def generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("props_options", ROOT / "scripts" / "props_options.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("props_options", module)
    spec.loader.exec_module(module)
    return module


def test_every_options_block_is_generated_from_its_props() -> None:
    options = generator()
    for name, entries in options.MODULES.items():
        text = (options.PACKAGE / name).read_text(encoding="utf-8")
        assert options.generated(text, entries) == text, f"{name}: run `make options`"


def test_a_new_prop_makes_its_block_stale_and_the_generator_writes_it() -> None:
    options = generator()
    entries = [options.Options("ThingOptions", "ThingProps", None)]
    text = (
        "class ThingProps(Props):\n"
        "    image: str\n"
        "    KIND: ClassVar[str] = 'x'\n"
        "    replicas: int | None = prop(default=None)\n"
        '    """Pod replicas."""\n\n\n' + options.BEGIN + options.END
    )
    new = options.generated(text, entries)
    assert new != text
    assert "class ThingOptions(TypedDict, total=False):\n" in new
    assert "    replicas: int | None\n" in new
    assert "image: str\n    KIND" in new
    assert "    image: str\n" not in new.split(options.BEGIN)[1]
    assert options.generated(new, entries) == new
    with pytest.raises(options.OptionsError):
        options.generated(text.replace(options.END, ""), entries)


def test_the_generator_s_command_line(capsys: pytest.CaptureFixture[str]) -> None:
    """``--check`` on the committed tree: 0 and silent; any other argument: usage, exit 2."""
    options = generator()
    assert options.main(["--check"]) == 0
    assert capsys.readouterr().err == ""
    assert options.main(["--chek"]) == 2
    assert capsys.readouterr().err == "usage: props_options.py [--check]\n"
