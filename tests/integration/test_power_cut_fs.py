"""The power-cut file system itself, then runplane's file stores on it: the issue's cases.

Each case is shown twice where that is possible: what the old code did is lost after a
cut (so the file system does catch it), and what runplane does now survives.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest

from runplane.adapters._shared import files
from runplane.adapters._shared.durable import find_syncfs, write_atomic
from runplane.adapters.catalogs.file_system import FileSystemCatalog, FileSystemCatalogConfig
from runplane.adapters.run_log_stores.chunked_fs import (
    ChunkedFileSystemRunLogStore,
    ChunkedFileSystemRunLogStoreConfig,
)
from runplane.adapters.run_log_stores.file_system import (
    FileSystemRunLogStore,
    FileSystemRunLogStoreConfig,
)
from runplane.domain.run_log import Attempt, RunLog, Status, StepLog
from tests.integration.power_cut_fs import PowerCutFs, fsync

pytestmark = pytest.mark.integration

WHEN = "2026-12-02T20:00:00+00:00"


def a_run(run_id: str) -> RunLog:
    return RunLog(run_id=run_id, status=Status.PROCESSING, start_time=WHEN)


def a_step(path: str) -> StepLog:
    step = StepLog(path=path, kind="task", status=Status.SUCCESS)
    step.attempts.append(Attempt(1, Status.SUCCESS, WHEN, WHEN))
    return step


# The layer's rules


def test_data_survives_only_once_the_file_is_synced(cut_fs: PowerCutFs, cut_folder: Path) -> None:
    synced, unsynced = cut_folder / "synced", cut_folder / "unsynced"
    synced.write_bytes(b"kept")
    unsynced.write_bytes(b"lost")
    fsync(synced)
    fsync(cut_folder)  # both names
    with synced.open("ab") as more:
        more.write(b" and more")  # after the file's sync: lost
    cut_fs.reboot()
    assert synced.read_bytes() == b"kept"
    assert unsynced.read_bytes() == b""  # named, never synced: present and empty


def test_a_name_survives_only_once_its_folder_is_synced(
    cut_fs: PowerCutFs, cut_folder: Path
) -> None:
    (cut_folder / "sub").mkdir()
    (cut_folder / "sub" / "file").write_bytes(b"data")
    fsync(cut_folder / "sub" / "file")
    fsync(cut_folder / "sub")  # the file's name, but not sub's own name
    cut_fs.reboot()
    assert list(cut_folder.iterdir()) == []


def test_a_rename_without_a_folder_sync_brings_the_old_file_back(
    cut_fs: PowerCutFs, cut_folder: Path
) -> None:
    target = cut_folder / "run.json"
    write_atomic(target, b"old")  # syncs its folder
    write_atomic(target, b"new", sync_folder=False)  # what the header write did
    assert target.read_bytes() == b"new"
    cut_fs.reboot()
    assert target.read_bytes() == b"old"
    write_atomic(target, b"new")
    cut_fs.reboot()
    assert target.read_bytes() == b"new"


def test_syncfs_makes_nothing_durable(cut_fs: PowerCutFs, cut_folder: Path) -> None:
    syncfs = find_syncfs()
    if syncfs is None:
        pytest.skip("no syncfs(2) here")
    (cut_folder / "file").write_bytes(b"data")
    fd = os.open(cut_folder, os.O_RDONLY)
    try:
        syncfs(fd)  # the kernel does not pass it on to a FUSE server
    finally:
        os.close(fd)
    cut_fs.reboot()
    assert list(cut_folder.iterdir()) == []


def test_after_the_cut_nothing_more_is_written_or_read(
    cut_fs: PowerCutFs, cut_folder: Path
) -> None:
    first = cut_folder / "first"
    first.write_bytes(b"1")
    cut_fs.arm(2)
    fsync(first)  # the first sync from now: done
    with pytest.raises(OSError, match="Input/output error"):
        fsync(cut_folder)  # the second: the power is cut before it
    with pytest.raises(OSError, match="Input/output error"):
        (cut_folder / "second").write_bytes(b"2")
    with pytest.raises(OSError, match="Input/output error"):
        first.read_bytes()
    cut_fs.reboot()
    assert list(cut_folder.iterdir()) == []  # the folder's sync never happened


# The cases, on runplane's stores and catalog


def test_many_files_put_survive_where_syncfs_does_not_reach(
    cut_fs: PowerCutFs, cut_folder: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    work = tmp_path / "work"
    work.mkdir()
    names = [f"out/f{i:02}.txt" for i in range(20)]  # more than the syncfs threshold
    (work / "out").mkdir()
    for name in names:
        (work / name).write_text(f"content of {name}")
    catalog = FileSystemCatalog(FileSystemCatalogConfig(catalog_location=str(cut_folder / "cat")))

    # The old rule: one syncfs for many files, whatever the file system. The names come
    # back (their folders were fsynced), the data does not.
    monkeypatch.setattr(files, "syncfs_is_durable", lambda fd: True)
    catalog.put("before", ["out/*"], work)
    monkeypatch.undo()
    catalog.put("after", ["out/*"], work)
    cut_fs.reboot()

    lost = cut_folder / "cat" / "before"
    assert sorted(p.name for p in (lost / "out").iterdir()) == [n[4:] for n in names]
    assert {(lost / n).read_bytes() for n in names} == {b""}
    for name in names:
        assert (cut_folder / "cat" / "after" / name).read_text() == f"content of {name}"


def test_a_finished_runs_status_survives(cut_fs: PowerCutFs, cut_folder: Path) -> None:
    store = FileSystemRunLogStore(FileSystemRunLogStoreConfig(log_folder=str(cut_folder)))
    run = a_run("r1")
    store.create_run(run)
    store.put_step("r1", a_step("first"))
    run.status = Status.SUCCESS
    store.update_run(run)
    cut_fs.reboot()
    loaded = store.get_run("r1")
    assert loaded.status is Status.SUCCESS
    assert list(loaded.steps) == ["first"]


@pytest.mark.parametrize("store_type", ["file-system", "chunked-fs"])
def test_a_first_run_into_a_new_log_folder_survives(
    cut_fs: PowerCutFs, cut_folder: Path, store_type: str
) -> None:
    logs = cut_folder / "new" / "deeper" / "logs"
    if store_type == "file-system":
        store: FileSystemRunLogStore | ChunkedFileSystemRunLogStore = FileSystemRunLogStore(
            FileSystemRunLogStoreConfig(log_folder=str(logs))
        )
    else:
        store = ChunkedFileSystemRunLogStore(
            ChunkedFileSystemRunLogStoreConfig(log_folder=str(logs))
        )
    store.create_run(a_run("r1"))
    store.put_step("r1", a_step("first"))
    store.put_step("r1", a_step("second"))
    cut_fs.reboot()
    assert list(store.get_run("r1").steps) == ["first", "second"]
    assert [s.run_id for s in store.list_runs()] == ["r1"]


def test_the_journals_trim_at_close_is_harmless_when_lost(
    cut_fs: PowerCutFs, cut_folder: Path
) -> None:
    store = FileSystemRunLogStore(FileSystemRunLogStoreConfig(log_folder=str(cut_folder)))
    run = a_run("r1")
    store.create_run(run)
    for number in range(5):
        store.put_step("r1", a_step(f"step{number}"))
    run.status = Status.SUCCESS
    store.update_run(run)  # closes the journal: trimmed to its records, not synced
    journal = cut_folder / "r1" / "steps.jsonl"
    trimmed = journal.read_bytes()
    assert not trimmed.endswith(b"\0")
    cut_fs.reboot()
    back = journal.read_bytes()
    assert len(back) > len(trimmed)  # the trim was lost: the zero-filled space is back
    assert back.startswith(trimmed)
    assert set(back[len(trimmed) :]) == {0}
    loaded = store.get_run("r1")
    assert loaded.status is Status.SUCCESS
    assert list(loaded.steps) == [f"step{n}" for n in range(5)]
    # and the next writer of that journal (a retry's reuse, say) appends after the records
    store.put_step("r1", a_step("later"))
    assert "later" in store.get_run("r1").steps


def test_catalog_files_keep_their_hash_across_a_cut(
    cut_fs: PowerCutFs, cut_folder: Path, tmp_path: Path
) -> None:
    work = tmp_path / "work"
    work.mkdir()
    (work / "one.bin").write_bytes(os.urandom(100_000))
    catalog = FileSystemCatalog(FileSystemCatalogConfig(catalog_location=str(cut_folder / "c")))
    entries = catalog.put("r1", ["one.bin"], work)
    cut_fs.reboot()
    kept = (cut_folder / "c" / "r1" / "one.bin").read_bytes()
    assert hashlib.sha256(kept).hexdigest() == entries[0].sha256
