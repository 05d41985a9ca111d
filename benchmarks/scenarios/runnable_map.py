"""runnable 0.50.0: `items` makes a list of N, then a Map doubles each item."""

import json
import os
import sys
import time

N = int(sys.argv[1]) if len(sys.argv) > 1 else 100
os.environ["RUNNABLE_PRM_n"] = str(N)
t_import = time.perf_counter()
from runnable import Map, Pipeline, PythonTask  # noqa: E402

t_imported = time.perf_counter()
from steps import double, items  # noqa: E402


def main():
    make = PythonTask(name="items", function=items, returns=["xs"])
    branch = Pipeline(steps=[PythonTask(name="double", function=double, returns=["doubled"])])
    fan = Map(name="m", iterate_on="xs", iterate_as="item", branch=branch)
    pipeline = Pipeline(steps=[make, fan])
    pipeline.execute()
    return pipeline


if __name__ == "__main__":
    t0 = time.perf_counter()
    main()
    t1 = time.perf_counter()
    print("BENCH " + json.dumps({"import_s": t_imported - t_import, "execute_s": t1 - t0}))
