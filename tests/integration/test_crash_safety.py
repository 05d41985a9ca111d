"""Kill runplane at random points; every run log still loads and `retry` finishes the run.

RUNPLANE_CRASH_RUNS sets how many runs are killed (default 12; 50 with RUNPLANE_LONG_TESTS=1).
The retry property test (test_crash_retry.py) kills generated pipelines; this one kills one
long pipeline at seeded points spread over start-up and every record of its journal.
"""

import os
import random
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.integration.conftest import RUNPLANE, Cli

pytestmark = pytest.mark.integration

LONG = os.environ.get("RUNPLANE_LONG_TESTS") == "1"
RUNS = int(os.environ.get("RUNPLANE_CRASH_RUNS", "50" if LONG else "12"))


def start_and_kill(
    workdir: Path, env: dict[str, str], run_id: str, records: int, jitter: float
) -> int:
    """Start a run and SIGKILL it once its journal holds `records` lines (plus a jitter).

    Waiting on the journal, not the clock, puts the kill at the intended point of the run
    however loaded the machine is. `records < 0` kills during start-up.
    """
    process = subprocess.Popen(
        [RUNPLANE, "run", "pipelines/long.py", "--run-id", run_id],
        cwd=workdir,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    journal = workdir / ".run_log_store" / run_id / "steps.jsonl"
    deadline = time.monotonic() + 60
    while records >= 0 and process.poll() is None and time.monotonic() < deadline:
        if journal.exists() and journal.read_bytes().count(b"\n") >= records:
            break
        time.sleep(0.002)
    time.sleep(jitter)
    process.send_signal(signal.SIGKILL)
    return process.wait()


def test_killed_runs_load_and_retry_completes_them(
    cli: Cli, pipelines: Path, workdir: Path, clean_env: dict[str, str]
) -> None:
    reference = cli("run", "pipelines/long.py", "--run-id", "reference")
    assert reference.code == 0, reference.stderr
    lines = (workdir / ".run_log_store" / "reference" / "steps.jsonl").read_bytes().count(b"\n")
    expected = cli("runs", "show", "reference", "--json").json()["parameters"]

    rng = random.Random(20261126)
    # Kill points spread over the whole run: start-up, then after any number of records.
    points = [(rng.randint(-1, lines - 1), rng.uniform(0, 0.02)) for _ in range(RUNS)]

    def kill(i: int) -> int:
        return start_and_kill(workdir, clean_env, f"k{i}", *points[i])

    with ThreadPoolExecutor(max_workers=2) as pool:
        list(pool.map(kill, range(RUNS)))

    created = finished = retried = 0
    for i in range(RUNS):
        shown = cli("runs", "show", f"k{i}", "--json")
        if shown.code == 2 and "not found" in shown.stderr:
            continue  # killed before the run was created: nothing half-made is left
        assert shown.code == 0, shown.stderr
        created += 1
        log = shown.json()
        if log["status"] == "success":
            finished += 1
            assert log["parameters"] == expected
            continue
        assert log["status"] == "processing"
        assert log["state"] == "interrupted"  # its process is gone: its lease with it
        running = [p for p, s in log["steps"].items() if s["status"] == "processing"]
        assert len(running) <= 1 or all(p.startswith("squares") for p in running)
        again = cli("retry", f"k{i}", "--run-id", f"k{i}-retry")
        assert again.code == 0, again.stderr
        retried += 1
        final = cli("runs", "show", f"k{i}-retry", "--json").json()
        assert final["parameters"] == expected
        assert final["original_run_id"] == f"k{i}"
    store = workdir / ".run_log_store"
    half_made = [
        p for p in store.iterdir() if not p.name.startswith(".") and not (p / "run.json").exists()
    ]
    assert half_made == []  # a run folder always has its header
    assert retried >= RUNS // 2, (created, finished, retried)
    # The figures for the record (pytest -s shows them).
    sys.stdout.write(
        f"killed {RUNS}: created {created}, finished before the kill {finished}, "
        f"retried {retried}\n"
    )
