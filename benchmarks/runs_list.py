"""`runplane runs list` over thousands of runs in the default file-system run log store.

    python benchmarks/runs_list.py [--runs 5000] [--repeat 5]

Fills a scratch store with runs whose headers look like real ones (a 12-step pipeline
definition, parameters, code identity), then times, median of `--repeat`:
- `store.list_runs()` in process (reading every header),
- `service.list_runs(limit=20)` and `service.list_runs(status="fail", since="2d")`,
- the CLI, `runplane runs list --limit 20`, end to end in a subprocess (interpreter start
  and imports included, which is what a person waits for).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from runplane.adapters.run_log_stores.file_system import (
    FileSystemRunLogStore,
    FileSystemRunLogStoreConfig,
)
from runplane.domain.run_log import RunLog, Status


def header(index: int, now: datetime) -> RunLog:
    steps = {f"step_{i}": {"type": "task", "next": f"step_{i + 1}"} for i in range(12)}
    start = now - timedelta(minutes=index * 7)
    return RunLog(
        run_id=f"run-{index:05d}",
        status=Status.FAIL if index % 10 == 0 else Status.SUCCESS,
        start_time=start.isoformat(timespec="microseconds"),
        end_time=(start + timedelta(seconds=42)).isoformat(timespec="microseconds"),
        tag="nightly" if index % 3 == 0 else None,
        pipeline={"name": "bench", "start_at": "step_0", "steps": steps},
        initial_parameters={"alpha": 0.1, "items": list(range(20))},
        parameters={"alpha": 0.1, "items": list(range(20)), "score": 0.93},
        code_identity={"type": "git", "commit": "0" * 40, "dirty": False},
    )


def fill(folder: Path, count: int) -> None:
    store = FileSystemRunLogStore(FileSystemRunLogStoreConfig(log_folder=str(folder)))
    now = datetime.now(UTC)
    for index in range(count):
        store.create_run(header(index, now))


def timed(action: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        began = time.perf_counter()
        action()
        times.append(time.perf_counter() - began)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        work = Path(scratch)
        began = time.perf_counter()
        fill(work / ".run_log_store", args.runs)
        print(f"filled {args.runs} runs in {time.perf_counter() - began:.1f}s")
        os.chdir(work)
        import runplane  # noqa: PLC0415  (after chdir: the default store is relative)

        store = FileSystemRunLogStore()
        service = runplane.service()
        cli = [str(Path(sys.executable).parent / "runplane"), "runs", "list", "--limit", "20"]
        rows = [
            ("store.list_runs() (all headers)", store.list_runs),
            ("service.list_runs(limit=20)", lambda: service.list_runs(limit=20)),
            (
                "service.list_runs(status='fail', since='2d')",
                lambda: service.list_runs(status="fail", since="2d"),
            ),
            (
                "runplane runs list --limit 20 (subprocess)",
                lambda: subprocess.run(cli, check=True, capture_output=True),
            ),
        ]
        print(f"| what ({args.runs} runs) | median s |")
        print("|---|---|")
        for label, action in rows:
            print(f"| {label} | {timed(action, args.repeat):.3f} |")


if __name__ == "__main__":
    main()
