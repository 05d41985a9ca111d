"""Crash-safe writes: hashing copies (temporaries, syncfs and its fallback) and atomic replaces."""

from __future__ import annotations

import errno
import hashlib
import os
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from runplane.adapters._shared.durable import SyncFs, find_syncfs, syncfs_is_durable, write_atomic
from runplane.adapters._shared.files import CopyError, copy_files
from runplane.adapters.catalogs.file_system import FileSystemCatalog, FileSystemCatalogConfig
from runplane.domain.errors import CatalogError

MANY = 40  # more than the count from which one syncfs replaces the fsyncs
NO_SUCH_LIBRARY = "libno-such-library.so.0"


def make_tree(work: Path, count: int = MANY, spread: int = 4) -> dict[str, bytes]:
    files = {
        f"d{i % spread}/sub{i % 3 % spread}/f{i}.bin": os.urandom(37 * i + 1) for i in range(count)
    }
    for name, content in files.items():
        (work / name).parent.mkdir(parents=True, exist_ok=True)
        (work / name).write_bytes(content)
    return files


def sha256(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def temporaries(folder: Path) -> list[str]:
    return [p.name for p in folder.rglob("*.tmp")]


def published(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file()]


def real_syncfs() -> SyncFs:
    syncfs = find_syncfs()
    if syncfs is None:
        pytest.skip("no syncfs(2) that reports write-back errors here (Linux 5.8 or later)")
    return syncfs


@pytest.fixture
def catalog(tmp_path: Path) -> FileSystemCatalog:
    return FileSystemCatalog(FileSystemCatalogConfig(catalog_location=str(tmp_path / "cat")))


def test_many_nested_files_put_then_got_leave_no_temporary_file(
    catalog: FileSystemCatalog, tmp_path: Path
) -> None:
    work, back = tmp_path / "work", tmp_path / "back"
    files = make_tree(work)
    put = catalog.put("r1", ["d*"], work)
    got = catalog.get("r1", ["d*"], back)
    want = {name: sha256(content) for name, content in files.items()}
    assert {e.name: e.sha256 for e in put} == want
    assert {e.name: e.sha256 for e in got} == want
    for name, content in files.items():
        assert (back / name).read_bytes() == content
    assert temporaries(tmp_path) == []


@pytest.mark.parametrize(
    "lookup",
    [
        {"library": NO_SUCH_LIBRARY},
        {"release": "5.4.0-150-generic"},  # syncfs there returns 0 after failed write-backs
        {"release": "unknown"},
    ],
)
def test_syncfs_is_not_used_where_it_is_missing_or_hides_errors(lookup: dict[str, str]) -> None:
    assert find_syncfs(**lookup) is None


def test_without_syncfs_each_file_is_fsynced_and_published(tmp_path: Path) -> None:
    work, target = tmp_path / "work", tmp_path / "target"
    files = make_tree(work)
    names = sorted(files)
    syncfs = find_syncfs(library=NO_SUCH_LIBRARY)
    copied = copy_files(work, target, names, durable=True, syncfs=syncfs)
    assert copied == [(sha256(files[n]), len(files[n])) for n in names]
    for name, content in files.items():
        assert (target / name).read_bytes() == content
    assert temporaries(target) == []


def test_many_files_are_synced_by_one_syncfs_a_few_by_fsync(tmp_path: Path) -> None:
    real = real_syncfs()
    fd = os.open(tmp_path, os.O_RDONLY)
    try:
        if not syncfs_is_durable(fd):
            pytest.skip(f"syncfs is not trusted on the file system of {tmp_path}")
    finally:
        os.close(fd)
    calls: list[int] = []

    def recording(fd: int) -> None:
        calls.append(fd)
        real(fd)

    work = tmp_path / "work"
    names = sorted(make_tree(work, spread=1))
    copy_files(work, tmp_path / "many", names, durable=True, syncfs=recording)
    assert len(calls) == 1  # the files; their few folders are fsynced
    copy_files(work, tmp_path / "few", names[:3], durable=True, syncfs=recording)
    copy_files(work, tmp_path / "not-durable", names, durable=False, syncfs=recording)
    assert len(calls) == 1


def test_syncfs_failing_raises_the_error() -> None:
    with pytest.raises(OSError, match="Bad file descriptor") as info:
        real_syncfs()(-1)
    assert info.value.errno == errno.EBADF


def test_a_failed_sync_publishes_nothing_and_leaves_no_temporary_file(tmp_path: Path) -> None:
    def failing(fd: int) -> None:
        raise OSError(errno.EIO, os.strerror(errno.EIO))

    work, target = tmp_path / "work", tmp_path / "target"
    names = sorted(make_tree(work))
    with pytest.raises(OSError, match="Input/output error"):
        copy_files(work, target, names, durable=True, syncfs=failing)
    assert published(target) == []


def test_a_file_failing_mid_way_is_named_and_nothing_is_published(tmp_path: Path) -> None:
    work, target = tmp_path / "work", tmp_path / "target"
    names = sorted(make_tree(work))
    names.insert(len(names) // 2, "d1/gone.bin")
    with pytest.raises(CopyError) as info:
        copy_files(work, target, names, durable=True, syncfs=find_syncfs())
    assert (info.value.source, info.value.target) == (
        str(work / "d1/gone.bin"),
        str(target / "d1/gone.bin"),
    )
    assert info.value.error.errno == errno.ENOENT
    assert published(target) == []


def test_a_folder_that_cannot_be_made_names_a_file_in_it(
    catalog: FileSystemCatalog, tmp_path: Path
) -> None:
    work = tmp_path / "work"
    make_tree(work)
    (tmp_path / "cat").write_text("a file where the catalog should be")
    with pytest.raises(CatalogError, match="Not a directory") as info:
        catalog.put("r1", ["d*"], work)
    assert f"to '{tmp_path / 'cat' / 'r1' / 'd0' / 'sub0' / 'f0.bin'}' (put)" in str(info.value)


def test_threads_getting_the_same_file_into_one_folder_do_not_collide(
    catalog: FileSystemCatalog, tmp_path: Path
) -> None:
    work, shared = tmp_path / "work", tmp_path / "shared"
    work.mkdir()
    (work / "big.bin").write_bytes(os.urandom(3 * 1024 * 1024))
    catalog.put("r1", ["big.bin"], work)
    errors: list[CatalogError] = []

    def get_again_and_again() -> None:
        try:
            for _ in range(5):
                catalog.get("r1", ["big.bin"], shared)
        except CatalogError as exc:
            errors.append(exc)

    threads = [threading.Thread(target=get_again_and_again) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert (shared / "big.bin").read_bytes() == (work / "big.bin").read_bytes()
    assert temporaries(shared) == []


def test_threads_writing_one_file_atomically_never_collide(tmp_path: Path) -> None:
    target = tmp_path / "run.json"
    payloads = [bytes([65 + n]) * 4096 for n in range(8)]

    def write_many(payload: bytes) -> None:
        for _ in range(50):
            write_atomic(target, payload)

    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(write_many, payloads))  # re-raises any thread's error
    assert target.read_bytes() in payloads
    assert temporaries(tmp_path) == []
