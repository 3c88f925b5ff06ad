"""charts: constructs of a chart made by new_chart(defer=True) join the construct tree only when
jsii first needs them, in the order they were made, so that every synth sees the tree an
immediate join makes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import cdk8s
import cdk8s_plus_27 as kp
import pytest
import yaml

from constructs import Construct
from constructs.api_service import ApiService
from constructs.app_config import AppConfig
from constructs.charts import chart_info, defer_objects, new_chart
from constructs.manifest import Manifest, chart_manifests
from constructs.network_policies import DefaultDeny
from constructs.web_service import WebService


def _joined(construct: Any) -> bool:
    return "_jsii_ref" in construct.__dict__


def _program(chart: cdk8s.Chart) -> dict[str, Any]:
    """A chart's constructs: ours, a cdk8s-plus ConfigMap between them, a plain ApiObject, ours again."""
    config = AppConfig(chart, "config", name="settings", data={"A": "1"})
    DefaultDeny(chart, "deny", name="deny", pod_selector={"app.kubernetes.io/instance": "x"})
    api = ApiService(chart, "api", image="api:1")
    kp.ConfigMap(chart, "kp-config", data={"B": "2"})
    cdk8s.ApiObject(chart, "plain", api_version="v1", kind="ConfigMap", metadata=cdk8s.ApiObjectMetadata(name="plain"))
    web = WebService(chart, "web", image="web:1")
    web.connect(api, env="API_URL")
    api.env_from_config_map(config, ["A"])
    return {"api": api, "web": web, "config": config}


def _synth(app: cdk8s.App, tmp_path: Path) -> list[Any]:
    app.synth()
    return [doc for path in sorted(Path(app.outdir).glob("*.yaml")) for doc in yaml.safe_load_all(path.read_text())]


def test_constructs_made_in_a_deferring_chart_cost_no_jsii_call_until_needed(monkeypatch: pytest.MonkeyPatch) -> None:
    from jsii._kernel import Kernel

    app = cdk8s.App()
    chart = new_chart(app, "app", namespace="shop", defer=True)
    api = ApiService(chart, "api", image="api:1")  # the app's first: its synth checks are set up (once per app)
    sent: list[str] = []

    def counting(name: str) -> Any:
        original = getattr(Kernel, name)

        def call(self: Any, *args: Any, **kwargs: Any) -> Any:
            sent.append(name)
            return original(self, *args, **kwargs)

        return call

    for name in ("create", "get", "set", "invoke", "sget", "sinvoke"):
        monkeypatch.setattr(Kernel, name, counting(name))
    web = WebService(chart, "web", image="web:1")
    configs = [AppConfig(chart, f"config-{n}", name=f"config-{n}", data={"A": "1"}) for n in range(5)]
    web.connect(api, env="API_URL")
    web.env_from_config_map(configs[0], ["A"])
    rendered = chart_manifests(chart)
    assert sent == []
    assert not any(_joined(c) for c in (api, web, *configs))
    assert [m["kind"] for m in rendered].count("Deployment") == 2
    monkeypatch.undo()
    assert chart_manifests(chart) == rendered == cdk8s.Testing.synth(chart)


def test_the_tree_and_every_synth_are_those_of_an_immediate_join(tmp_path: Path) -> None:
    outputs, paths = [], []
    for later in (False, True):
        app = cdk8s.App(outdir=str(tmp_path / str(later)))
        if later:
            chart = new_chart(app, "app", namespace="shop", defer=True)
        else:  # the objects deferred, the constructs joining at once
            chart = cdk8s.Chart(app, "app", namespace="shop", disable_resource_name_hashes=True)
            defer_objects(chart)
        made = _program(chart)
        assert _joined(made["api"])  # kp.ConfigMap was handed the chart: the constructs before it joined first
        before = [c.node.path for c in chart.node.find_all()]
        outputs.append((chart_manifests(chart), cdk8s.Testing.synth(chart), _synth(app, tmp_path)))
        paths.append((before, [c.node.path for c in chart.node.find_all()]))
    assert paths[0] == paths[1]
    assert outputs[0] == outputs[1]
    assert outputs[1][0] == outputs[1][1] == outputs[1][2]


def test_asking_cdk8s_of_a_construct_joins_those_before_it_first() -> None:
    app = cdk8s.App()
    chart = new_chart(app, "app", defer=True)
    first = AppConfig(chart, "first", name="first", data={})
    second = AppConfig(chart, "second", name="second", data={})
    third = AppConfig(chart, "third", name="third", data={})
    assert second.node.path == "app/second"
    assert all(_joined(c) for c in (first, second, third))
    assert [c.node.id for c in chart.node.children] == ["first", "second", "third"]
    later = AppConfig(chart, "later", name="later", data={})
    assert _joined(later)  # the chart is seen: constructs join at once
    assert not chart_info(chart).waiting


def test_a_repeated_or_unusual_construct_id_fails_as_cdk8s_makes_it_fail() -> None:
    chart = new_chart(cdk8s.App(), "app", defer=True)
    AppConfig(chart, "config", name="one", data={})
    with pytest.raises(Exception, match="There is already a Construct with name 'config'"):
        AppConfig(chart, "config", name="two", data={})
    other = new_chart(cdk8s.App(), "other", defer=True)
    sliced = AppConfig(other, "a/b", name="sliced", data={})
    assert _joined(sliced)
    assert sliced.node.id == "a--b"
    with pytest.raises(Exception, match="There is already a Construct with name 'a--b'"):
        AppConfig(other, "a--b", name="two", data={})
    with pytest.raises(Exception, match="Only root constructs may have an empty ID"):
        AppConfig(new_chart(cdk8s.App(), "empty", defer=True), "", name="x", data={})


def test_constructs_in_a_construct_and_objects_of_others_keep_their_place() -> None:
    app = cdk8s.App()
    chart = new_chart(app, "app", defer=True)
    api = ApiService(chart, "api", image="api:1")
    group = Construct(chart, "group")  # handed the chart: api joins first
    inner = AppConfig(group, "inner", name="inner", data={})
    Manifest(chart, "raw", {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "raw"}})
    assert _joined(api)
    assert _joined(inner)
    assert [c.node.id for c in chart.node.children] == ["api", "group", "raw"]
    assert [m["metadata"]["name"] for m in chart_manifests(chart) if m["kind"] == "ConfigMap"] == ["inner", "raw"]


def test_a_chart_of_your_own_is_untouched() -> None:
    chart = cdk8s.Chart(cdk8s.App(), "mine")
    api = ApiService(chart, "api", image="api:1")
    assert _joined(api)
    assert type(chart) is cdk8s.Chart
    assert not chart_info(chart).joins_later


def _quickstart(tmp_path: Path, defer: bool) -> list[Any]:
    """The program of docs/library.md (examples/quickstart.py) in a chart made by new_chart, written by App.synth."""
    source = (Path(__file__).resolve().parents[2] / "examples" / "quickstart.py").read_text()
    made = 'chart = cdk8s.Chart(app, "bookshop", namespace="shop")'
    assert made in source
    source = source.replace("app = cdk8s.App()", f"app = cdk8s.App(outdir={str(tmp_path)!r})")
    source = source.replace(made, f'chart = new_chart(app, "bookshop", namespace="shop", defer={defer})')
    exec(compile(source, "quickstart.py", "exec"), {"new_chart": new_chart, "__name__": "quickstart"})
    return [doc for path in sorted(tmp_path.glob("*.yaml")) for doc in yaml.safe_load_all(path.read_text())]


def test_the_readme_program_renders_the_same_when_its_constructs_join_the_tree_later(tmp_path: Path) -> None:
    """cdk8s-plus objects between ours, given ours (connect, Volume.config_map, harden): the same output."""
    at_once, later = _quickstart(tmp_path / "at-once", False), _quickstart(tmp_path / "later", True)
    assert later == at_once
    kinds = [m["kind"] for m in later]
    assert (kinds.count("Deployment"), kinds.count("CronJob"), kinds.count("Job"), kinds[0]) == (5, 1, 1, "Namespace")


def test_wrong_props_and_a_cdk8s_plus_scope_fail_or_work_as_in_any_chart() -> None:
    """What a user gets wrong is refused the same in a deferring chart; a construct of ours made
    inside a cdk8s-plus object joins at once, under it."""
    from constructs.props import PropsError

    messages = []
    for defer in (False, True):
        chart = new_chart(cdk8s.App(), "app", defer=defer)
        with pytest.raises(PropsError) as error:
            ApiService(chart, "api", image="api:1", command="python -m api")
        messages.append(str(error.value))
        with pytest.raises(TypeError, match="keys is a list of keys"):
            ApiService(chart, "ok", image="api:1").env_from_config_map("settings", "LOG_LEVEL")
    assert messages[0] == messages[1]
    assert "command" in messages[0]
    chart = new_chart(cdk8s.App(), "app", defer=True)
    holder = kp.ConfigMap(chart, "holder")
    inside = AppConfig(holder, "inside", name="inside", data={"A": "1"})
    assert _joined(inside)
    assert inside.node.path == "app/holder/inside"
    assert [m["metadata"]["name"] for m in chart_manifests(chart) if m["kind"] == "ConfigMap"][-1] == "inside"


def _two_charts(tmp_path: Path, second_name: str) -> cdk8s.App:
    app = cdk8s.App(outdir=str(tmp_path / "dist"))
    ApiService(cdk8s.Chart(app, "one", namespace="shop"), "api", image="api:1")
    ApiService(cdk8s.Chart(app, "two", namespace="shop"), "api", image="api:1", name=second_name)
    return app


def test_what_the_synth_refuses_is_one_python_exception_naming_the_construct_paths(tmp_path: Path) -> None:
    """Issue 28, item 19: not jsii's RuntimeError around Node.js's stack."""
    import traceback

    from constructs.charts import SynthError

    app = _two_charts(tmp_path, "api")
    with pytest.raises(SynthError) as raised:
        app.synth()
    error = raised.value
    assert isinstance(error, RuntimeError)  # as cdk8s's own validation errors are
    assert error.problems == str(error).splitlines()
    assert len(error.problems) == 4  # ServiceAccount, Service, Deployment, NetworkPolicy
    assert all("rendered twice, by one/api and by two/api" in line and "give one another name" in line for line in error.problems)
    shown = "".join(traceback.format_exception(error))
    assert "JavaScript" not in shown
    assert ".js:" not in shown
    assert len(shown.splitlines()) < 12, shown
    with pytest.raises(SynthError):
        app.synth_yaml()
    assert not list(tmp_path.glob("dist/*.yaml"))  # nothing written
    # the accepted case next to it: another name, and the same kernel synthesizes on
    _two_charts(tmp_path, "api-two").synth()
    assert sorted(p.name for p in (tmp_path / "dist").iterdir()) == ["one.k8s.yaml", "two.k8s.yaml"]


def test_an_exception_the_library_raises_during_the_synth_reaches_the_caller_as_it_is(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from constructs.props import Problem, PropsError
    from constructs.service_workload import ServiceWorkload

    def refuse(self: ServiceWorkload) -> list[dict[str, Any]]:
        raise PropsError(f"ApiService {self.construct_id!r}", [Problem(("allow_from",), "refused at render")])

    monkeypatch.setattr(ServiceWorkload, "_ingress_rules", refuse)
    app = cdk8s.App(outdir=str(tmp_path / "dist"))
    ApiService(cdk8s.Chart(app, "one", namespace="shop"), "api", image="api:1")
    with pytest.raises(PropsError) as raised:
        app.synth()
    assert str(raised.value) == "ApiService 'api': allow_from: refused at render"
    assert raised.value.__suppress_context__
    monkeypatch.undo()
    app = cdk8s.App(outdir=str(tmp_path / "dist"))  # the same kernel synthesizes on
    ApiService(cdk8s.Chart(app, "one", namespace="shop"), "api", image="api:1")
    app.synth()
    assert (tmp_path / "dist" / "one.k8s.yaml").is_file()
