"""runplane: a chain of N trivial Python steps on the default configuration.

    python runplane_linear.py N      (BENCH_N wins: local-subprocess steps reload this file)

Prints `BENCH {json}` on stdout: import seconds (runplane, then its run-time stack), execute
seconds, their sum (cold_s), with BENCH_AGAIN=1 the seconds of a second run in the same
process, and the median gap between step starts around step 10 and around the last step
(from the run log's own timestamps).
"""

import itertools
import json
import os
import statistics
import sys
import time
from datetime import datetime

N = int(os.environ.get("BENCH_N", sys.argv[1] if len(sys.argv) > 1 else "100"))
t_import = time.perf_counter()
from runplane import Pipeline, PythonTask  # noqa: E402

t_imported = time.perf_counter()
from steps import inc, start  # noqa: E402

steps = [PythonTask(start, name="step_0", returns=["x"])]
steps += [PythonTask(inc, name=f"step_{i}", returns=["x"]) for i in range(1, N)]
pipeline = Pipeline(steps)


def gaps(run: object, first: int, last: int) -> float:
    starts = [datetime.fromisoformat(s.start_time) for s in run.steps.values()]  # type: ignore[attr-defined]
    window = starts[first : last + 1]
    return statistics.median((b - a).total_seconds() for a, b in itertools.pairwise(window))


def main() -> None:
    config = os.environ.get("BENCH_CONFIG")
    # `import runplane` defers the configuration and wiring stack (pydantic-settings,
    # dependency-injector) to the first run; import it here so that "import excluded"
    # holds for runplane as for the references, and report it apart (stack_s). Not at
    # module level: local-subprocess step processes import this file too.
    t_stack = time.perf_counter()
    import runplane.app.bootstrap.root  # noqa: F401, PLC0415

    t0 = time.perf_counter()
    run = pipeline.execute(configuration_file=config)
    t1 = time.perf_counter()
    assert run.parameters["x"] == N - 1, run.parameters
    imports = t_imported - t_import + t0 - t_stack
    out = {
        "import_s": t_imported - t_import,
        "stack_s": t0 - t_stack,
        "execute_s": t1 - t0,
        "cold_s": imports + t1 - t0,
    }
    if os.environ.get("BENCH_AGAIN"):
        # The same pipeline again in this process: what a long-lived caller pays per run
        # once the imports and one-time set-up are done.
        again = pipeline.execute(configuration_file=config)
        out["again_s"] = time.perf_counter() - t1
        assert again.run_id != run.run_id
    if N >= 40:
        out["step10_s"] = gaps(run, 5, 15)
        out["last_s"] = gaps(run, N - 11, N - 1)
    print("BENCH " + json.dumps(out), flush=True)


if __name__ == "__main__":
    main()
