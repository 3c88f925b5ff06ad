"""Layered values: files merged in order, `extends` chains, --set and --set-string; every error
names the layer (file and line, or the flag) that set the bad value."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from tests.values_app.test_yaml_io import BILLION_LAUGHS, bringing
from values_app import cli
from values_app.layers import MAX_EXTENDS, ValuesError, parse_document
from values_app.loader import load_layers, load_values
from values_app.model import AppValues, DeploymentValues
from values_app.settings import FlagInt, Setting, parse_setting

ROOT = Path(__file__).resolve().parents[2]
DEFAULT = ROOT / "values" / "003-local-k8s-deployment.yaml"


def deployment(values: AppValues, key: str) -> DeploymentValues:
    service = values.services[key]
    assert isinstance(service, DeploymentValues)
    return service


def write(directory: Path, name: str, text: str) -> Path:
    path = directory / name
    path.write_text(text)
    return path


def errors(files: list[Path], settings: list[Setting] | None = None) -> list[str]:
    with pytest.raises(ValuesError) as error:
        load_values(files, settings or [])
    return error.value.lines


def test_later_files_merge_over_earlier_ones(tmp_path: Path) -> None:
    over = write(
        tmp_path,
        "over.yaml",
        "namespace: {name: todo-dev}\n"
        "configMaps: {todo-chatbot-config: {CORS_ORIGINS: 'https://dev.example.com'}}\n"  # one key of a map
        "services:\n"
        "  backend:\n"
        "    args: [--host, 0.0.0.0]\n"  # a list replaces
        "    replicas: 3\n"
        "  mcp: {replicas: null}\n",  # null removes: the default (1) applies
    )
    values = load_values([DEFAULT, over])
    assert values.namespace.name == "todo-dev"
    config = values.config_maps["todo-chatbot-config"]
    assert config["CORS_ORIGINS"] == "https://dev.example.com"
    assert config["MCP_SERVER_URL"] == "http://todo-mcp:8001"  # kept from the base
    assert values.services["backend"].args == ["--host", "0.0.0.0"]
    assert deployment(values, "backend").replicas == 3
    assert values.services["backend"].command == ["uvicorn", "app.main:app"]
    assert deployment(values, "mcp").replicas is None


def test_extends_chains_resolve_relative_to_the_file(tmp_path: Path) -> None:
    (tmp_path / "team").mkdir()
    write(tmp_path, "base.yaml", DEFAULT.read_text())
    write(tmp_path, "middle.yaml", "extends: base.yaml\nnamespace: {name: todo-middle}\n")
    top = write(tmp_path / "team", "top.yaml", "extends: ../middle.yaml\nappVersion: '2.0'\n")
    values = load_values(top)
    assert (values.namespace.name, values.app_version, values.release) == ("todo-middle", "2.0", "todo-chatbot")


def test_an_extends_cycle_is_reported(tmp_path: Path) -> None:
    a = write(tmp_path, "a.yaml", "extends: b.yaml\nrelease: a\n")
    write(tmp_path, "b.yaml", "extends: a.yaml\nrelease: b\n")
    (line,) = errors([a])
    assert line == f"{a}:1: extends: a cycle ({a} -> {tmp_path / 'b.yaml'} -> {a})"


def chain(directory: Path, files: int) -> Path:
    """A chain of ``files`` values files, ``f1.yaml`` extends ``f2.yaml`` ... extends the default
    preset (the last)."""
    write(directory, f"f{files}.yaml", DEFAULT.read_text())
    for number in range(files - 1, 0, -1):
        write(directory, f"f{number}.yaml", f"appVersion: '{number}'\nextends: f{number + 1}.yaml\n")
    return directory / "f1.yaml"


def test_an_extends_chain_of_16_files_loads(tmp_path: Path) -> None:
    assert MAX_EXTENDS == 16
    layers = load_layers([chain(tmp_path, 16)])
    assert [Path(layer.source).name for layer in layers.files] == [f"f{n}.yaml" for n in range(16, 0, -1)]
    assert layers.data["appVersion"] == "1"


def test_an_extends_chain_of_17_files_is_refused_showing_its_ends(tmp_path: Path) -> None:
    top = chain(tmp_path, 17)
    (line,) = errors([top])
    assert line == (
        f"{tmp_path / 'f16.yaml'}:2: extends: the chain is longer than 16 files "
        f"({top} -> {tmp_path / 'f2.yaml'} -> ... -> {tmp_path / 'f16.yaml'} -> {tmp_path / 'f17.yaml'})"
    )


def test_a_long_chain_stops_at_the_17th_file(tmp_path: Path) -> None:
    for number in range(1, 101):
        write(tmp_path, f"f{number}.yaml", f"extends: f{number + 1}.yaml\n")
    (line,) = errors([tmp_path / "f1.yaml"])
    assert line.startswith(f"{tmp_path / 'f16.yaml'}:1: extends: the chain is longer than 16 files (")


def test_a_missing_base_is_reported_where_it_is_named(tmp_path: Path) -> None:
    top = write(tmp_path, "top.yaml", "release: x\nextends: nowhere.yaml\n")
    assert errors([top]) == [f"{top}:2: extends: {tmp_path / 'nowhere.yaml'}: no such values file"]


def test_each_error_names_the_layer_that_set_the_value(tmp_path: Path) -> None:
    text = DEFAULT.read_text().replace("    replicas: 1\n", "    replicas: -1\n", 1)
    base = write(tmp_path, "base.yaml", text)
    over = write(tmp_path, "over.yaml", "services:\n  backend:\n    port: 70000\n")
    lines = errors([base, over], [Setting("services.mcp.port=80000")])
    line = text.splitlines().index("    replicas: -1") + 1
    assert f"{base}:{line}: services.frontend.replicas: -1 is not a valid replica count (0-1000)" in lines
    assert f"{over}:3: services.backend.port: 70000 is not a valid port (1-65535)" in lines
    assert "--set services.mcp.port=80000: services.mcp.port: 80000 is not a valid port (1-65535)" in lines


def test_set_unknown_paths_get_a_did_you_mean() -> None:
    lines = errors([DEFAULT], [Setting("services.backend.replica=2")])
    assert lines == [
        "--set services.backend.replica=2: services.backend.replica: unknown key 'replica'; did you mean 'replicas'?"
    ]


def test_set_types_as_helm_does_and_set_string_keeps_a_string() -> None:
    values = load_values(
        [DEFAULT],
        [
            Setting("services.backend.replicas=3,namespace.name=todo-ci"),
            Setting("appVersion=2026.11"),  # not a number: Helm keeps it a string
            Setting("services.backend.args[3]=9000", string=True),
            Setting("services.backend.command={python,-m,app}"),
            Setting("labels.team\\.example\\.com/owner=todo"),
        ],
    )
    backend = deployment(values, "backend")
    assert (backend.replicas, values.namespace.name, values.app_version) == (3, "todo-ci", "2026.11")
    assert type(backend.replicas) is int
    assert backend.args == ["--host", "0.0.0.0", "--port", "9000"]
    assert backend.command == ["python", "-m", "app"]
    assert values.labels == {"team.example.com/owner": "todo"}
    assert errors([DEFAULT], [Setting("appVersion=true")]) == [
        "--set appVersion=true: appVersion: True is a boolean, expected string (use --set-string)"
    ]
    assert errors([DEFAULT], [Setting("services.backend.args[3]={1,2}")]) == [
        "--set services.backend.args[3]={1,2}: services.backend.args[3]: [1, 2] is a list, expected string"
    ]


HELM_TYPED = [
    ("true", True),
    ("false", False),
    ("True", True),  # Helm compares with strings.EqualFold: any letter case
    ("FALSE", False),
    ("0", 0),
    ("1234567", 1234567),
    ("-5", -5),
    ("+5", 5),
    ("9223372036854775807", 2**63 - 1),
    ("-9223372036854775808", -(2**63)),
    ("9223372036854775808", "9223372036854775808"),  # beyond int64: a string
    ("-9223372036854775809", "-9223372036854775809"),
    ("0123456", "0123456"),  # a leading zero: a string, not octal
    ("00", "00"),
    ("1e10", "1e10"),
    ("1.5", "1.5"),
    ("0x10", "0x10"),
    ("1_000", "1_000"),
    ("", ""),
    ("yes", "yes"),
    ("on", "on"),
    ("~", "~"),
    ("2026-11-23", "2026-11-23"),
    ("[1]", "[1]"),
    ("\u0663", "\u0663"),  # a digit, but not an ASCII one
]


@pytest.mark.parametrize(("text", "typed"), HELM_TYPED)
def test_set_values_are_typed_as_helm_types_them(text: str, typed: object) -> None:
    ((_, _, value),) = parse_setting(Setting(f"a={text}"))
    assert type(value) is FlagInt if type(typed) is int else type(value) is type(typed), (text, value)
    assert value == typed
    ((_, _, string),) = parse_setting(Setting(f"a={text}", string=True))
    assert string == text


def test_set_null_in_any_case_removes() -> None:
    for text in ("null", "NULL", "Null"):
        assert parse_setting(Setting(f"a={text}")) == [(f"--set a={text}", ("a",), None)]
    assert parse_setting(Setting("a=null", string=True)) == [("--set-string a=null", ("a",), "null")]


@pytest.mark.parametrize("tag", ["1234567", "0123456", "0", "9223372036854775807", "9223372036854775808"])
def test_a_set_integer_where_a_string_belongs_is_its_text(tag: str) -> None:
    values = load_values([DEFAULT], [Setting(f"services.backend.image.tag={tag}"), Setting("appVersion=2026")])
    assert values.services["backend"].image.tag == tag
    assert type(values.services["backend"].image.tag) is str
    assert values.app_version == "2026"
    assert type(values.app_version) is str


def test_an_integer_of_a_values_file_where_a_string_belongs_is_still_an_error(tmp_path: Path) -> None:
    over = write(tmp_path, "over.yaml", "services:\n  backend:\n    image: {tag: 1234567}\n")
    assert errors([DEFAULT, over]) == [f"{over}:3: services.backend.image.tag: 1234567 is a number, expected string (quote it)"]


def test_set_null_removes_and_indexes_are_checked() -> None:
    assert deployment(load_values([DEFAULT], [Setting("services.backend.replicas=null")]), "backend").replicas is None
    assert errors([DEFAULT], [Setting("services.backend.args[7]=x")]) == [
        "--set services.backend.args[7]=x: services.backend.args[7]: index 7 is out of range (the list has 4 entries)"
    ]
    assert errors([DEFAULT], [Setting("release.x=1")]) == [
        "--set release.x=1: release: is a string, nothing can be set inside it"
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [("replicas", "'replicas' is not path=value"), ("=3", "'' is not a dotted path"), ("a..b=1", "'a..b' is not a dotted path")],
)
def test_malformed_set_flags(text: str, message: str) -> None:
    with pytest.raises(ValuesError, match=message):
        parse_setting(Setting(text))


def test_a_single_file_is_not_copied(tmp_path: Path) -> None:
    layers = load_layers([DEFAULT])
    assert layers.data is layers.files[0].data
    assert [layer.source for layer in layers.files] == [str(DEFAULT)]


def test_nesting_deeper_than_64_levels_is_one_line(tmp_path: Path) -> None:
    block = write(tmp_path, "deep.yaml", "".join(f"{'  ' * i}k{i}:\n" for i in range(1000)) + "  " * 1000 + "v: 1\n")
    flow = write(tmp_path, "flow.yaml", "a: " + "[" * 20000 + "]" * 20000 + "\n")
    fine = write(tmp_path, "fine.yaml", "release: x\nlabels: " + "{a: " * 30 + "b" + "}" * 30 + "\n")
    (line,) = errors([block])
    assert line == f"{block}:65: nested more than 64 levels deep; a values file needs far fewer"
    (line,) = errors([flow])  # ours, or libyaml's own nesting limit (0.2.5 as PyYAML 6.0.4 builds it) first
    assert line.startswith(f"{flow}:1: ")
    assert all("nested" not in line for line in errors([fine]))


def test_the_diagram_of_a_deep_file_is_one_line_too(tmp_path: Path) -> None:
    deep = write(tmp_path, "deep.yaml", "a: " + "[" * 20000 + "]" * 20000 + "\n")
    stderr = io.StringIO()
    assert cli.diagram(values=deep, stdout=io.StringIO(), stderr=stderr) == 1
    (line,) = stderr.getvalue().splitlines()  # ours, or libyaml's own nesting limit (PyYAML 6.0.4) first
    assert line.startswith(f"error: {deep}:1: ")


@pytest.mark.parametrize(("count", "refused"), [(100_000, False), (100_001, True)])
def test_aliases_of_a_values_file_bring_in_at_most_100000_nodes(tmp_path: Path, count: int, refused: bool) -> None:
    path = write(tmp_path, "v.yaml", bringing(count))
    if refused:
        with pytest.raises(ValuesError) as error:
            parse_document(path.read_text(), str(path))
        assert error.value.lines == [
            f"{path}:4: alias *s: the aliases up to here bring in 100001 nodes; at most 100000 may be brought in through aliases"
        ]
    else:
        data, _ = parse_document(path.read_text(), str(path))
        assert len(data["b"]) == 100


def test_a_billion_laughs_and_a_recursive_alias_are_one_line_each(tmp_path: Path) -> None:
    bomb = write(tmp_path, "bomb.yaml", BILLION_LAUGHS)
    recursive = write(tmp_path, "recursive.yaml", "release: x\nlabels: &l {a: *l}\n")
    assert errors([bomb, recursive]) == [
        f"{bomb}:6: alias *e: the aliases up to here bring in 141148 nodes; at most 100000 may be brought in through aliases",
        f"{recursive}:2: alias *l: is inside the node &l it names; a recursive alias never ends",
    ]


def deep_set(parts: int, value: str = "1") -> Setting:
    """``--set labels.a.a...=value``, a path of ``parts`` parts."""
    return Setting("labels." + ".".join(["a"] * (parts - 1)) + "=" + value)


@pytest.mark.parametrize(("parts", "value"), [(64, "1"), (63, "{x,y}")])
def test_a_set_path_64_levels_deep_is_applied(parts: int, value: str) -> None:
    (line,) = errors([DEFAULT], [deep_set(parts, value)])  # the model's own problem: labels hold strings
    assert line.startswith(f"--set labels.{'a.' * (parts - 2)}a={value}: labels.a: {{'a': ")
    assert line.endswith(" is a mapping, expected string")


@pytest.mark.parametrize(("parts", "value", "what"), [(65, "1", "the path is"), (64, "{x,y}", "the path and its {x,y} list are")])
def test_a_set_path_deeper_than_64_levels_is_one_line(parts: int, value: str, what: str) -> None:
    setting = deep_set(parts, value)
    assert errors([DEFAULT], [setting]) == [f"--set {setting.text}: {what} 65 levels deep; at most 64 may be"]


def test_nothing_recurses_on_a_flag() -> None:
    setting = deep_set(1000)
    assert errors([DEFAULT], [setting]) == [f"--set {setting.text}: the path is 1000 levels deep; at most 64 may be"]
    braces = "{" * 5000 + "}" * 5000  # lists do not nest: one list of one string
    assert parse_setting(Setting(f"labels.a={braces}")) == [(f"--set labels.a={braces}", ("labels", "a"), [braces[1:-1]])]


# --- a null removes a key that is there, or names a field; an extends names a values file (issue 28) -----


def synth(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    """``main.py <args>`` in this process: its exit status and stderr."""
    import main

    capsys.readouterr()
    status = main.main(list(args))
    return status, capsys.readouterr().err


def test_a_null_on_an_unknown_key_is_an_error_where_it_is_written(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    over = write(tmp_path, "over.yaml", "services:\n  backend: {replica: null}\n  backendd: null\n")
    out = tmp_path / "out"
    status, stderr = synth(capsys, "--values", str(DEFAULT), "--values", str(over), "--outdir", str(out))
    assert status == 1
    assert stderr.splitlines() == [
        f"error: {over}:2: services.backend.replica: unknown key 'replica'; did you mean 'replicas'? "
        "(a null removes a key, and there is none to remove)",
        f"error: {over}:3: services.backendd: null removes 'backendd', which is not there; did you mean 'backend'?",
    ]
    assert not out.exists()
    # beside it: the key the typo meant, and a field the values lack, are removed (or stay absent)
    fine = write(tmp_path, "fine.yaml", "services:\n  backend: {replicas: null, autoscaling: null}\n")
    assert deployment(load_values([DEFAULT, fine]), "backend").replicas is None


def test_a_set_null_on_an_unknown_key_is_an_error_too() -> None:
    assert errors([DEFAULT], [Setting("services.backend.replica=null"), Setting("services.mcpp.replicas=null")]) == [
        "--set services.backend.replica=null: services.backend.replica: unknown key 'replica'; did you mean 'replicas'? "
        "(a null removes a key, and there is none to remove)",
        "--set services.mcpp.replicas=null: services.mcpp: null removes 'mcpp', which is not there; did you mean 'mcp'?",
    ]
    assert deployment(load_values([DEFAULT], [Setting("services.mcp.autoscaling=null")]), "mcp").autoscaling is None


def test_a_null_for_a_field_of_another_kind_is_unknown(tmp_path: Path) -> None:
    """The service's kind says which keys it has: a worker has no port."""
    mailer = "  mailer:\n    kind: worker\n    image: {repository: m, tag: '1'}\n"
    base = write(tmp_path, "base.yaml", DEFAULT.read_text() + mailer)
    over = write(tmp_path, "over.yaml", "services:\n  mailer: {port: null, replicas: null}\n")
    assert errors([base, over]) == [
        f"{over}:2: services.mailer.port: unknown key 'port' (a null removes a key, and there is none to remove)"
    ]


SHADOW = "root:*:19000:0:99999:7:::\ndaemon:*:19000:0:99999:7:::\nsecret-line: hunter2\n"


@pytest.mark.parametrize(
    "content",
    [
        SHADOW,  # each line a key with a null value
        "DATABASE_URL=postgres://app:hunter2@db/app\n",  # a .env: one string
        '{"auths": {"registry.example.com": {"auth": "aHVudGVyMg=="}}, "hunter2": 1}\n',  # a registry config
        "apiVersion: v1\nkind: Config\nusers: [{name: a, user: {token: hunter2}}]\nusers: []\n",  # a duplicate key too
        "- hunter2\n- hunter2\n",
        "",
    ],
)
def test_an_extends_target_that_is_not_a_values_file_is_refused_unread(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str
) -> None:
    target = write(tmp_path, "target", content)
    top = write(tmp_path, "top.yaml", f"release: x\nextends: {target}\n")
    status, stderr = synth(capsys, "--values", str(top), "--outdir", str(tmp_path / "out"))
    assert status == 1
    assert stderr.splitlines() == [
        f"error: {top}:2: extends: {target}: not a values file (a mapping of release, appVersion, services, ...); "
        "extends names the values file this one is an overlay of"
    ]
    shown = stderr.replace(str(tmp_path), "")
    assert not [word for word in ("hunter2", "root", "auths") if word in shown]
    assert not (tmp_path / "out").exists()


def test_an_extends_target_with_a_values_key_is_a_values_file_with_its_own_mistakes(tmp_path: Path) -> None:
    """The boundary: one values key makes it a values file, whose mistakes are said as usual."""
    base = write(tmp_path, "base.yaml", "releas: x\nappVersion: '1'\n")
    top = write(tmp_path, "top.yaml", "extends: base.yaml\n")
    assert f"{base}:1: releas: unknown key 'releas'; did you mean 'release'?" in errors([top])
    only_extends = write(tmp_path, "middle.yaml", f"extends: {DEFAULT}\n")
    assert load_values(write(tmp_path, "top2.yaml", f"extends: {only_extends}\n")).release == "todo-chatbot"
    broken = write(tmp_path, "broken.yaml", "release: [x\n")
    (line,) = errors([write(tmp_path, "top3.yaml", f"extends: {broken}\n")])
    assert line.startswith(f"{broken}:2: not valid YAML: ")


def test_a_problem_at_a_field_the_file_lacks_names_its_whole_path_at_its_parent_s_line(tmp_path: Path) -> None:
    values = write(tmp_path, "v.yaml", "release: shop\nservices:\n  web:\n    kind: web\n")
    layers = load_layers([values], [])
    assert layers.message(("services", "web", "auditSkips", "CKV_K8S_21"), "too short") == (  # was services.web.CKV_K8S_21
        f"{values}:3: services.web.auditSkips.CKV_K8S_21: too short"
    )
    assert layers.message(("services", "web", "kind"), "wrong") == f"{values}:4: services.web.kind: wrong"
    assert layers.message(("services", "web", "volumes", 0), "gone") == f"{values}:3: services.web: gone"
