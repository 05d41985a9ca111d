"""Linear chains of trivial Python steps on the default configuration.

    python benchmarks/linear.py [--sizes 10 100 1000] [--repeat 5]

For each size: median wall time of `Pipeline.execute()` (container built, run log and
catalog on the default file-system stores, in a scratch directory), the same functions
called directly, and the overhead per step. The cost of step ~10 and of the last steps is
read from the run log's own timestamps, to show that a step's cost does not grow with the
length of the run. Ratios, not absolute times, are what to compare across machines.
"""

from __future__ import annotations

import argparse
import logging
import os
import statistics
import tempfile
import time
from datetime import datetime

from runplane import Pipeline, PythonTask


def start() -> int:
    return 0


def inc(x: int) -> int:
    return x + 1


def build(n: int) -> Pipeline:
    steps = [PythonTask(start, name="step_0", returns=["x"])]
    steps += [PythonTask(inc, name=f"step_{i}", returns=["x"]) for i in range(1, n)]
    return Pipeline(steps)


def direct(n: int) -> float:
    t0 = time.perf_counter()
    x = start()
    for _ in range(1, n):
        x = inc(x)
    assert x == n - 1
    return time.perf_counter() - t0


def step_gaps(run_log: object, first: int, last: int) -> float:
    """Median seconds between consecutive step starts over steps [first, last)."""
    starts = [datetime.fromisoformat(s.start_time) for s in run_log.steps.values()]  # type: ignore[attr-defined]
    gaps = [
        (b - a).total_seconds()
        for a, b in zip(starts[first:last], starts[first + 1 : last + 1], strict=True)
    ]
    return statistics.median(gaps)


def measure(n: int, repeat: int) -> dict[str, float]:
    pipeline = build(n)
    walls, directs, early, late = [], [], [], []
    for _ in range(repeat):
        with tempfile.TemporaryDirectory() as scratch:
            os.chdir(scratch)
            t0 = time.perf_counter()
            run = pipeline.execute()
            walls.append(time.perf_counter() - t0)
            directs.append(direct(n))
            if n >= 20:
                early.append(step_gaps(run, 5, 15))
                late.append(step_gaps(run, n - 11, n - 1))
    wall, base = statistics.median(walls), statistics.median(directs)
    out = {"n": n, "wall": wall, "direct": base, "per_step_ms": (wall - base) / n * 1000}
    if early:
        out["step10_ms"] = statistics.median(early) * 1000
        out["last_ms"] = statistics.median(late) * 1000
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10, 100, 1000])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    logging.disable(logging.CRITICAL)
    home = os.getcwd()
    os.environ.pop("RUNPLANE_CONFIGURATION_FILE", None)
    print(
        f"{'steps':>6} {'wall s':>9} {'direct s':>9} {'ms/step':>8} {'step~10 ms':>10} "
        f"{'last ms':>8} {'last/step10':>11}"
    )
    try:
        for n in args.sizes:
            r = measure(n, args.repeat)
            ratio = r["last_ms"] / r["step10_ms"] if "step10_ms" in r else float("nan")
            print(
                f"{n:>6} {r['wall']:>9.3f} {r['direct']:>9.6f} {r['per_step_ms']:>8.3f} "
                f"{r.get('step10_ms', float('nan')):>10.3f} {r.get('last_ms', float('nan')):>8.3f} "
                f"{ratio:>11.2f}"
            )
    finally:
        os.chdir(home)


if __name__ == "__main__":
    main()
