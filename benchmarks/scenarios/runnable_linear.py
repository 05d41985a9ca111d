"""runnable 0.50.0: the same chain, in its `def main(): ...; return pipeline` form.

    python runnable_linear.py N      (BENCH_N wins: the emulator's step processes reload this file)

runnable's graph check recurses once per step, so chains over ~985 steps need a higher
recursion limit: BENCH_RECURSION_LIMIT sets it (the suite sets it for N >= 900).
"""

import json
import os
import sys
import time

if os.environ.get("BENCH_RECURSION_LIMIT"):
    sys.setrecursionlimit(int(os.environ["BENCH_RECURSION_LIMIT"]))
N = int(os.environ.get("BENCH_N", sys.argv[1] if len(sys.argv) > 1 else "100"))
t_import = time.perf_counter()
from runnable import Pipeline, PythonTask  # noqa: E402

t_imported = time.perf_counter()
from steps import inc, start  # noqa: E402


def main():
    tasks = [PythonTask(name="step_0", function=start, returns=["x"])]
    for i in range(1, N):
        tasks.append(PythonTask(name=f"step_{i}", function=inc, returns=["x"]))
    pipeline = Pipeline(steps=tasks)
    pipeline.execute()
    return pipeline


if __name__ == "__main__":
    t0 = time.perf_counter()
    main()
    t1 = time.perf_counter()
    imported = t_imported - t_import
    out = {"import_s": imported, "execute_s": t1 - t0, "cold_s": imported + t1 - t0}
    print("BENCH " + json.dumps(out), flush=True)
