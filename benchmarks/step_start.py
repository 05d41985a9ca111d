"""`local-subprocess`: ms per step when step processes are forked from a step server vs fresh.

    python benchmarks/step_start.py [N] [REPEAT]        (default: 100 steps, 3 repeats)

Runs scenarios/runplane_linear.py (a chain of N trivial Python steps) in a scratch folder
with `start: fork-server` and `start: fresh`, alternating, and prints the median execute
time per step of each mode and their ratio. Every run is a fresh interpreter whose run log
and catalog folders start empty.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

SCENARIOS = Path(__file__).parent / "scenarios"
MODES = ("fork-server", "fresh")


def run_once(work: Path, start: str, n: int) -> float:
    """Seconds the run's `execute()` took."""
    for folder in (".run_log_store", ".catalog"):
        shutil.rmtree(work / folder, ignore_errors=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith("RUNPLANE_")}
    env.update(BENCH_N=str(n), BENCH_CONFIG=f"{start}.yaml", PYTHONPATH=str(work))
    done = subprocess.run(
        [sys.executable, "runplane_linear.py"],
        cwd=work,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    found = re.search(r"^BENCH (.*)$", done.stdout, re.MULTILINE)
    assert found, done.stderr
    return float(json.loads(found.group(1))["execute_s"])


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 100
    repeat = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    with tempfile.TemporaryDirectory(prefix="runplane-step-start-") as scratch:
        work = Path(scratch)
        for script in ("runplane_linear.py", "steps.py"):
            shutil.copy(SCENARIOS / script, work)
        for start in MODES:
            (work / f"{start}.yaml").write_text(
                f"executor: {{type: local-subprocess, config: {{start: {start}}}}}\n"
            )
        seconds: dict[str, list[float]] = {start: [] for start in MODES}
        for _ in range(repeat):
            for start in MODES:
                seconds[start].append(run_once(work, start, n))
    per_step = {start: statistics.median(runs) / n * 1000 for start, runs in seconds.items()}
    for start in MODES:
        runs = ", ".join(f"{s / n * 1000:.0f}" for s in seconds[start])
        print(f"{start:12} {per_step[start]:6.1f} ms per step (median of {repeat}: {runs})")
    print(f"fresh / fork-server: {per_step['fresh'] / per_step['fork-server']:.1f}x")


if __name__ == "__main__":
    main()
