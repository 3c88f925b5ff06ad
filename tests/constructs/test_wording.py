"""A problem keeps the props its message names apart (issue 30, item 2): the library words them for
Python, and a program (the values app) words them its own way, with no parsing of the message."""

from __future__ import annotations

import ast
import dataclasses
import importlib
import re
from pathlib import Path

import pytest

from webapp_constructs import Container, Problem, PropsError, Security, Term, Worded, Wording
from webapp_constructs._pod_props import Autoscaling, Capabilities, relaxations
from webapp_constructs._props import field_problems, fields_of, literal, unchecked

LIBRARY = Path(__file__).resolve().parents[2] / "constructs" / "webapp_constructs"


def _shouting(term: Term) -> str:
    return f"<{term.kind}:{term.name}={term.value!r}>"


def test_a_worded_problem_is_its_python_message_and_spells_its_terms_another_way() -> None:
    terms = (Term.prop("cache.max_size"), Term.shown(None), Term.setting("spill", True), Term.reason("spill"))
    problem = Problem.worded(("cache", "size"), "{{x}} over {0}, which is {1}: set {2}; {3}", *terms, code="too-big", value=9)
    assert problem.message == "{x} over cache.max_size, which is None: set spill=True; give its reason in reasons['spill']"
    assert (problem.path, problem.code, problem.value) == (("cache", "size"), "too-big", 9)
    assert problem.spell(_shouting) == (
        "{x} over <prop:cache.max_size=None>, which is <value:=None>: set <setting:spill=True>; <reason:spill=None>"
    )
    assert problem.under("shop").spell(_shouting) == problem.spell(_shouting)  # the wording goes along
    assert problem.under("shop").path == ("shop", "cache", "size")
    assert Problem(("x",), "plain").spell(_shouting) == "plain"


def test_a_rule_s_worded_message_reaches_its_problem() -> None:
    @dataclasses.dataclass
    class Schedule:
        at: str = dataclasses.field(metadata={"check": (lambda v: [Worded(f"{literal(v)}: use {{0}}", Term.prop("time_zone"))],)})

    (problem,) = field_problems(Schedule(at="TZ={x}"))
    assert (problem.path, problem.message, problem.code, problem.value) == (("at",), "TZ={x}: use time_zone", "rule", "TZ={x}")
    assert problem.spell(_shouting) == "TZ={x}: use <prop:time_zone=None>"


def test_every_relaxation_s_clause_is_its_wording() -> None:
    # every relaxation at once, made unchecked: as props they would need a reason for each
    security = unchecked(
        Security,
        run_as_non_root=False,
        run_as_user=0,
        allow_privilege_escalation=True,
        read_only_root_filesystem=False,
        seccomp_profile="Unconfined",
        capabilities=unchecked(Capabilities, add=("CHOWN",), drop=()),
    )
    found = relaxations(security)
    assert len(found) == 7
    for relaxation in found:
        assert isinstance(relaxation.wording, Wording)
        assert relaxation.what == relaxation.wording.spell()
        assert relaxation.wording.terms, relaxation.name


def test_a_missing_reason_is_coded_and_says_where_the_reason_goes() -> None:
    with pytest.raises(PropsError) as raised:
        Container(name="c", image="c:1", security=Security(run_as_non_root=False))
    (problem,) = raised.value.problems
    assert problem.code == "relaxation-without-reason"
    assert problem.spell(_shouting).endswith("<reason:run_as_non_root=None>")
    assert problem.message.endswith("give its reason in reasons['run_as_non_root']")


def test_a_cross_check_names_its_props_as_terms() -> None:
    with pytest.raises(PropsError) as raised:
        Autoscaling(min_replicas=5, max_replicas=3, target_cpu_utilization=80)
    (problem,) = raised.value.problems
    assert (problem.message, problem.code, problem.value) == ("5 exceeds max_replicas 3", "min-above-max", 5)
    assert problem.spell(_shouting) == "5 exceeds <prop:max_replicas=None> 3"


PYTHON_ONLY = {
    ("_harden.py", "run_as_user"): "harden() works on cdk8s-plus objects in Python code",
    ("_harden.py", "writable_paths"): "harden() works on cdk8s-plus objects in Python code",
    ("_app_namespace.py", "pod_security"): "a synth-time refusal that names the Python call to make",
    ("_mcp_service.py", "expose_node_port"): "a synth-time refusal of a NetworkPolicy, naming the Python calls to make",
    ("_pod_props.py", "external_ports"): "Egress in Python: a values file checks its own egress before",
    ("_pod_props.py", "external_cidrs"): "Egress in Python: a values file checks its own egress before",
}
"""Messages that name a prop outside a Term, each only ever shown to Python code, with why."""

_SNAKE = re.compile(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b")


def _prop_names() -> set[str]:
    names = {"audit_skips"}
    for source in LIBRARY.glob("_*.py"):
        module = importlib.import_module(f"webapp_constructs.{source.stem}")
        for value in vars(module).values():
            if isinstance(value, type) and dataclasses.is_dataclass(value):
                names |= {field.name for field in fields_of(value) if "_" in field.name}
    return names


def _named_outside_terms(source: str, names: set[str]) -> list[tuple[str, int]]:
    """The prop names in the message texts of ``source`` (its string literals but docstrings)."""
    tree = ast.parse(source)
    docstrings = {
        id(node.value) for node in ast.walk(tree) if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant)
    }
    return [
        (word, node.lineno)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and " " in node.value and id(node) not in docstrings
        for word in _SNAKE.findall(node.value)
        if word in names
    ]


def test_no_message_a_values_file_can_meet_names_a_prop_outside_a_term() -> None:
    names = _prop_names()
    found = {
        (source.name, word): line
        for source in sorted(LIBRARY.glob("*.py"))
        for word, line in _named_outside_terms(source.read_text(encoding="utf-8"), names)
    }
    assert set(found) == set(PYTHON_ONLY), {key: line for key, line in found.items() if key not in PYTHON_ONLY}


def test_the_message_reader_finds_a_prop_named_in_a_message() -> None:
    source = '"""The run_as_user docstring."""\nmessage = f"{x} needs service_type NodePort"\nother = "a_b"\n'
    assert _named_outside_terms(source, {"run_as_user", "service_type", "a_b"}) == [("service_type", 2)]


def test_braces_in_a_value_stay_text_in_a_worded_message() -> None:
    """A user's value inside a template ({0} in a label key, a path, a schedule) is never a
    placeholder: the message names it as given, and spelling it another way leaves it alone."""
    import cdk8s

    from webapp_constructs import ApiService, ScheduledJob

    chart = cdk8s.Testing.chart()
    with pytest.raises(PropsError) as raised:
        ApiService(chart, "api", image="api:1", labels={"app.kubernetes.io/{0}{": "x"})
    (problem,) = [problem for problem in raised.value.problems if problem.code == "reserved-label"]
    assert problem.spell(_shouting).startswith("app.kubernetes.io/{0}{ is set by the construct (from <prop:name=None>")
    with pytest.raises(PropsError) as raised:
        ApiService(chart, "api2", image="api:1", writable_paths=["/data/{1}", "/data/{1}/"])
    (problem,) = raised.value.problems
    assert (problem.code, problem.spell(_shouting)) == (
        "listed-twice",
        "/data/{1}/ is listed twice in the main container <prop:writable_paths=None>",
    )
    with pytest.raises(PropsError) as raised:
        ScheduledJob(chart, "job", image="job:1", schedule="TZ={0} 0 3 * * *")
    assert "'TZ={0} 0 3 * * *': a time zone" in raised.value.problems[0].spell(_shouting)


def problem_codes(folder: Path) -> tuple[set[str], list[str]]:
    """The codes the sources of ``folder`` give their problems (``Problem(path, message, code, ...)``,
    ``code=``, ``Problem.worded(..., code=...)``), and ``file:line`` of each ``Problem(...)`` made
    without one (``Problem.said`` is a rule's, coded ``rule`` unless told otherwise)."""
    codes: set[str] = set()
    uncoded: list[str] = []
    for source in sorted(folder.glob("*.py")):
        for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            made = isinstance(func, ast.Name) and func.id == "Problem"
            worded = isinstance(func, ast.Attribute) and func.attr in ("worded", "said")
            worded = (
                worded and isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and func.value.id == "Problem"
            )
            if not (made or worded):
                continue
            given = [k.value for k in node.keywords if k.arg == "code"]
            if made and len(node.args) >= 3:
                given.append(node.args[2])
            for code in given:
                if isinstance(code, ast.Constant) and isinstance(code.value, str):
                    codes.add(code.value)
            if made and not given:
                uncoded.append(f"{source.name}:{node.lineno}")
    return codes, uncoded


def test_every_problem_the_library_makes_has_a_code() -> None:
    """Issue 30, item 2: a program tells problems apart by ``code``, never by their words."""
    assert problem_codes(LIBRARY)[1] == []


def test_the_code_reader_finds_a_problem_without_a_code(tmp_path: Path) -> None:
    (tmp_path / "made.py").write_text(
        'a = Problem(("x",), "coded", "too-big", 3)\n'
        'b = Problem(("x",), "not coded")\n'
        'c = Problem.worded((), "{0}", term, code="named")\n'
    )
    assert problem_codes(tmp_path) == ({"too-big", "named"}, ["made.py:2"])


def test_every_code_a_problem_carries_is_in_the_docs_table() -> None:
    """A program that reads ``Problem.code`` finds each code the library uses documented."""
    used = {"type", "rule", "unknown", "missing"} | problem_codes(LIBRARY)[0]
    docs = (LIBRARY.parents[1] / "docs" / "library.md").read_text(encoding="utf-8")
    table = docs[docs.index("| `code` | what is wrong |") :].split("\n\n", 1)[0]
    documented = set(re.findall(r"^\| `([a-z-]+)` \|", table, flags=re.M)) - {"code"}
    assert used == documented, (sorted(used - documented), sorted(documented - used))


def test_a_template_and_its_terms_that_disagree_are_one_clear_error() -> None:
    with pytest.raises(ValueError, match=r"'\{0\} \{1\}' with 1 terms"):
        Problem.worded((), "{0} {1}", Term.prop("a"), code="c")
    with pytest.raises(ValueError, match="with 0 terms"):
        Worded("{0}")
    with pytest.raises(ValueError, match="literal brace"):
        Worded("a { b")
