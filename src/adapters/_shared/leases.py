"""Run ownership on a file system: an flock on `<run folder>/lease.lock`, held while driven.

The kernel releases the lock when its process ends, however it ends (`kill -9`, a crash),
so a lock that can be taken means nobody drives the run any more. flock locks belong to
an open file description: two opens of the lock file exclude each other even in one
process (two retries in threads), and a child process started without the descriptor
(`execute-step`) neither holds nor needs it.
"""

from __future__ import annotations

import errno
import fcntl
import os
import socket
from pathlib import Path

from runplane.domain.errors import RunInUseError, RunLogError

LEASE_FILE = "lease.lock"


class FileLease:
    """A held lease: the open, locked lock file. `release` (or process end) lets go."""

    def __init__(self, fd: int) -> None:
        self._fd: int | None = fd

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)  # closing releases the lock
            self._fd = None


def hold(folder: Path, run_id: str) -> FileLease:
    """Take the run's lease, or raise RunInUseError naming who holds it."""
    path = folder / LEASE_FILE
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    except OSError as exc:
        raise RunLogError(
            f"cannot open the lease of run '{run_id}' ('{path}'): {exc.strerror}"
        ) from exc
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError as exc:
        os.close(fd)
        if exc.errno not in (errno.EWOULDBLOCK, errno.EAGAIN):
            raise RunLogError(f"cannot lock '{path}': {exc.strerror}") from exc
        raise RunInUseError(
            f"run '{run_id}' is in use: {_holder(path)} holds its lease ('{path}'), running "
            "or retrying it; wait for that to end (or stop it) and try again"
        ) from None
    # Who holds it, for the message another process shows; not needed for the lock itself.
    owner = f"process {os.getpid()} on {socket.gethostname()}".encode()
    os.ftruncate(fd, 0)
    os.pwrite(fd, owner, 0)
    return FileLease(fd)


def is_held(folder: Path) -> bool | None:
    """Whether a process holds the run's lease; None when the run never had one."""
    try:
        fd = os.open(folder / LEASE_FILE, os.O_RDONLY | os.O_CLOEXEC)
    except FileNotFoundError:
        return None  # created by a process that takes no lease (an orchestrator's)
    except OSError:
        return None
    try:
        fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
    except OSError:
        return True
    finally:
        os.close(fd)  # also lets go of the shared lock, if taken
    return False


def _holder(path: Path) -> str:
    try:
        return path.read_text().strip() or "another process"
    except OSError:
        return "another process"
