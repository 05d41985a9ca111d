"""A map over N items of a trivial function, on the local executor.

    python benchmarks/map.py [--items 1000] [--stores file-system chunked-fs] [--repeat 3]

Prints the wall time, the time per iteration, and the time per iteration of the last 100
iterations against the first 100 (read from the run log's own timestamps): a ratio near 1
means an iteration costs the same however large the run has grown.
"""

from __future__ import annotations

import argparse
import logging
import os
import statistics
import tempfile
import time
from datetime import datetime

from runplane import Map, Pipeline, PythonTask


def items(n: int) -> list[int]:
    return list(range(n))


def double(item: int) -> int:
    return item * 2


def build() -> Pipeline:
    return Pipeline(
        [
            PythonTask(items, returns=["xs"]),
            Map("m", "xs", "item", Pipeline([PythonTask(double, returns=["doubled"])])),
        ]
    )


def iteration_seconds(run: object, n: int, first: int, last: int) -> float:
    steps = run.steps  # type: ignore[attr-defined]
    starts = [datetime.fromisoformat(steps[f"m.{i}.double"].start_time) for i in range(n)]
    span = starts[last - 1] - starts[first]
    return span.total_seconds() / (last - 1 - first)


def measure(store: str, n: int, repeat: int) -> dict[str, float]:
    pipeline = build()
    walls, early, late = [], [], []
    for _ in range(repeat):
        with tempfile.TemporaryDirectory() as scratch:
            os.chdir(scratch)
            with open("config.yaml", "w") as f:
                f.write(f"run_log_store: {{type: {store}, config: {{log_folder: .logs}}}}\n")
            with open("params.yaml", "w") as f:
                f.write(f"n: {n}\n")
            t0 = time.perf_counter()
            run = pipeline.execute(configuration_file="config.yaml", parameters_file="params.yaml")
            walls.append(time.perf_counter() - t0)
            assert run.parameters["doubled"] == [2 * i for i in range(n)]
            early.append(iteration_seconds(run, n, 0, 100))
            late.append(iteration_seconds(run, n, n - 100, n))
    return {
        "wall": statistics.median(walls),
        "first100_ms": statistics.median(early) * 1000,
        "last100_ms": statistics.median(late) * 1000,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=1000)
    parser.add_argument("--stores", nargs="+", default=["file-system", "chunked-fs"])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    logging.disable(logging.CRITICAL)
    home = os.getcwd()
    print(f"map over {args.items} items, median of {args.repeat}")
    header = ("store", "wall s", "ms/iter", "first100", "last100", "last/first")
    print(" ".join(f"{h:>{w}}" for h, w in zip(header, (12, 8, 8, 9, 8, 10), strict=True)))
    try:
        for store in args.stores:
            r = measure(store, args.items, args.repeat)
            ratio = r["last100_ms"] / r["first100_ms"]
            print(
                f"{store:>12} {r['wall']:>8.2f} {r['wall'] / args.items * 1000:>8.3f} "
                f"{r['first100_ms']:>9.3f} {r['last100_ms']:>8.3f} {ratio:>10.2f}"
            )
    finally:
        os.chdir(home)


if __name__ == "__main__":
    main()
