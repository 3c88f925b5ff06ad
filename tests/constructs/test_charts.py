"""charts: a chart made by new_chart (deferring its objects or not) is a plain cdk8s chart whose
constructs join the construct tree when they are made; every synth renders the same objects; what
the synth of the library's App refuses reaches the caller as one Python exception; a plain
cdk8s App keeps its own synth and refuses the same."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import cdk8s
import cdk8s_plus_27 as kp
import pytest

from constructs import Construct
from tests.helpers import yaml_load_all
from webapp_constructs._api_service import ApiService
from webapp_constructs._app_config import AppConfig
from webapp_constructs._charts import App, SynthError, defer_objects, new_chart
from webapp_constructs._manifest import Manifest, chart_manifests
from webapp_constructs._network_policies import DefaultDeny
from webapp_constructs._web_service import WebService


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
    return [doc for path in sorted(Path(app.outdir).glob("*.yaml")) for doc in yaml_load_all(path.read_text())]


def test_deferred_objects_give_the_tree_and_every_synth_of_objects_made_at_once(tmp_path: Path) -> None:
    outputs, paths = [], []
    for how in ("at-once", "new-chart", "defer-objects"):
        app = cdk8s.App(outdir=str(tmp_path / how))
        if how == "new-chart":
            chart = new_chart(app, "app", namespace="shop", defer=True)
        else:
            chart = cdk8s.Chart(app, "app", namespace="shop", disable_resource_name_hashes=True)
            if how == "defer-objects":
                defer_objects(chart)
        made = _program(chart)
        assert made["api"].node.path == "app/api"  # in the tree at once, whatever the chart
        outputs.append((chart_manifests(chart), cdk8s.Testing.synth(chart), _synth(app, tmp_path)))
        paths.append([c.node.path for c in chart.node.find_all()])
    assert paths[0] == paths[1] == paths[2]
    assert outputs[0] == outputs[1] == outputs[2]
    assert outputs[1][0] == outputs[1][1] == outputs[1][2]


def test_constructs_join_the_tree_when_made_in_a_plain_cdk8s_chart() -> None:
    app = cdk8s.App()
    chart = new_chart(app, "app", defer=True)
    assert type(chart) is cdk8s.Chart
    first = AppConfig(chart, "first", name="first", data={})
    group = Construct(chart, "group")
    inner = AppConfig(group, "inner", name="inner", data={})
    Manifest(chart, "raw", {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "raw"}})
    assert [c.node.id for c in chart.node.children] == ["first", "group", "raw"]
    assert (first.node.path, inner.node.path) == ("app/first", "app/group/inner")
    assert [m["metadata"]["name"] for m in chart_manifests(chart) if m["kind"] == "ConfigMap"] == ["first", "inner", "raw"]


def test_a_repeated_construct_id_fails_as_cdk8s_makes_it_fail() -> None:
    chart = new_chart(cdk8s.App(), "app", defer=True)
    AppConfig(chart, "config", name="one", data={})
    with pytest.raises(Exception, match="config"):
        AppConfig(chart, "config", name="two", data={})


def _quickstart(tmp_path: Path, defer: bool) -> list[Any]:
    """The program of docs/library.md (examples/quickstart.py) in a chart made by new_chart, written by App.synth."""
    source = (Path(__file__).resolve().parents[2] / "examples" / "quickstart.py").read_text()
    made = 'chart = cdk8s.Chart(app, "bookshop", namespace="shop")'
    assert made in source
    assert "app = cdk8s.App()" in source
    source = source.replace("app = cdk8s.App()", f"app = cdk8s.App(outdir={str(tmp_path)!r})")
    source = source.replace(made, f'chart = new_chart(app, "bookshop", namespace="shop", defer={defer})')
    exec(compile(source, "quickstart.py", "exec"), {"new_chart": new_chart, "__name__": "quickstart"})
    return [doc for path in sorted(tmp_path.glob("*.yaml")) for doc in yaml_load_all(path.read_text())]


def test_the_readme_program_renders_the_same_with_its_objects_deferred(tmp_path: Path) -> None:
    """cdk8s-plus objects between ours, given ours (connect, Volume.config_map, harden): the same output."""
    at_once, later = _quickstart(tmp_path / "at-once", False), _quickstart(tmp_path / "later", True)
    assert later == at_once
    kinds = [m["kind"] for m in later]
    assert (kinds.count("Deployment"), kinds.count("CronJob"), kinds.count("Job"), kinds[0]) == (5, 1, 1, "Namespace")


def test_wrong_props_and_a_cdk8s_plus_scope_fail_or_work_as_in_any_chart() -> None:
    """What a user gets wrong is refused the same in a deferring chart; a construct of ours made
    inside a cdk8s-plus object is in the tree under it."""
    from webapp_constructs._props import PropsError

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
    assert inside.node.path == "app/holder/inside"
    assert [m["metadata"]["name"] for m in chart_manifests(chart) if m["kind"] == "ConfigMap"][-1] == "inside"


def _two_charts(tmp_path: Path, second_name: str, app_class: type[cdk8s.App] = App) -> cdk8s.App:
    app = app_class(outdir=str(tmp_path / "dist"))
    ApiService(cdk8s.Chart(app, "one", namespace="shop"), "api", image="api:1")
    ApiService(cdk8s.Chart(app, "two", namespace="shop"), "api", image="api:1", name=second_name)
    return app


def test_what_the_synth_of_our_app_refuses_is_one_python_exception_naming_the_construct_paths(tmp_path: Path) -> None:
    """Issue 28, item 19: not jsii's RuntimeError around Node.js's stack."""
    import traceback

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


def test_a_plain_cdk8s_app_refuses_the_same_and_keeps_its_own_synth(tmp_path: Path) -> None:
    """Issue 30, item 3: the library patches nothing, not even the synth of the app it joins."""
    app = _two_charts(tmp_path, "api", cdk8s.App)
    assert "synth" not in vars(app)
    assert "synth_yaml" not in vars(app)
    assert type(app).synth is cdk8s.App.synth
    with pytest.raises(RuntimeError) as raised:
        app.synth()
    said = str(raised.value)
    assert said.count("rendered twice, by one/api and by two/api") == 4, said
    assert not list(tmp_path.glob("dist/*.yaml"))  # nothing written
    _two_charts(tmp_path, "api-two", cdk8s.App).synth()
    assert sorted(p.name for p in (tmp_path / "dist").iterdir()) == ["one.k8s.yaml", "two.k8s.yaml"]


def test_an_exception_the_library_raises_during_the_synth_reaches_the_caller_as_it_is(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from webapp_constructs._props import Problem, PropsError
    from webapp_constructs._service_workload import ServiceWorkload

    def refuse(self: ServiceWorkload) -> list[dict[str, Any]]:
        raise PropsError(f"ApiService {self.construct_id!r}", [Problem(("allow_from",), "refused at render")])

    monkeypatch.setattr(ServiceWorkload, "_ingress_rules", refuse)
    app = App(outdir=str(tmp_path / "dist"))
    ApiService(cdk8s.Chart(app, "one", namespace="shop"), "api", image="api:1")
    with pytest.raises(PropsError) as raised:
        app.synth()
    assert str(raised.value) == "ApiService 'api': allow_from: refused at render"
    assert raised.value.__suppress_context__
    plain = cdk8s.App(outdir=str(tmp_path / "plain"))  # a plain app: jsii's error, saying the same
    ApiService(cdk8s.Chart(plain, "one", namespace="shop"), "api", image="api:1")
    with pytest.raises(RuntimeError, match="refused at render"):
        plain.synth()
    monkeypatch.undo()
    app = App(outdir=str(tmp_path / "dist"))  # the same kernel synthesizes on
    ApiService(cdk8s.Chart(app, "one", namespace="shop"), "api", image="api:1")
    app.synth()
    assert (tmp_path / "dist" / "one.k8s.yaml").is_file()


@pytest.mark.parametrize("defer", ["yes", 1, None])
def test_new_chart_takes_defer_as_a_boolean(defer: object) -> None:
    """A truthy string would defer, a falsy None would not: neither is what was meant."""
    app = cdk8s.App()
    with pytest.raises(TypeError, match=rf"^new_chart: defer is True or False, not {type(defer).__name__}$"):
        new_chart(app, "shop", defer=defer)  # type: ignore[arg-type]
    assert app.node.children == []
    assert new_chart(app, "shop", defer=True).node.id == "shop"
