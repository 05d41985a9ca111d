"""Crash-safe file writes and hashing copies, shared by the file-system adapters."""

from __future__ import annotations

import hashlib
import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

_BUFFER = 1024 * 1024
_SYNC_THREADS = 32


def write_atomic(path: Path, data: bytes) -> None:
    """Write `data` to `path` so that a reader sees the old file or the new one, never a mix.

    temp file in the same directory, fsync, then rename over the target.
    """
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
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


def fsync_dir(path: Path) -> None:
    """Persist a directory's entries (new files, renames) across a power loss."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def stage_with_sha256(source: Path, target: Path) -> tuple[str, int, Path]:
    """Copy `source` to a temporary file beside `target`, hashing while copying.

    Returns (sha256, size, temporary file); `publish` moves it into place. One buffer is
    read into and reused (no copy of the data in Python), and hashing releases the GIL.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    staged = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    digest = hashlib.sha256()
    size = 0
    buffer = bytearray(_BUFFER)
    view = memoryview(buffer)
    try:
        with source.open("rb", buffering=0) as src, staged.open("wb", buffering=0) as dst:
            while count := src.readinto(buffer):
                chunk = view[:count]
                digest.update(chunk)
                while chunk:
                    chunk = chunk[dst.write(chunk) :]
                size += count
    except BaseException:
        staged.unlink(missing_ok=True)
        raise
    return digest.hexdigest(), size, staged


def publish(staged: list[tuple[Path, Path]], *, durable: bool) -> None:
    """Rename each staged file onto its target; if `durable`, sync all of them first.

    The syncs run in parallel, so the file system commits many files' metadata in one
    journal transaction instead of one each (10,000 small files: seconds, not a minute).
    Every file is on disk before any of them is renamed into place.
    """
    try:
        if durable and len(staged) == 1:
            _fsync_path(staged[0][0])
        elif durable and staged:
            with ThreadPoolExecutor(max_workers=min(_SYNC_THREADS, len(staged))) as pool:
                list(pool.map(_fsync_path, [path for path, _ in staged]))
        for path, target in staged:
            os.replace(path, target)
    except BaseException:
        discard(staged)
        raise


def discard(staged: list[tuple[Path, Path]]) -> None:
    """Remove staged files that will not be published (those already renamed are gone)."""
    for path, _ in staged:
        path.unlink(missing_ok=True)


def _fsync_path(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
