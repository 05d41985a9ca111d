"""SIGKILL random pipelines at random points of their journal; `retry` recovers them exactly.

Each random pipeline (crash_pipelines.py: a file several steps update, maps, parallel
branches; `local` and `local-subprocess` with max_workers 2; file-system and chunked-fs
stores) runs once uninterrupted (the reference), then several times killed (the whole
process group, as a crash would) once its run log holds a random number of records.
After each kill:

- the run loads; if it was still processing it reads `interrupted` (its lease is gone);
- `retry` succeeds, with the reference's final parameters and catalog (sha256 per file);
- nothing ran twice: no step recorded as succeeded in the killed run ran in the retry,
  and no step ran twice within the retry.

Seeded (RUNPLANE_CRASH_SEED). Default: 4 pipelines x 4 kills (one pipeline per executor and
store pair); RUNPLANE_LONG_TESTS=1: 24 x 12.
"""

from __future__ import annotations

import hashlib
import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from contextlib import suppress
from pathlib import Path
from typing import Any

import pytest

from runplane.adapters.run_log_stores.chunked_fs import (
    ChunkedFileSystemRunLogStore,
    ChunkedFileSystemRunLogStoreConfig,
)
from runplane.adapters.run_log_stores.file_system import (
    FileSystemRunLogStore,
    FileSystemRunLogStoreConfig,
)
from runplane.domain.errors import RunLogNotFoundError
from runplane.domain.run_log import RunLog, Status
from tests.integration.conftest import RUNPLANE
from tests.integration.crash_pipelines import Spec, configuration, draw, source

pytestmark = pytest.mark.integration

LONG = os.environ.get("RUNPLANE_LONG_TESTS") == "1"
PIPELINES, KILLS = (24, 12) if LONG else (4, 4)  # 16 kills; long: 288
SEED = int(os.environ.get("RUNPLANE_CRASH_SEED", "20261203"))


class Pipeline:
    """One generated pipeline in its own folder, with its store and catalog."""

    def __init__(self, base: Path, env: dict[str, str], number: int) -> None:
        self.rng = random.Random(SEED + number)
        self.spec: Spec = draw(self.rng, number)
        self.workdir = base / f"pipeline-{number}"
        self.workdir.mkdir()
        (self.workdir / "pipeline.py").write_text(source(self.spec))
        (self.workdir / "config.yaml").write_text(configuration(self.spec))
        self.env = env

    def store(self) -> FileSystemRunLogStore | ChunkedFileSystemRunLogStore:
        logs = str(self.workdir / "logs")
        if self.spec.store == "file-system":
            return FileSystemRunLogStore(FileSystemRunLogStoreConfig(log_folder=logs))
        return ChunkedFileSystemRunLogStore(ChunkedFileSystemRunLogStoreConfig(log_folder=logs))

    def records(self, run_id: str) -> int:
        """How many step records the run's log holds (journal lines, or step files)."""
        folder = self.workdir / "logs" / run_id
        if self.spec.store == "file-system":
            with suppress(OSError):
                return (folder / "steps.jsonl").read_bytes().rstrip(b"\0").count(b"\n")
            return 0
        with suppress(OSError):
            return sum(1 for p in (folder / "steps").iterdir() if not p.name.startswith("."))
        return 0

    def catalog(self, run_id: str) -> dict[str, str]:
        root = self.workdir / "cat" / run_id
        return {
            str(path.relative_to(root)): hashlib.sha256(path.read_bytes()).hexdigest()
            for path in sorted(root.rglob("*"))
            if path.is_file() and not path.name.startswith(".")
        }

    def start(self, phase: str, *args: str) -> subprocess.Popen[bytes]:
        return subprocess.Popen(
            [RUNPLANE, *args, "-c", "config.yaml"],
            cwd=self.workdir,
            env={**self.env, "CRASH_PHASE": phase},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            start_new_session=True,  # its own group: a kill takes its step processes too
        )

    def run(self, phase: str, *args: str) -> tuple[int, str]:
        process = self.start(phase, *args)
        try:
            _, err = process.communicate(timeout=300)
        finally:
            with suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
        return process.returncode, err.decode()

    def kill_after(self, run_id: str, records: int) -> None:
        """Run, and SIGKILL the process group once the log holds `records` step records."""
        process = self.start(run_id, "run", "pipeline.py", "--run-id", run_id)
        deadline = time.monotonic() + 120
        while process.poll() is None and time.monotonic() < deadline:
            if self.records(run_id) >= records:
                break
            time.sleep(0.002)
        with suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.communicate()

    def executions(self, phase: str) -> list[tuple[str, str]]:
        lines = (self.workdir / "executions.log").read_text().splitlines()
        return [
            (function, item)
            for line in lines
            for got, function, item in [[*line.split(" ", 2), "", ""][:3]]
            if got == phase
        ]


def identity(path: str, record: Any) -> tuple[str, str]:
    """What `ran` notes for a step: its function (the step's name) and map item."""
    return path.rsplit(".", 1)[-1], str(record.parameters.get("item", ""))


def one_pipeline(base: Path, env: dict[str, str], number: int) -> str:
    pipeline = Pipeline(base, env, number)
    about = pipeline.spec.describe()
    code, err = pipeline.run("reference", "run", "pipeline.py", "--run-id", "reference")
    assert code == 0, f"{about}\n{err[-2000:]}"
    reference = pipeline.store().get_run("reference")
    expected = (reference.parameters, pipeline.catalog("reference"))
    ran = Counter(pipeline.executions("reference"))
    assert set(ran.values()) == {1}, ran
    records = pipeline.records("reference")
    outcomes: Counter[str] = Counter()
    for kill in range(KILLS):
        run_id = f"k{kill}"
        pipeline.kill_after(run_id, pipeline.rng.randint(0, records))
        outcomes[check_kill(pipeline, run_id, expected, about)] += 1
    return f"{number}: {about}: {records} records; {dict(outcomes)}"


def check_kill(
    pipeline: Pipeline, run_id: str, expected: tuple[dict[str, Any], dict[str, str]], about: str
) -> str:
    """Check what the kill left, retry it, compare; what happened ('retried', ...)."""
    try:
        killed: RunLog = pipeline.store().get_run(run_id)
    except RunLogNotFoundError:
        return "killed before the run existed"
    if killed.status is Status.SUCCESS:
        assert (killed.parameters, pipeline.catalog(run_id)) == expected, about
        return "finished before the kill"
    assert killed.state == "interrupted", f"{about}: {run_id} reads {killed.state}"
    retry_id = f"{run_id}-retry"
    code, err = pipeline.run(retry_id, "retry", run_id, "--run-id", retry_id)
    assert code == 0, f"{about}: retry of {run_id} failed:\n{err[-3000:]}"
    final = pipeline.store().get_run(retry_id)
    assert final.parameters == expected[0], f"{about}: {run_id}"
    assert pipeline.catalog(retry_id) == expected[1], f"{about}: {run_id}"
    again = Counter(pipeline.executions(retry_id))
    assert all(count == 1 for count in again.values()), f"{about}: ran twice: {again}"
    done = {identity(p, s) for p, s in killed.steps.items() if s.status is Status.SUCCESS}
    twice = done & set(again)
    assert not twice, f"{about}: {run_id}: recorded as done, yet ran again: {twice}"
    return "retried"


def test_killed_runs_retry_to_the_uninterrupted_result_and_nothing_runs_twice(
    tmp_path: Path, clean_env: dict[str, str]
) -> None:
    with ThreadPoolExecutor(max_workers=2) as pool:
        summaries = list(pool.map(lambda n: one_pipeline(tmp_path, clean_env, n), range(PIPELINES)))
    trials = PIPELINES * KILLS
    sys.stdout.write(f"{trials} kills\n" + "\n".join(summaries) + "\n")  # pytest -s shows them
