"""Writes that survive a power cut, shared by the file-system run log stores and catalog.

The rules (strict POSIX, what a power cut keeps): a file's data is on disk after an fsync
(or fdatasync) of that file; a name in a folder (a create, a rename, a mkdir) is on disk
after an fsync of that folder. So data is synced before it gets its final name, and the
folder is synced after. syncfs(2) replaces many fsyncs only on file systems known to
write everything back through it (see `syncfs_is_durable`).
"""

from __future__ import annotations

import ctypes
import os
import platform
import re
import secrets
from collections.abc import Callable
from functools import cache
from pathlib import Path

SyncFs = Callable[[int], None]
"""syncfs(2): flush the whole file system holding an open file descriptor."""

# statfs(2) f_type of the file systems whose syncfs writes back every file's data and
# metadata and flushes the disk cache, as an fsync of each would (linux/magic.h).
# Everything else gets one fsync per path: FUSE never passes syncfs on to its server,
# network file systems (NFS, SMB, where a PVC often lives) promise nothing for it, and
# overlayfs hands it to an upper file system we cannot see (errors reported only since
# Linux 5.15). tmpfs and ramfs keep nothing across a power cut whatever we call.
DURABLE_SYNCFS_TYPES = {
    0xEF53: "ext2/ext3/ext4",
    0x58465342: "xfs",
    0x9123683E: "btrfs",
}


def temporary_tag() -> str:
    """A temporary file's suffix, unique to one write.

    Threads of one process (parallel branches) and pods sharing a volume may write the same
    file at once, each through its own temporary file.
    """
    return f"{os.getpid()}.{secrets.token_hex(4)}"


def fsync_path(path: str | Path) -> None:
    """Sync a file (its data) or a folder (its names) to disk, by path."""
    fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def fsync_dir(path: str | Path) -> None:
    """Persist a folder's names (new files, renames, new folders) across a power cut."""
    fsync_path(path)


def write_atomic(path: Path, data: bytes, *, sync_folder: bool = True) -> None:
    """Write `data` to `path`: a reader sees the old file or the new one, never a mix.

    Temporary file beside the target, fsync, rename over the target, then (unless the
    caller syncs the folder itself) fsync the folder, without which a power cut may bring
    back the old file, or none.
    """
    tmp = path.with_name(f".{path.name}.{temporary_tag()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC, 0o644)
    try:
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, path)
    except OSError:
        tmp.unlink(missing_ok=True)  # a full disk must not also keep the half-written copy
        raise
    if sync_folder:
        fsync_dir(path.parent)


def create_file(path: Path, *, sync_folder: bool = True) -> None:
    """Create `path` empty (or leave it be), its name durable unless the caller syncs later."""
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_CLOEXEC, 0o644))
    if sync_folder:
        fsync_dir(path.parent)


def make_folders(path: str | Path, *, exist_ok: bool = True) -> list[str]:
    """`mkdir -p` whose new folders survive a power cut; returns the folders it made.

    Each new folder's name is synced in its parent, up to the first folder that already
    existed (its own name is as durable as it was). With `exist_ok=False` the last folder
    must be new (FileExistsError otherwise): it claims a name, as mkdir does.
    """
    created: list[str] = []
    make_folder_recording(str(path), created, exist_ok=exist_ok)
    for parent in sorted({_parent(folder) for folder in created}, reverse=True):
        fsync_dir(parent)
    return created


def make_folder_recording(folder: str, created: list[str], *, exist_ok: bool = True) -> None:
    """`mkdir -p` that appends what it made to `created`; syncing is the caller's."""
    try:
        os.mkdir(folder)
        created.append(folder)
    except FileNotFoundError:
        parent = _parent(folder)
        if parent == folder:
            raise
        make_folder_recording(parent, created)
        make_folder_recording(folder, created, exist_ok=exist_ok)
    except FileExistsError:
        if not exist_ok or not os.path.isdir(folder):
            raise


@cache
def find_syncfs(library: str | None = None, release: str | None = None) -> SyncFs | None:
    """Linux's syncfs(2) from the C library (default: this process's), or None.

    None where it is missing or cannot be trusted: before Linux 5.8, syncfs returned 0
    even when writing a file back had failed, so only per-file fsync reported errors.
    """
    version = re.match(r"(\d+)\.(\d+)", release or platform.release())
    if platform.system() != "Linux" or not version:
        return None
    if (int(version[1]), int(version[2])) < (5, 8):
        return None
    try:
        function = ctypes.CDLL(library, use_errno=True).syncfs
    except (OSError, AttributeError):
        return None
    function.argtypes = [ctypes.c_int]
    function.restype = ctypes.c_int

    def syncfs(fd: int) -> None:
        if function(fd) != 0:
            code = ctypes.get_errno()
            raise OSError(code, os.strerror(code))

    return syncfs


def syncfs_is_durable(fd: int) -> bool:
    """Whether one syncfs(2) makes every file of the file system holding `fd` durable."""
    return file_system_type(fd) in DURABLE_SYNCFS_TYPES


def file_system_type(fd: int) -> int | None:
    """fstatfs(2)'s f_type (a magic number) of the file system holding `fd`; None if unknown.

    os.statvfs does not give it. f_type is the first field of struct statfs on Linux: a
    `long` on every architecture but s390x, where it is an unsigned int.
    """
    fstatfs = _fstatfs()
    if fstatfs is None:
        return None
    buffer = ctypes.create_string_buffer(512)  # struct statfs is 120 bytes on 64-bit Linux
    if fstatfs(fd, buffer) != 0:
        return None
    kind = ctypes.c_uint if platform.machine() == "s390x" else ctypes.c_long
    return int(kind.from_buffer(buffer).value) & 0xFFFFFFFF


@cache
def _fstatfs() -> Callable[[int, ctypes.Array[ctypes.c_char]], int] | None:
    if platform.system() != "Linux":
        return None
    try:
        function = ctypes.CDLL(None, use_errno=True).fstatfs
    except (OSError, AttributeError):
        return None
    function.argtypes = [ctypes.c_int, ctypes.c_char_p]
    function.restype = ctypes.c_int
    return function


def _parent(path: str) -> str:
    return os.path.dirname(path) or "."  # "" is no path to open or create
