"""The file-system run log store's journal under threads of one process (parallel branches)."""

from __future__ import annotations

import threading
from pathlib import Path

from runplane.adapters.run_log_stores.file_system import (
    FileSystemRunLogStore,
    FileSystemRunLogStoreConfig,
)
from runplane.domain.run_log import RunLog, Status, StepLog


def test_threads_recording_steps_at_once_lose_no_record(tmp_path: Path) -> None:
    # flock does not keep apart threads that share the journal's descriptor: before a
    # thread lock, 4 threads of 300 records each lost one record in seven.
    config = FileSystemRunLogStoreConfig(log_folder=str(tmp_path))
    store = FileSystemRunLogStore(config)
    store.create_run(RunLog(run_id="r1", status=Status.PROCESSING, start_time="2026-12-02"))
    start = threading.Barrier(4)

    def record(thread: int) -> None:
        start.wait()
        for number in range(50):
            store.put_step("r1", StepLog(path=f"t{thread}_{number}", kind="task"))

    threads = [threading.Thread(target=record, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    steps = FileSystemRunLogStore(config).get_run("r1").steps  # read back from disk
    assert len(steps) == 200
    assert {path for path in steps} == {f"t{t}_{n}" for t in range(4) for n in range(50)}
