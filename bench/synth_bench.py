#!/usr/bin/env python3
"""How long a synth takes, as ratios measured in one run on the same machine.

    make bench        # or: .venv/bin/python bench/synth_bench.py [--rounds 9]

Runs these commands, interleaved, ``--rounds`` times each, and reports the best time of each and,
as the figures compared with the goals, the median over the rounds of each round's ratio (runs
made one after the other, so that the machine's drifting speed cancels out):
  bare     a bare cdk8s app: App, one Chart, one ApiObject, synthesized to a directory (no
           cdk8s-plus): what any cdk8s app in Python pays (the goal's yardstick);
  bare like main  the same with the garbage collector set as main.py sets it (paused while the
           modules load, then what they made frozen, the youngest collected less often), jsii's
           plain type checks answered before typeguard as main.py has them answered
           (values_app/jsii_type_checks.py), and the end main.py makes (at once, without waiting
           for Node.js to stop): the yardstick like for like, since part of what these save is
           cdk8s's own cost, which a bare app pays too;
  default  main.py on the default preset (3 services, 15 objects);
  grown    main.py on the default preset grown to 100 services, each extra one with every
           hardening object (ServiceAccount, Service, Deployment, HPA, PDB, NetworkPolicy);
  one env  main.py envs with one environment (the default preset);
  all envs main.py envs with every preset of values/ as an environment, in one process.
Then ``import webapp_constructs`` and every name of its ``__all__`` after ``import cdk8s`` in a fresh
process (the package as ``make setup`` installs it; ``--rounds`` times; the median), and, in this process, where each extra
service's time goes: loading the values, building the constructs, rendering the objects and
writing the YAML (best of 3 each).

Prints the figures and how they compare with the goals; asserts nothing (tests never time).
"""

from __future__ import annotations

import argparse
import copy
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
DEFAULT = ROOT / "values" / "003-local-k8s-deployment.yaml"
PRESETS = sorted((ROOT / "values").glob("*.yaml"))
TYPE_CHECKS = ROOT / "values_app" / "jsii_type_checks.py"
SERVICES = 100
GOAL_RATIO = 1.10
GOAL_MS_PER_SERVICE = 2.0
GOAL_IMPORT_MS = 25.0
GOAL_ALL_ENVIRONMENTS = 1.5
SECRET_KEYS = ("DATABASE_URL", "BETTER_AUTH_SECRET", "OPENAI_API_KEY", "CHATKIT_WORKFLOW_ID")  # unset: no Secret

BARE_APP = """
import sys
import cdk8s

app = cdk8s.App(outdir=sys.argv[1])
chart = cdk8s.Chart(app, "bare")
cdk8s.ApiObject(chart, "config", api_version="v1", kind="ConfigMap")
app.synth()
"""


def grown_values(target: Path) -> None:
    values = yaml.safe_load(DEFAULT.read_text())
    backend = values["services"]["backend"]
    for index in range(SERVICES - len(values["services"])):
        extra = copy.deepcopy(backend)
        extra.update(name=f"todo-worker-{index}", service={"type": "ClusterIP", "port": 8000})
        extra.pop("replicas", None)
        extra["autoscaling"] = {"minReplicas": 2, "maxReplicas": 4}
        values["services"][f"worker-{index}"] = extra
    target.write_text(yaml.safe_dump(values, sort_keys=False))


def environments(target: Path, presets: list[Path]) -> None:
    table = {preset.stem: {"values": [str(preset)]} for preset in presets}
    target.write_text(yaml.safe_dump({"environments": table}, sort_keys=False))


BARE_APP_LIKE_MAIN = """
import gc, sys, tempfile, shutil
gc.disable()  # as main.py does (values_app/runtime.py): no collection while the modules load,
import os
scratch = tempfile.tempdir = os.environ["TMPDIR"] = tempfile.mkdtemp()  # its own temporary directory (use_own_scratch)
import cdk8s
gc.freeze()  # then only the objects made after them are walked,
gc.set_threshold(100_000, 10, 10)  # the youngest every 100,000 allocations
gc.enable()
import importlib.util  # as main.py does: plain type checks answered without typeguard
spec = importlib.util.spec_from_file_location("jsii_type_checks", sys.argv[2])
jsii_type_checks = importlib.util.module_from_spec(spec)
spec.loader.exec_module(jsii_type_checks)
jsii_type_checks.install()
app = cdk8s.App(outdir=sys.argv[1])
chart = cdk8s.Chart(app, "bare")
cdk8s.ApiObject(chart, "config", api_version="v1", kind="ConfigMap")
app.synth()
# and leaves at once, as main.py does (values_app/runtime.py: leave), its directory removed
sys.stdout.flush()
shutil.rmtree(scratch, ignore_errors=True)
os._exit(0)
"""
"""The bare app with main.py's settings of the garbage collector, its answer to jsii's plain type
checks and its end: what the library and the values app themselves add, like for
like."""


IMPORT_PROGRAM = """
import time
start = time.perf_counter()
import cdk8s
middle = time.perf_counter()
import webapp_constructs
for name in webapp_constructs.__all__:  # each public name loads its module on first use: load them all
    getattr(webapp_constructs, name)
print(time.perf_counter() - middle, middle - start)
"""


def import_times(env: dict[str, str], rounds: int) -> list[float]:
    """Milliseconds ``import webapp_constructs`` takes after ``import cdk8s``, one per fresh process."""
    command = [sys.executable, "-c", IMPORT_PROGRAM]
    subprocess.run(command, env=env, capture_output=True, check=True)  # writes its bytecode
    found = []
    for _ in range(rounds):
        result = subprocess.run(command, env=env, capture_output=True, text=True, check=True)
        found.append(float(result.stdout.split()[0]) * 1000)
    return found


def timed(command: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def phases(grown: Path, rounds: int = 3) -> dict[str, float]:
    """Milliseconds per extra service of each phase of a synth, measured in this process."""
    sys.path.insert(0, str(ROOT))
    from values_app.loader import load_values
    from values_app.release import build_release
    from values_app.synth import dump_yaml, render_files

    def run(path: Path) -> dict[str, float]:
        best: dict[str, float] = {}
        for _ in range(rounds):
            t0 = time.perf_counter()
            values = load_values(path)
            t1 = time.perf_counter()
            release = build_release(values, environ={})
            t2 = time.perf_counter()
            files = render_files(release)
            t3 = time.perf_counter()
            for docs in files.values():
                dump_yaml(docs)
            t4 = time.perf_counter()
            for name, took in (("load", t1 - t0), ("build", t2 - t1), ("render", t3 - t2), ("write", t4 - t3)):
                best[name] = min(best.get(name, took), took)
        return best

    run(DEFAULT)  # start jsii and warm up
    small, large = run(DEFAULT), run(grown)
    return {name: (large[name] - small[name]) / (SERVICES - 3) * 1000 for name in small}


def verdict(value: float, goal: float) -> str:
    return "met" if value <= goal else "missed"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--rounds", type=int, default=11, help="runs of each command, interleaved (default: 11)")
    args = parser.parse_args()

    env = {k: v for k, v in os.environ.items() if k not in SECRET_KEYS and k != "PYTHONDONTWRITEBYTECODE"}
    env.setdefault("JSII_NODE", str(ROOT / "node_modules" / ".bin" / "node"))
    main_py = [sys.executable, str(ROOT / "main.py")]
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        (work / "bare.py").write_text(BARE_APP)
        (work / "bare-like-main.py").write_text(BARE_APP_LIKE_MAIN)
        grown_values(work / "grown.yaml")
        environments(work / "one.yaml", [DEFAULT])
        environments(work / "all.yaml", PRESETS)
        commands = {
            "bare": [sys.executable, str(work / "bare.py"), str(work / "bare-out")],
            "bare like main": [sys.executable, str(work / "bare-like-main.py"), str(work / "bare-like-out"), str(TYPE_CHECKS)],
            "default": [*main_py, "--values", str(DEFAULT), "--outdir", str(work / "default-out")],
            "grown": [*main_py, "--values", str(work / "grown.yaml"), "--outdir", str(work / "grown-out")],
            "one env": [*main_py, "envs", "--environments", str(work / "one.yaml"), "--outdir", str(work / "one-out")],
            "all envs": [*main_py, "envs", "--environments", str(work / "all.yaml"), "--outdir", str(work / "all-out")],
        }
        os.environ["JSII_NODE"] = env["JSII_NODE"]
        for command in commands.values():  # warm caches (bytecode, disk) once
            timed(command, env)
        times: dict[str, list[float]] = {name: [] for name in commands}
        for _ in range(args.rounds):
            for name, command in commands.items():
                times[name].append(timed(command, env))
        imports = import_times(env, args.rounds)
        breakdown = phases(work / "grown.yaml")

    # Ratios of runs made one after the other, their median: this machine's speed drifts with its
    # neighbours' load, which the best of each alone does not cancel.
    rounds = range(args.rounds)
    best = {name: min(values) for name, values in times.items()}
    ratio = statistics.median(times["default"][i] / times["bare"][i] for i in rounds)
    like_ratio = statistics.median(times["default"][i] / times["bare like main"][i] for i in rounds)
    per_service_ms = statistics.median((times["grown"][i] - times["default"][i]) / (SERVICES - 3) * 1000 for i in rounds)
    all_ratio = statistics.median(times["all envs"][i] / times["one env"][i] for i in rounds)
    machine = f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    print(f"machine: {machine}, JSII_NODE={env['JSII_NODE']}")
    print(f"best of {args.rounds} interleaved runs:")
    print(f"  bare cdk8s app (App, Chart, ApiObject)        {best['bare']:.3f} s")
    print(f"  the same, collector, type checks, end as ours {best['bare like main']:.3f} s")
    print(f"  default preset (3 services)                   {best['default']:.3f} s")
    print(f"  default preset grown to {SERVICES} services         {best['grown']:.3f} s")
    print(f"  envs: one environment                         {best['one env']:.3f} s")
    print(f"  envs: all {len(PRESETS)} presets in one run               {best['all envs']:.3f} s")
    print(f"median over the {args.rounds} rounds of each round's ratio:")
    print(f"  default / bare: {ratio:.3f}x (goal <= {GOAL_RATIO}x: {verdict(ratio, GOAL_RATIO)})")
    like = "what the library and the values app add"
    print(f"  default / bare with main.py's collector, type checks and end: {like_ratio:.3f}x ({like})")
    goal = f"goal <= {GOAL_MS_PER_SERVICE} ms: {verdict(per_service_ms, GOAL_MS_PER_SERVICE)}"
    print(f"  per extra service: {per_service_ms:.2f} ms ({goal})")
    separate = f"as separate runs: {len(PRESETS)}x"
    print(f"  all {len(PRESETS)} presets / one, in one run: {all_ratio:.2f}x (goal <= {GOAL_ALL_ENVIRONMENTS}x: "
          f"{verdict(all_ratio, GOAL_ALL_ENVIRONMENTS)}; {separate})")  # fmt: skip
    import_ms = statistics.median(imports)
    goal = f"goal <= {GOAL_IMPORT_MS:.0f} ms: {verdict(import_ms, GOAL_IMPORT_MS)}"
    print(f"  import webapp_constructs after import cdk8s: {import_ms:.1f} ms (best {min(imports):.1f}; {goal})")
    parts = ", ".join(f"{name} {ms:.1f}" for name, ms in breakdown.items())
    print(f"  in process, ms per extra service: {parts} (sum {sum(breakdown.values()):.1f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
