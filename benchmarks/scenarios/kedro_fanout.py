"""Kedro 1.7.0: static fan-out, N independent nodes made in a loop (Kedro has no dynamic map)."""

import json
import sys
import time

N = int(sys.argv[1]) if len(sys.argv) > 1 else 100
t_import = time.perf_counter()
from kedro.io import DataCatalog, MemoryDataset  # noqa: E402
from kedro.pipeline import Pipeline, node  # noqa: E402
from kedro.runner import SequentialRunner  # noqa: E402

t_imported = time.perf_counter()
from steps import double  # noqa: E402

if __name__ == "__main__":
    t0 = time.perf_counter()
    pipe = Pipeline([node(double, f"in{i}", f"out{i}", name=f"n{i}") for i in range(N)])
    catalog = DataCatalog({f"in{i}": MemoryDataset(i) for i in range(N)})
    out = SequentialRunner().run(pipe, catalog)
    t1 = time.perf_counter()
    vals = [(v.load() if hasattr(v, "load") else v) for v in out.values()]
    assert sum(vals) == N * (N - 1)
    print("BENCH " + json.dumps({"import_s": t_imported - t_import, "execute_s": t1 - t0}))
