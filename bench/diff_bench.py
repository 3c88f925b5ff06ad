#!/usr/bin/env python3
"""How ``main.py diff`` scales with the number of objects, as ratios measured in one run.

    make bench        # or: .venv/bin/python bench/diff_bench.py [--rounds 3] [--objects 100000]

Generates, in this process, an output of N small objects (ConfigMaps in two files and a migration
Job; one ConfigMap changed and the Job renamed by its content hash in the rendered side) for N =
objects/4, objects/2 and objects, and times (CPU time of this process, which other processes on a
busy machine move less than the wall clock), best of ``--rounds`` interleaved rounds:
  compare        :func:`values_app.diff.diff_outputs` of the two sides in memory;
  read, known    :func:`values_app.diff.read_output` of the output directory with the rendered
                 documents known (what ``main.py diff`` does: an unchanged document is not parsed);
  read, parsed   the same with nothing known: every document parsed (a hand-edited output);
then prints each time, the microseconds per object and the ratio of each time to the smallest
run's: a linear cost doubles with N (ratios about 2 and 4), a quadratic one quadruples (4 and 16).
Then the memory ``diff --environments`` takes per environment: the peak resident size of one
process comparing E and 4E default-preset environments with their output (``--environments E``),
as the difference per environment.

Prints the figures; asserts nothing (tests never time).
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from values_app.diff import diff_outputs, known_documents, read_output  # noqa: E402
from values_app.outdir import MARKER  # noqa: E402
from values_app.yaml_io import dump_all  # noqa: E402

NS = "bench"
PRESET = ROOT / "values" / "003-local-k8s-deployment.yaml"
Files = dict[str, list[dict[str, Any]]]


def small(index: int, value: str = "same") -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": f"bench-{index}", "namespace": NS},
        "data": {"KEY": value},
    }


def job(name: str, image: str) -> dict[str, Any]:
    container = {"name": "migrate", "image": image, "command": ["alembic", "upgrade", "head"]}
    spec = {"template": {"spec": {"restartPolicy": "Never", "containers": [container]}}}
    return {"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": name, "namespace": NS}, "spec": spec}


def outputs(count: int) -> tuple[Files, Files]:
    """(old, new): ``count`` objects each; new changes one ConfigMap and renames the Job."""
    half = (count - 1) // 2
    old: Files = {
        "00-a.k8s.yaml": [small(index) for index in range(half)],
        "20-b.k8s.yaml": [small(index) for index in range(half, count - 1)],
        "15-migrations.k8s.yaml": [job("bench-migrate-0106c63f", "api:1.0")],
    }
    new = {**old, "15-migrations.k8s.yaml": [job("bench-migrate-9fead4ac", "api:1.1")]}
    new["00-a.k8s.yaml"] = [*old["00-a.k8s.yaml"]]
    new["00-a.k8s.yaml"][7] = small(7, "new")
    return old, new


def read_known(directory: Path, new: Files) -> object:
    return read_output(directory, known_documents(new))


def timed(run: Callable[[], object]) -> float:
    gc.collect()
    start = time.process_time()  # this process's CPU time: what another process on the machine does not move
    run()
    return time.process_time() - start


def scaling(objects: int, rounds: int) -> None:
    sizes = [objects // 4, objects // 2, objects]
    figures: dict[str, list[float]] = {"compare": [], "read, known": [], "read, parsed": []}
    with tempfile.TemporaryDirectory() as temporary:
        runs: list[dict[str, Callable[[], object]]] = []  # for each size, what is timed
        for size in sizes:
            old, new = outputs(size)
            directory = Path(temporary) / str(size)
            directory.mkdir()
            for name, manifests in old.items():
                (directory / name).write_text(dump_all(manifests), encoding="utf-8")
            (directory / MARKER).write_text(json.dumps({"generator": "todo-chatbot-cdk8s", "files": sorted(old)}) + "\n")
            result = diff_outputs(new, old)
            assert [change.name for change in result.changes] == ["bench-7", "bench-migrate-9fead4ac"], result.summary()
            runs.append(
                {
                    "compare": partial(diff_outputs, new, old),
                    "read, known": partial(read_known, directory, new),
                    "read, parsed": partial(read_output, directory),
                }
            )
        # Interleaved: each round times every size once, so that a machine whose speed drifts
        # moves them alike; the best of the rounds is kept.
        best = [dict.fromkeys(figures, float("inf")) for _ in sizes]
        for _ in range(rounds):
            for index, timing in enumerate(runs):
                for what, run in timing.items():
                    best[index][what] = min(best[index][what], timed(run))
        for what in figures:
            figures[what] = [found[what] for found in best]
    print(f"diff of N objects, CPU time (best of {rounds}; ratio to N={sizes[0]}: linear is 2x and 4x, quadratic 4x and 16x):")
    for what, times in figures.items():
        cells = "  ".join(
            f"N={size}: {seconds:6.2f} s {seconds / size * 1e6:5.1f} us/object {seconds / times[0]:4.1f}x"
            for size, seconds in zip(sizes, times, strict=True)
        )
        print(f"  {what:<13} {cells}")


MEASURE = """
import io, sys
from pathlib import Path
sys.path.insert(0, sys.argv[1])
from values_app import cli
file, against = Path(sys.argv[2]), Path(sys.argv[3])
status = cli.diff_environments(file=file, against=against, environ={}, stdout=io.StringIO(), stderr=io.StringIO())
peak = [line.split()[1] for line in open("/proc/self/status") if line.startswith("VmHWM:")]  # kB, this process's own
print(status, peak[0])
"""


def environment_memory(count: int) -> None:
    """Peak resident size of ``diff --environments`` over ``count`` and 4 x ``count`` environments."""
    from values_app import cli

    env = {**os.environ, "JSII_NODE": os.environ.get("JSII_NODE", str(ROOT / "node_modules" / ".bin" / "node"))}
    peaks = []
    with tempfile.TemporaryDirectory() as temporary:
        for size in (count, 4 * count):
            root = Path(temporary) / str(size)
            root.mkdir()
            lines = ["environments:"]
            for index in range(size):
                lines += [f"  e{index}:", f"    values: [{PRESET}]", f"    set: [namespace.name=bench-{index}]"]
            file = root / "environments.yaml"
            file.write_text("\n".join(lines) + "\n")
            with open(os.devnull, "w") as devnull:
                assert cli.environments(file=file, outdir=root / "out", environ={}, stderr=devnull) == 0
            run = subprocess.run(
                [sys.executable, "-c", MEASURE, str(ROOT), str(file), str(root / "out")],
                capture_output=True,
                text=True,
                env=env,
                check=True,
            )
            status, peak = run.stdout.split()[-2:]
            assert status == "0", run.stdout + run.stderr
            peaks.append(int(peak) / 1024)
    per = (peaks[1] - peaks[0]) / (3 * count)
    print(
        f"diff --environments, peak resident size: {count} environments {peaks[0]:.0f} MB, {4 * count}: {peaks[1]:.0f} MB; "
        f"{per * 1024:.0f} kB per environment (Python side; jsii keeps what each cdk8s App made)"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--objects", type=int, default=100_000, help="the largest N (default 100000)")
    parser.add_argument("--environments", type=int, default=25, help="E: compare E and 4E environments (0: skip)")
    args = parser.parse_args()
    scaling(args.objects, args.rounds)
    if args.environments:
        environment_memory(args.environments)
    return 0


if __name__ == "__main__":
    sys.exit(main())
