"""The summary index of the folder stores: fewer header reads, never a hidden run."""

import json
from dataclasses import replace
from pathlib import Path

import pytest

from runplane.adapters._shared import run_index, run_records
from runplane.adapters.run_log_stores.chunked_fs import (
    ChunkedFileSystemRunLogStore,
    ChunkedFileSystemRunLogStoreConfig,
)
from runplane.adapters.run_log_stores.file_system import (
    FileSystemRunLogStore,
    FileSystemRunLogStoreConfig,
)
from runplane.domain.run_log import Status
from runplane.ports.run_log_store import RunLogStore
from runplane.testing.run_log_store import make_run

DAY = "2026-01-0{}T00:00:00.000000+00:00"


@pytest.fixture(params=["file-system", "chunked-fs"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> RunLogStore:
    folder = str(tmp_path / "logs")
    if request.param == "file-system":
        return FileSystemRunLogStore(FileSystemRunLogStoreConfig(log_folder=folder))
    return ChunkedFileSystemRunLogStore(ChunkedFileSystemRunLogStoreConfig(log_folder=folder))


@pytest.fixture
def header_reads(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """The run headers the index module reads, in order."""
    reads: list[Path] = []
    real = run_records.read_record

    def counted(path: Path) -> dict[str, object]:
        reads.append(path)
        return real(path)

    monkeypatch.setattr(run_index, "read_record", counted)
    return reads


def listed(store: RunLogStore) -> list[tuple[str, str]]:
    return [(s.run_id, s.status.value) for s in store.list_runs()]


def test_a_second_listing_reads_only_the_headers_that_changed(
    store: RunLogStore, header_reads: list[Path], tmp_path: Path
) -> None:
    for day in (1, 2, 3):
        store.create_run(make_run(f"r{day}", DAY.format(day)))
    assert listed(store) == [("r3", "processing"), ("r2", "processing"), ("r1", "processing")]
    assert len(header_reads) == 3
    assert (tmp_path / "logs" / run_index.INDEX).is_file()
    header_reads.clear()
    assert len(listed(store)) == 3
    assert header_reads == []  # all from the index
    store.update_run(replace(make_run("r2", DAY.format(2)), status=Status.SUCCESS))
    assert listed(store)[1] == ("r2", "success")
    assert [p.parent.name for p in header_reads] == ["r2"]


def test_an_index_that_lags_hides_no_run_and_no_change(store: RunLogStore, tmp_path: Path) -> None:
    """A crash after a header write but before the index write leaves an old index."""
    index = tmp_path / "logs" / run_index.INDEX
    store.create_run(make_run("r1", DAY.format(1)))
    store.list_runs()
    old = index.read_bytes()
    store.create_run(make_run("r2", DAY.format(2)))
    store.update_run(replace(make_run("r1", DAY.format(1)), status=Status.FAIL))
    store.list_runs()
    index.write_bytes(old)  # back to the index from before both changes
    assert listed(store) == [("r2", "processing"), ("r1", "fail")]


def test_a_removed_run_leaves_the_index(store: RunLogStore, tmp_path: Path) -> None:
    store.create_run(make_run("r1", DAY.format(1)))
    store.create_run(make_run("r2", DAY.format(2)))
    store.list_runs()
    header = next((tmp_path / "logs" / "r1").glob("*.json"))
    header.unlink()  # no header: no run
    assert listed(store) == [("r2", "processing")]
    saved = json.loads((tmp_path / "logs" / run_index.INDEX).read_text())
    assert list(saved["runs"]) == ["r2"]


@pytest.mark.parametrize(
    "damage",
    [
        b"{not json",
        b'{"version": 99, "runs": {}}',
        b'{"version": 1, "runs": {"r1": 3}}',
    ],
)
def test_a_damaged_index_is_rebuilt_from_the_headers(
    store: RunLogStore, tmp_path: Path, damage: bytes
) -> None:
    store.create_run(make_run("r1", DAY.format(1)))
    store.list_runs()
    index = tmp_path / "logs" / run_index.INDEX
    index.write_bytes(damage)
    assert listed(store) == [("r1", "processing")]
    assert json.loads(index.read_text())["runs"]["r1"][1][0] == "r1"


def test_an_unwritable_index_still_lists(
    store: RunLogStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(path: Path, data: bytes, *, sync_folder: bool = True) -> None:
        raise PermissionError(13, "Permission denied")

    store.create_run(make_run("r1", DAY.format(1)))
    monkeypatch.setattr(run_index, "write_atomic", refuse)
    assert listed(store) == [("r1", "processing")]
    assert not (tmp_path / "logs" / run_index.INDEX).exists()


def test_an_index_edited_into_nonsense_is_rebuilt(store: RunLogStore, tmp_path: Path) -> None:
    store.create_run(make_run("r1", DAY.format(1)))
    index = tmp_path / "logs" / run_index.INDEX
    store.list_runs()
    saved = json.loads(index.read_text())
    identity, row = saved["runs"]["r1"]
    row[2] = "bogus"  # a status no run has; the header itself is unchanged
    index.write_text(json.dumps({**saved, "runs": {"r1": [identity, row]}}))
    assert listed(store) == [("r1", "processing")]
    assert json.loads(index.read_text())["runs"]["r1"][1][2] == "processing"
