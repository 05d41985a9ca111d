"""The file-system run log stores: the journal under threads (parallel branches), bad records."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from runplane.adapters.run_log_stores.chunked_fs import (
    ChunkedFileSystemRunLogStore,
    ChunkedFileSystemRunLogStoreConfig,
)
from runplane.adapters.run_log_stores.file_system import (
    FileSystemRunLogStore,
    FileSystemRunLogStoreConfig,
)
from runplane.domain.errors import RunLogError
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


@pytest.mark.parametrize("bad", [b"{not json", b"[1, 2]", b'{"run_id": "x"}'])
def test_a_malformed_header_is_reported_and_the_other_runs_still_list(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, bad: bytes
) -> None:
    store = FileSystemRunLogStore(FileSystemRunLogStoreConfig(log_folder=str(tmp_path)))
    for run_id in ("good", "bad"):
        store.create_run(RunLog(run_id=run_id, status=Status.SUCCESS, start_time="2026-12-02"))
    (tmp_path / "bad" / "run.json").write_bytes(bad)
    assert [s.run_id for s in store.list_runs()] == ["good"]
    assert f"runs list skips run 'bad': run record '{tmp_path / 'bad' / 'run.json'}'" in caplog.text
    with pytest.raises(RunLogError, match=r"bad/run\.json"):
        store.get_run("bad")


@pytest.mark.parametrize("bad", ['{"path": "x"}', "[1, 2]", '"text"', '{"path": "x", "kind": 3}'])
def test_a_journal_line_of_the_wrong_shape_is_reported_and_the_rest_shows(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, bad: str
) -> None:
    store = FileSystemRunLogStore(FileSystemRunLogStoreConfig(log_folder=str(tmp_path)))
    store.create_run(RunLog(run_id="r1", status=Status.PROCESSING, start_time="2026-12-02"))
    store.put_step("r1", StepLog(path="a", kind="task"))
    journal = tmp_path / "r1" / "steps.jsonl"
    text = journal.read_bytes().rstrip(b"\0").decode()
    journal.write_text(text + bad + "\n")
    store.put_step("r1", StepLog(path="b", kind="task"))
    assert sorted(store.get_run("r1").steps) == ["a", "b"]
    assert f"skipping record at line 2 of {journal}" in caplog.text


def test_a_malformed_chunked_step_record_is_skipped_naming_its_file(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    store = ChunkedFileSystemRunLogStore(
        ChunkedFileSystemRunLogStoreConfig(log_folder=str(tmp_path))
    )
    store.create_run(RunLog(run_id="r1", status=Status.PROCESSING, start_time="2026-12-02"))
    store.create_run(RunLog(run_id="r2", status=Status.PROCESSING, start_time="2026-12-03"))
    store.put_step("r1", StepLog(path="a", kind="task"))
    (tmp_path / "r1" / "steps" / "b.json").write_text('{"path": "b"}')
    (tmp_path / "r2" / "run.json").write_text("{")
    assert list(store.get_run("r1").steps) == ["a"]
    assert f"skipping step record {tmp_path / 'r1' / 'steps' / 'b.json'}" in caplog.text
    assert [s.run_id for s in store.list_runs()] == ["r1"]
