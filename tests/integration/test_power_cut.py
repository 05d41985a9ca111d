"""Cut the power at random syncs of random pipelines; nothing recorded is lost.

On the power-cut file system (tests/integration/power_cut_fs.py), which keeps only what
strict POSIX says is durable, each random pipeline (power_cut_pipelines.py) runs once
uninterrupted (the reference; the power is cut after it exits) and then several times with
the power cut before a random sync. After each cut, with only what survived:

- every step the run reported done (the CLI prints `step P success` only after its record
  was stored) still has its record, and every file that record names has its hash;
- the run loads, if it had reported starting (so its folder, a new log_folder too, is there);
- a run that reported its end (`run R ended: S`, printed after the header is stored), or
  exited 0, still has that status;
- `retry` finishes the run with the reference's parameters and catalog files.

Seeded (RUNPLANE_POWER_CUT_SEED); RUNPLANE_LONG_TESTS=1 runs hundreds of cuts, not dozens.
"""

from __future__ import annotations

import hashlib
import os
import queue
import random
import re
import signal
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from contextlib import suppress
from dataclasses import dataclass
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
from tests.integration.power_cut_fs import PowerCutFs
from tests.integration.power_cut_pipelines import Spec, configuration, draw, source

pytestmark = pytest.mark.integration

LONG = os.environ.get("RUNPLANE_LONG_TESTS") == "1"
PIPELINES, CUTS = (40, 7) if LONG else (6, 3)  # 6 references, 18 cuts; long: 40 and 280
SEED = int(os.environ.get("RUNPLANE_POWER_CUT_SEED", "20261202"))

STEP_DONE = re.compile(r"^\S+ step (\S+) success \(", re.MULTILINE)
RUN_STARTED = re.compile(r"^\S+ run (\S+) started$", re.MULTILINE)
RUN_ENDED = re.compile(r"^\S+ run (\S+) ended: (\w+)$", re.MULTILINE)


@dataclass
class Trial:
    """One run on the power-cut file system: where it writes and what it said."""

    fs: PowerCutFs
    spec: Spec
    workdir: Path
    env: dict[str, str]
    name: str
    cut_before: int = 0  # the sync the power is cut before (0: after the run exits)
    code: int = 0
    stderr: str = ""

    @property
    def folder(self) -> Path:
        return self.fs.mountpoint / self.workdir.parent.name / self.workdir.name / self.name

    @property
    def conf(self) -> str:
        return f"{self.name}.yaml"

    def store(self) -> FileSystemRunLogStore | ChunkedFileSystemRunLogStore:
        logs = str(self.folder / "logs")
        if self.spec.store == "file-system":
            return FileSystemRunLogStore(FileSystemRunLogStoreConfig(log_folder=logs))
        return ChunkedFileSystemRunLogStore(ChunkedFileSystemRunLogStoreConfig(log_folder=logs))

    def catalog(self, run_id: str) -> dict[str, str]:
        """sha256 of every file the catalog holds for the run (temporaries aside)."""
        root = self.folder / "cat" / run_id
        return {
            str(path.relative_to(root)): sha256(path)
            for path in sorted(root.rglob("*"))
            if path.is_file() and not path.name.startswith(".")
        }

    def about(self) -> str:
        tail = "\n".join(self.stderr.splitlines()[-15:])
        return (
            f"pipeline {self.spec.describe()}, trial {self.name}, power cut before sync "
            f"{self.cut_before or 'none (after exit)'}, exit {self.code}; stderr ends:\n{tail}"
        )

    def run(self, *args: str) -> tuple[int, str]:
        """Run the CLI to its end, then end whatever it left (a step server, say)."""
        (self.workdir / self.conf).write_text(
            configuration(self.spec, str(self.folder / "logs"), str(self.folder / "cat"))
        )
        errors = self.workdir / f"{self.name}.stderr"
        with errors.open("w") as stream:
            process = subprocess.Popen(
                [RUNPLANE, *args, "-c", self.conf], cwd=self.workdir, env=self.env,
                stdout=subprocess.DEVNULL, stderr=stream, start_new_session=True,
            )  # fmt: skip
            try:
                code = process.wait(timeout=300)
            finally:
                with suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
        return code, errors.read_text()


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def survivors(trial: Trial) -> RunLog | None:
    """Check what survived the cut against what the run had reported; the run, if any."""
    done = STEP_DONE.findall(trial.stderr)
    try:
        run = trial.store().get_run("run")
    except RunLogNotFoundError:
        assert not RUN_STARTED.search(trial.stderr), f"run folder lost: {trial.about()}"
        assert done == [], f"run folder lost: {trial.about()}"
        return None
    for path in done:
        step = run.steps.get(path)
        assert step is not None, f"step {path} lost: {trial.about()}"
        assert step.status is Status.SUCCESS, f"step {path} {step.status}: {trial.about()}"
        for entry in step.data_catalog:
            if entry.stage == "put":
                file = trial.folder / "cat" / "run" / entry.name
                assert file.is_file(), f"file {entry.name} of {path} lost: {trial.about()}"
                assert sha256(file) == entry.sha256, f"{entry.name} emptied: {trial.about()}"
    ended = RUN_ENDED.search(trial.stderr)
    if ended:
        assert run.status.value == ended[2], f"final status lost: {trial.about()}"
    if trial.code == 0:
        assert run.status is Status.SUCCESS, f"final status lost: {trial.about()}"
    return run


def cut_and_check(trial: Trial, reference: dict[str, Any]) -> bool:
    """Run with the power cut before `trial.cut_before`; check; retry. Whether it was cut."""
    if trial.cut_before:
        trial.fs.arm(trial.cut_before)
    trial.code, trial.stderr = trial.run("run", "pipeline.py", "--run-id", "run")
    was_cut = bool(trial.fs.command("status")["cut"])
    trial.fs.reboot()
    run = survivors(trial)
    if run is None:
        return was_cut
    final = run
    if run.status is not Status.SUCCESS:
        code, stderr = trial.run("retry", "run", "--run-id", "retried")
        assert code == 0, f"retry failed: {stderr[-2000:]}\n{trial.about()}"
        final = trial.store().get_run("retried")
    assert final.parameters == reference["parameters"], trial.about()
    assert trial.catalog(final.run_id) == reference["catalog"], trial.about()
    return was_cut


def one_pipeline(fs: PowerCutFs, base: Path, env: dict[str, str], number: int) -> str:
    """The reference run of pipeline `number`, then CUTS runs cut at random; a summary."""
    rng = random.Random(SEED + number)
    spec = draw(rng, number)
    workdir = base / f"pipeline-{number}"
    workdir.mkdir()
    (workdir / "pipeline.py").write_text(source(spec))

    reference = Trial(fs, spec, workdir, env, "reference")
    before = fs.syncs()
    reference.code, reference.stderr = reference.run("run", "pipeline.py", "--run-id", "run")
    syncs = fs.syncs() - before
    assert reference.code == 0, reference.about()
    fs.reboot()  # the power goes once it has exited
    run = survivors(reference)
    assert run is not None
    assert run.status is Status.SUCCESS
    expected = {"parameters": run.parameters, "catalog": reference.catalog("run")}
    assert expected["catalog"], "the pipeline puts files"

    cut_mid_run = 0
    for cut in range(CUTS):
        trial = Trial(fs, spec, workdir, env, f"cut-{cut}", rng.randint(1, syncs))
        cut_mid_run += cut_and_check(trial, expected)
    return f"{number}: {spec.describe()}: {syncs} syncs, {cut_mid_run}/{CUTS} cut mid-run"


def test_no_power_cut_loses_a_recorded_step_its_files_or_a_finished_status(
    cut_fs_pool: list[PowerCutFs], tmp_path: Path, clean_env: dict[str, str]
) -> None:
    free: queue.Queue[PowerCutFs] = queue.Queue()
    for fs in cut_fs_pool:
        free.put(fs)

    def on_a_free_mount(number: int) -> str:
        fs = free.get()  # one pipeline at a time per mount: a cut is the whole machine's
        try:
            return one_pipeline(fs, tmp_path, clean_env, number)
        finally:
            free.put(fs)

    with ThreadPoolExecutor(max_workers=len(cut_fs_pool)) as pool:
        summaries = list(pool.map(on_a_free_mount, range(PIPELINES)))  # re-raises a failure
    sys.stdout.write("\n".join(summaries) + "\n")  # pytest -s shows them
