"""runplane: `items` makes a list of N, then a Map doubles each item (default configuration)."""

import json
import os
import sys
import time

N = int(sys.argv[1]) if len(sys.argv) > 1 else 100
os.environ["RUNPLANE_PRM_n"] = str(N)
t_import = time.perf_counter()
from runplane import Map, Pipeline, PythonTask  # noqa: E402

t_imported = time.perf_counter()
from steps import double, items  # noqa: E402

pipeline = Pipeline(
    [
        PythonTask(items, returns=["xs"]),
        Map("m", "xs", "item", Pipeline([PythonTask(double, returns=["doubled"])])),
    ]
)

if __name__ == "__main__":
    t_stack = time.perf_counter()
    import runplane.app.bootstrap.root  # noqa: F401  (as in runplane_linear.py: imports excluded)

    t0 = time.perf_counter()
    run = pipeline.execute()
    t1 = time.perf_counter()
    assert run.parameters["doubled"] == [2 * i for i in range(N)]
    imported = t_imported - t_import + t0 - t_stack
    print("BENCH " + json.dumps({"import_s": imported, "execute_s": t1 - t0}))
