"""Hashing copies that are crash-safe, shared by the file-system adapters."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager, suppress
from pathlib import Path

from runplane.adapters._shared.durable import (
    SyncFs,
    fsync_path,
    make_folder_recording,
    syncfs_is_durable,
    temporary_tag,
)

_BUFFER = 1024 * 1024
_SYNC_THREADS = 32
# From this many paths on, one syncfs(2) replaces their fsyncs (10,000 files of 4 KB:
# 0.1 s instead of 1 s). Below it, fsync: it writes back only our files, while syncfs
# writes back whatever else is dirty on that file system too.
_SYNCFS_FROM = 16


class CopyError(Exception):
    """Copying one file failed; names both ends and keeps the OSError."""

    def __init__(self, source: str, target: str, error: OSError) -> None:
        super().__init__(f"cannot copy '{source}' to '{target}': {error.strerror}")
        self.source, self.target, self.error = source, target, error


def copy_files(
    source_dir: Path,
    target_dir: Path,
    names: Sequence[str],
    *,
    durable: bool,
    syncfs: SyncFs | None,
    before_publish: Callable[[Sequence[tuple[str, str]]], None] | None = None,
) -> list[tuple[str, int]]:
    """Copy each relative name from `source_dir` to `target_dir`; (sha256, size) per name.

    Each file is hashed while copied into a temporary file beside its target, and renamed
    into place only when all are written (and, if `durable`, on disk with their folders),
    so no reader ever sees part of a file under its final name. On failure no temporary
    file is left. `before_publish` gets (temporary path, sha256) of every file once all are
    written (and synced, if `durable`), before any rename: what it keeps of them (a hard
    link, say) is exactly what was hashed, whatever another writer renames there later.
    Raises CopyError naming the file, or OSError (syncing, say) otherwise.
    """
    tag = temporary_tag()
    staged = [_Staged(str(source_dir), str(target_dir), name, tag) for name in names]
    folders = {os.path.dirname(file.target) for file in staged}
    created = _make_folders(folders, staged)
    many = durable and syncfs is not None and len(staged) >= _SYNCFS_FROM
    with _open_file_systems(folders if many else ()) as file_systems:
        try:
            buffer = bytearray(_BUFFER)  # one for all files: allocating it is not free
            results = [file.copy(buffer) for file in staged]
            if durable:  # every file is on disk before any is renamed into place
                _sync([file.temporary for file in staged], file_systems, syncfs)
            if before_publish is not None:
                before_publish(
                    [(f.temporary, sha) for f, (sha, _) in zip(staged, results, strict=True)]
                )
            for file in staged:
                file.publish()
            if durable:  # then the renames and any new folders
                new_entries = folders | {_parent(folder) for folder in created}
                _sync(sorted(new_entries), file_systems, syncfs)
        except BaseException:
            for file in staged:
                file.discard()
            raise
    return results


class _Staged:
    """One file on its way: source, the temporary copy, the target it is renamed to."""

    __slots__ = ("source", "target", "temporary")

    def __init__(self, source_dir: str, target_dir: str, name: str, tag: str) -> None:
        self.source = os.path.join(source_dir, name)
        self.target = os.path.join(target_dir, name)
        folder, base = os.path.split(self.target)
        # A dot and `.tmp`: globbing skips it as another writer's half-copied file.
        self.temporary = os.path.join(folder, f".{base}.{tag}.tmp")

    def copy(self, buffer: bytearray) -> tuple[str, int]:
        """Copy source to the temporary file through `buffer`, hashing; (sha256, size)."""
        try:
            src = os.open(self.source, os.O_RDONLY | os.O_CLOEXEC)
            try:
                flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC
                dst = os.open(self.temporary, flags, 0o644)
                try:
                    return _copy_hashing(src, dst, buffer)
                finally:
                    os.close(dst)
            finally:
                os.close(src)
        except OSError as exc:
            raise CopyError(self.source, self.target, exc) from exc

    def publish(self) -> None:
        try:
            os.replace(self.temporary, self.target)
        except OSError as exc:
            raise CopyError(self.source, self.target, exc) from exc

    def discard(self) -> None:
        """Remove the temporary file, if any (once published, it is gone)."""
        with suppress(FileNotFoundError):
            os.unlink(self.temporary)


def _copy_hashing(src: int, dst: int, buffer: bytearray) -> tuple[str, int]:
    """Copy between open files, reading into `buffer` (no bytes object per chunk)."""
    view = memoryview(buffer)
    digest = hashlib.sha256()
    size = 0
    while count := os.readv(src, [buffer]):
        chunk = view[:count]
        digest.update(chunk)  # releases the GIL for chunks of 2 KiB or more
        while chunk:
            chunk = chunk[os.write(dst, chunk) :]
        size += count
    return digest.hexdigest(), size


def _make_folders(folders: Iterable[str], staged: Sequence[_Staged]) -> list[str]:
    """Create the missing folders once each (not once per file); return those created."""
    created: list[str] = []
    for folder in sorted(folders):
        try:
            make_folder_recording(folder, created)
        except OSError as exc:
            first = next(file for file in staged if os.path.dirname(file.target) == folder)
            raise CopyError(first.source, first.target, exc) from exc
    return created


@contextmanager
def _open_file_systems(folders: Iterable[str]) -> Iterator[list[int]]:
    """One open descriptor per file system holding `folders`, for syncfs (or none).

    None at all when one of them is not a file system whose syncfs makes data durable
    (FUSE, NFS...): every path is then fsynced instead.

    Opened before any file is written: since Linux 5.8, syncfs reports every write-back
    error on its file system since the descriptor was opened (the super block keeps an
    error sequence that each open file samples), so a failed write-back of one of our
    files cannot go unreported. An error of another file there fails the copy too: safe.
    """
    fds: list[int] = []
    devices: set[int] = set()
    try:
        for folder in folders:
            device = os.stat(folder).st_dev
            if device not in devices:
                devices.add(device)
                fds.append(os.open(folder, os.O_RDONLY | os.O_CLOEXEC))
        yield fds if all(syncfs_is_durable(fd) for fd in fds) else []
    finally:
        for fd in fds:
            os.close(fd)


def _sync(paths: Sequence[str], file_systems: Sequence[int], syncfs: SyncFs | None) -> None:
    """Make `paths` (files or folders) durable: fsync each, or syncfs when there are many.

    Why one syncfs(2) is as durable as an fsync of every path: it writes back all dirty
    data and metadata of the file system, waits for it, and has the file system commit
    its journal and flush the disk's write cache. ext4 without a journal writes some
    metadata back after that flush, so an fsync of the folder follows: one more flush.
    Errors are reported as fsync would report them (see `_open_file_systems`).
    """
    if syncfs is not None and file_systems and len(paths) >= _SYNCFS_FROM:
        for fd in file_systems:
            syncfs(fd)
            os.fsync(fd)
    elif len(paths) == 1:
        fsync_path(paths[0])
    elif paths:
        # In parallel, so the file system can commit many files in one go.
        with ThreadPoolExecutor(max_workers=min(_SYNC_THREADS, len(paths))) as pool:
            list(pool.map(fsync_path, paths))


def _parent(path: str) -> str:
    return os.path.dirname(path) or "."  # "" is no path to open or create
