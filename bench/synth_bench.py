#!/usr/bin/env python3
"""How long a synth takes, measured against a bare cdk8s-plus-27 app on the same machine.

    make bench        # or: .venv/bin/python bench/synth_bench.py [--rounds 7]

Runs, interleaved, ``--rounds`` times each (best time wins):
  bare     a bare cdk8s-plus-27 app: App, one Chart, one ConfigMap, synthesized to a directory;
  default  main.py on the default preset (3 services);
  grown    main.py on the default preset grown to 100 services, each extra one with every
           hardening object (ServiceAccount, Service, Deployment, HPA, PDB, NetworkPolicy).
Then, in this process, where each extra service's time goes: loading the values, building the
constructs (the jsii calls), rendering the objects and writing the YAML (best of 3 each).
Prints the figures and how they compare with the goals; asserts nothing.
"""

from __future__ import annotations

import argparse
import copy
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
DEFAULT = ROOT / "values" / "003-local-k8s-deployment.yaml"
SERVICES = 100
GOAL_RATIO = 1.25
GOAL_MS_PER_SERVICE = 10.0
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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--rounds", type=int, default=7, help="runs of each command, interleaved (default: 7)")
    args = parser.parse_args()

    env = {k: v for k, v in os.environ.items() if k not in SECRET_KEYS}
    node = ROOT / "node_modules" / ".bin" / "node"
    env.setdefault("JSII_NODE", str(node))
    python = sys.executable
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        bare = work / "bare.py"
        bare.write_text(BARE_APP)
        grown = work / "grown.yaml"
        grown_values(grown)
        commands = {
            "bare": [python, str(bare), str(work / "bare-out")],
            "default": [python, str(ROOT / "main.py"), "--values", str(DEFAULT), "--outdir", str(work / "default-out")],
            "grown": [python, str(ROOT / "main.py"), "--values", str(grown), "--outdir", str(work / "grown-out")],
        }
        os.environ.update(JSII_NODE=env["JSII_NODE"])
        for command in commands.values():  # warm caches (pyc, disk) once
            timed(command, env)
        times: dict[str, list[float]] = {name: [] for name in commands}
        for _ in range(args.rounds):
            for name, command in commands.items():
                times[name].append(timed(command, env))
        breakdown = phases(grown)

    best = {name: min(values) for name, values in times.items()}
    ratio = best["default"] / best["bare"]
    per_service_ms = (best["grown"] - best["default"]) / (SERVICES - 3) * 1000
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, JSII_NODE={env['JSII_NODE']}"
    )
    print(f"best of {args.rounds} interleaved runs:")
    print(f"  bare cdk8s-plus-27 app (App, Chart, ConfigMap)  {best['bare']:.3f} s")
    print(f"  default preset (3 services)                     {best['default']:.3f} s")
    print(f"  default preset grown to {SERVICES} services           {best['grown']:.3f} s")
    print(f"default / bare: {ratio:.2f}x (goal <= {GOAL_RATIO}x: {'met' if ratio <= GOAL_RATIO else 'missed'})")
    verdict = "met" if per_service_ms <= GOAL_MS_PER_SERVICE else "missed"
    print(f"per extra service: {per_service_ms:.1f} ms (goal <= {GOAL_MS_PER_SERVICE:.0f} ms: {verdict})")
    parts = ", ".join(f"{name} {ms:.1f}" for name, ms in breakdown.items())
    print(f"  in process, ms per extra service: {parts} (sum {sum(breakdown.values()):.1f})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
