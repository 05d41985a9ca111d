"""Durable-write helpers: folders made up to an existing one, and which file systems get syncfs.

What each helper syncs is checked against a file system that forgets what was not synced
(tests/integration/test_power_cut_fs.py); here, what can be seen without one.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from runplane.adapters._shared.durable import (
    DURABLE_SYNCFS_TYPES,
    create_file,
    file_system_type,
    make_folders,
    syncfs_is_durable,
    write_atomic,
)
from runplane.adapters._shared.files import copy_files

# linux/magic.h, for the file systems a Linux machine or container usually mounts.
MAGIC_BY_NAME = {
    "ext2": 0xEF53,
    "ext3": 0xEF53,
    "ext4": 0xEF53,
    "xfs": 0x58465342,
    "btrfs": 0x9123683E,
    "tmpfs": 0x01021994,
    "proc": 0x9FA0,
    "sysfs": 0x62656572,
    "overlay": 0x794C7630,
    "nfs": 0x6969,
    "nfs4": 0x6969,
    "fuse": 0x65735546,
    "cgroup2": 0x63677270,
}


def mounts() -> list[tuple[str, str]]:
    """(mount point, file system type) from /proc/self/mountinfo."""
    try:
        text = Path("/proc/self/mountinfo").read_text()
    except OSError:
        pytest.skip("no /proc/self/mountinfo (not Linux)")
    found = []
    for line in text.splitlines():
        fields = line.split()
        separator = fields.index("-")
        kind = fields[separator + 1].split(".")[0]  # fuse.sshfs -> fuse
        point = fields[4].replace("\\040", " ")
        found.append((point, kind))
    return found


def type_of(path: str | Path) -> int | None:
    fd = os.open(path, os.O_RDONLY)
    try:
        return file_system_type(fd)
    finally:
        os.close(fd)


def test_file_system_type_agrees_with_the_kernels_mount_table() -> None:
    checked = 0
    for point, kind in mounts():
        if kind not in MAGIC_BY_NAME or not os.path.isdir(point):
            continue
        try:
            assert type_of(point) == MAGIC_BY_NAME[kind], (point, kind)
        except PermissionError:
            continue
        checked += 1
    assert checked >= 2  # / and /proc at the least


def test_syncfs_is_trusted_only_on_ext4_xfs_and_btrfs(tmp_path: Path) -> None:
    assert set(DURABLE_SYNCFS_TYPES) == {0xEF53, 0x58465342, 0x9123683E}
    for point, kind in mounts():
        if kind in {"tmpfs", "proc", "sysfs", "overlay", "nfs", "nfs4", "fuse"}:
            try:
                fd = os.open(point, os.O_RDONLY)
            except OSError:  # a FUSE mount whose daemon is gone, a folder we may not open
                continue
            try:
                assert not syncfs_is_durable(fd), (point, kind)
            finally:
                os.close(fd)


def test_many_files_on_a_file_system_without_durable_syncfs_are_fsynced_each(
    tmp_path: Path,
) -> None:
    shm = Path("/dev/shm")
    if not shm.is_dir() or type_of(shm) != 0x01021994:
        pytest.skip("no tmpfs at /dev/shm to copy onto")
    calls: list[int] = []
    work = tmp_path / "work"
    work.mkdir()
    names = [f"f{i}.txt" for i in range(40)]
    for name in names:
        (work / name).write_text(name)
    target = shm / f"runplane-test-{os.getpid()}"
    try:
        copy_files(work, target, names, durable=True, syncfs=calls.append)
        assert calls == []  # per-file fsync instead
        assert sorted(p.name for p in target.iterdir()) == sorted(names)
    finally:
        for name in names:
            (target / name).unlink(missing_ok=True)
        target.rmdir()


def test_make_folders_reports_every_new_folder_up_to_an_existing_one(tmp_path: Path) -> None:
    made = make_folders(tmp_path / "a" / "b" / "c")
    assert made == [str(tmp_path / "a"), str(tmp_path / "a" / "b"), str(tmp_path / "a" / "b" / "c")]
    assert make_folders(tmp_path / "a" / "b") == []
    assert make_folders(tmp_path / "a" / "b" / "d", exist_ok=False) == [str(tmp_path / "a/b/d")]


def test_make_folders_claims_a_name_once(tmp_path: Path) -> None:
    make_folders(tmp_path / "logs" / "run", exist_ok=False)
    with pytest.raises(FileExistsError):
        make_folders(tmp_path / "logs" / "run", exist_ok=False)


def test_make_folders_refuses_a_file_in_the_way(tmp_path: Path) -> None:
    (tmp_path / "blocker").write_text("not a folder")
    with pytest.raises(NotADirectoryError):
        make_folders(tmp_path / "blocker" / "logs")
    with pytest.raises(FileExistsError):
        make_folders(tmp_path / "blocker")


def test_write_atomic_and_create_file_leave_only_the_target(tmp_path: Path) -> None:
    write_atomic(tmp_path / "run.json", b"{}")
    write_atomic(tmp_path / "run.json", b'{"a": 1}', sync_folder=False)
    create_file(tmp_path / "steps.jsonl")
    create_file(tmp_path / "steps.jsonl")  # an existing file is left as it is
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run.json", "steps.jsonl"]
    assert (tmp_path / "run.json").read_bytes() == b'{"a": 1}'
