"""Charts: what the library knows of each cdk8s chart its constructs are in (asked of cdk8s once:
each question crosses the jsii bridge), and what an app's synth runs for them.

**Deferred objects.** In a chart passed to :func:`defer_objects`, a construct creates its objects
in the construct tree only when asked for one (``service.deployment``) or when cdk8s synthesizes
the chart; :func:`~._manifest.chart_manifests` renders them without creating them at all, which
saves a jsii call per object. The values app uses this; charts of your own need not.

**App checks.** The synth of an app that holds this library's constructs runs the checks of
their classes (``APP_CHECKS`` of each: an object rendered twice into a namespace and a
policy-scanner exception without its reason for every construct, :mod:`._manifest`; a cdk8s-plus
policy that cuts our pods' egress, :mod:`._workload`; a pod below its namespace's Pod Security
level as rendered, :mod:`._app_namespace`; an internal MCP server opened, :mod:`._mcp_service`).

**Refusals at synth.** The checks answer cdk8s's validation with one line per problem naming the
construct paths, so ``synth()`` of any ``cdk8s.App`` refuses with them (jsii's ``RuntimeError``,
chained to Node.js's stack). The synth of :class:`App`, a ``cdk8s.App`` subclass, raises what was
refused as that one Python exception: :class:`SynthError` with those lines, or the
:class:`~._props.PropsError` this library's code raised while cdk8s synthesized (jsii calls it
back from Node.js), without Node.js's stack. Nothing is patched: a ``cdk8s.App`` keeps its own
``synth``.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from typing import Any, Protocol

import cdk8s
import jsii

import constructs as _upstream
from constructs import Construct

__all__ = ["App", "AppCheck", "ChartInfo", "SynthError", "chart_info", "defer_objects", "new_chart", "raised_in_synth"]


class SynthError(RuntimeError):
    """What ``app.synth()`` refuses: ``problems``, one line each, naming the construct paths and
    the way out. (A ``RuntimeError``, as cdk8s's own validation errors are.)"""

    def __init__(self, problems: list[str]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))


_RAISED: list[BaseException] = []
"""What this library's code raised in jsii callbacks during the synth under way (see the module)."""


def raised_in_synth(error: BaseException) -> None:
    """Note ``error``, raised by this library's code that jsii called back during a synth: the
    synth raises it instead of jsii's ``RuntimeError`` (see the module). The first few only: one
    raised outside a synth (``chart.to_json()``) waits for the next synth, which forgets it."""
    if len(_RAISED) < 4:
        _RAISED.append(error)


def _refused(error: RuntimeError) -> BaseException | None:
    """What this library refused during the synth that ended in jsii's ``error``, if anything."""
    if not _RAISED:
        return None
    refused = _RAISED[0]
    del _RAISED[:]
    if isinstance(refused, SynthError):  # cdk8s's own validation errors besides ours, if any
        said = str(error)
        others = [line.strip() for line in said.splitlines()[1:] if line.strip()]
        others = [line for line in others if not any(problem in line for problem in refused.problems)]
        if others:
            refused = SynthError([*refused.problems, *others])
    return refused


class App(cdk8s.App):
    """A ``cdk8s.App`` whose ``synth()`` and ``synth_yaml()`` raise what this library refuses as one
    Python exception: :class:`SynthError` (one line per problem, naming the construct paths) or the
    :class:`~._props.PropsError` that this library's code raised while cdk8s synthesized, without
    Node.js's stack. A plain ``cdk8s.App`` refuses the same, as jsii's ``RuntimeError``."""

    # Each method raises itself (no shared wrapper): the traceback a user sees ends one frame below
    # their own call (tests/constructs/test_charts.py holds it short).

    def synth(self) -> None:
        del _RAISED[:]
        try:
            super().synth()
        except RuntimeError as error:  # jsii's, around what a validation or a callback refused
            refused = _refused(error)
            if refused is None:
                raise
            raise refused from None

    def synth_yaml(self) -> str:
        del _RAISED[:]
        try:
            return super().synth_yaml()
        except RuntimeError as error:
            refused = _refused(error)
            if refused is None:
                raise
            raise refused from None


AppCheck = Callable[[Construct], list[str]]
"""What an app must pass when cdk8s synthesizes it: takes the app's root, returns one line per problem."""


class Member(Protocol):
    """One of this library's constructs, as its chart knows it."""

    def create_objects(self) -> None:
        """Create its deferred objects in the construct tree (see :func:`defer_objects`)."""


class ChartInfo:
    """What the library needs to know of a chart, asked of cdk8s once (each question crosses the
    jsii bridge), and the library's constructs in it."""

    def __init__(self, chart: cdk8s.Chart) -> None:
        self.chart = chart
        self.deferred = False
        self.members: list[Member] = []
        self._namespace: tuple[str | None] | None = None
        self._labels: dict[str, str] | None = None
        self._id: str | None = None
        self.registry: dict[str, Any] = {}
        """Per-chart state of the constructs (e.g. the pods each service selects)."""
        self.checks: set[tuple[AppCheck, ...]] = set()
        """The checks its constructs asked the app's synth to run (each class's once)."""
        self.root: Construct | None = None
        """The root of the chart's construct tree (its app), when known without asking cdk8s."""

    @property
    def namespace(self) -> str | None:
        if self._namespace is None:
            self._namespace = (self.chart.namespace,)
        return self._namespace[0]

    @property
    def labels(self) -> dict[str, str]:
        if self._labels is None:
            self._labels = dict(self.chart.labels)
        return self._labels

    @property
    def id(self) -> str:
        if self._id is None:
            self._id = self.chart.node.id
        return self._id


_CHARTS: weakref.WeakKeyDictionary[cdk8s.Chart, ChartInfo] = weakref.WeakKeyDictionary()


def chart_info(scope: Construct) -> ChartInfo:
    """The :class:`ChartInfo` of the chart that ``scope`` is in (or is)."""
    known = getattr(scope, "chart_info", None)
    if isinstance(known, ChartInfo) and not isinstance(scope, cdk8s.Chart):  # one of ours: no need to ask
        return known
    chart = scope if isinstance(scope, cdk8s.Chart) else cdk8s.Chart.of(scope)
    info = _CHARTS.get(chart)
    if info is None:
        info = _CHARTS[chart] = ChartInfo(chart)
    return info


@jsii.implements(_upstream.IValidation)
class _CreateDeferred:
    """Runs when cdk8s synthesizes (it validates every construct of the app first): creates the
    deferred objects of the charts' constructs, so that cdk8s renders them."""

    def __init__(self) -> None:
        self.charts: list[ChartInfo] = []

    def validate(self) -> list[str]:
        try:
            for info in self.charts:
                for member in info.members:
                    member.create_objects()
        except Exception as error:
            raised_in_synth(error)
            raise
        return []


_HOOKS: weakref.WeakKeyDictionary[Construct, _CreateDeferred] = weakref.WeakKeyDictionary()
"""One hook per app (or per chart whose app is not known without asking cdk8s)."""


@jsii.implements(_upstream.IValidation)
class _AppChecks:
    """Runs the checks of the constructs in the app under ``root`` when cdk8s synthesizes it."""

    def __init__(self, root: Construct) -> None:
        self.root = root
        self.checks: dict[AppCheck, None] = {}  # in the order they were asked for, each once

    def validate(self) -> list[str]:
        try:
            lines = [line for check in self.checks for line in check(self.root)]
        except Exception as error:
            raised_in_synth(error)
            raise
        if lines:
            raised_in_synth(SynthError(lines))
        return lines


_APP_CHECKS: weakref.WeakKeyDictionary[Construct, _AppChecks] = weakref.WeakKeyDictionary()
"""The checks each app's synth runs, by its root."""


def _check_app(info: ChartInfo, checks: tuple[AppCheck, ...]) -> None:
    """Make the synth of ``info``'s app run ``checks`` (each once per app)."""
    if checks in info.checks:
        return
    info.checks.add(checks)
    root: Construct = info.root if info.root is not None else info.chart.node.root  # type: ignore[assignment]
    hook = _APP_CHECKS.get(root)
    if hook is None:
        hook = _APP_CHECKS[root] = _AppChecks(root)
        root.node.add_validation(hook)
    hook.checks.update(dict.fromkeys(checks))


def new_chart(
    scope: Construct,
    id: str,
    *,
    namespace: str | None = None,
    labels: dict[str, str] | None = None,
    defer: bool = False,
) -> cdk8s.Chart:
    """``cdk8s.Chart(scope, id, namespace=..., labels=..., disable_resource_name_hashes=True)``,
    whose namespace, labels and app (when ``scope`` is the app) the library then knows without asking
    cdk8s (four jsii calls less per chart); with ``defer``, see :func:`defer_objects`."""
    if not isinstance(defer, bool):
        raise TypeError(f"new_chart: defer is True or False, not {type(defer).__name__}")
    chart = cdk8s.Chart(scope, id, namespace=namespace, labels=labels, disable_resource_name_hashes=True)
    info = chart_info(chart)
    info._namespace = (namespace,)
    info._labels = dict(labels or {})
    info._id = id
    if isinstance(scope, cdk8s.App):
        info.root = scope
    if defer:
        _defer(info, scope if isinstance(scope, cdk8s.App) else chart)
    return chart


def defer_objects(chart: cdk8s.Chart) -> None:
    """Create the objects of this library's constructs in ``chart`` only when they are needed:
    when a construct's object is asked for (``service.deployment``) or when cdk8s synthesizes the
    chart (``App.synth()``, ``cdk8s.Testing.synth()``, ``chart.to_json()``). :func:`chart_manifests`
    renders them without creating them, one jsii call less per object. Call it before adding
    constructs. Caveat: cdk8s orders a deferred object by a dependency on its construct
    (``node.add_dependency``) only from its second synth on; add dependencies between the objects
    themselves, or do not defer."""
    _defer(chart_info(chart), chart)


def _defer(info: ChartInfo, host: Construct) -> None:
    """Defer the objects of ``info``'s chart, its hook on ``host`` (the chart, or its app: cdk8s
    validates every construct of the app before it synthesizes any chart)."""
    if info.deferred:
        return
    info.deferred = True
    hook = _HOOKS.get(host)
    if hook is None:
        hook = _HOOKS[host] = _CreateDeferred()
        host.node.add_validation(hook)
    hook.charts.append(info)
