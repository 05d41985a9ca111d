"""Kedro 1.7.0 library API: a chain of N nodes (d0 -> d1 -> ... -> dN) on SequentialRunner."""

import json
import os
import sys
import time

N = int(sys.argv[1]) if len(sys.argv) > 1 else 100
t_import = time.perf_counter()
from kedro.io import DataCatalog, MemoryDataset  # noqa: E402
from kedro.pipeline import Pipeline, node  # noqa: E402
from kedro.runner import SequentialRunner  # noqa: E402

t_imported = time.perf_counter()
from steps import inc  # noqa: E402


def run_once() -> None:
    pipe = Pipeline([node(inc, f"d{i}", f"d{i + 1}", name=f"n{i}") for i in range(N)])
    catalog = DataCatalog({"d0": MemoryDataset(0)})
    out = SequentialRunner().run(pipe, catalog)
    res = out[f"d{N}"]
    assert (res.load() if hasattr(res, "load") else res) == N


if __name__ == "__main__":
    t0 = time.perf_counter()
    run_once()
    t1 = time.perf_counter()
    imported = t_imported - t_import
    times = {"import_s": imported, "execute_s": t1 - t0, "cold_s": imported + t1 - t0}
    if os.environ.get("BENCH_AGAIN"):  # again in this process, as runplane_linear.py does
        run_once()
        times["again_s"] = time.perf_counter() - t1
    print("BENCH " + json.dumps(times))
