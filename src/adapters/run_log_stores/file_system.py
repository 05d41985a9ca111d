"""The default run log store: a folder per run with a header file and an append-only journal."""

from __future__ import annotations

import errno
import fcntl
import json
import logging
import os
import shutil
import threading
from pathlib import Path
from secrets import token_hex
from typing import ClassVar

from pydantic import BaseModel, ConfigDict

from runplane.adapters._shared import leases, run_index
from runplane.adapters._shared.durable import create_file, fsync_dir, make_folders, write_atomic
from runplane.adapters._shared.run_records import read_record, run_header, with_lease
from runplane.domain.errors import (
    RunAlreadyExistsError,
    RunLogError,
    RunLogNotFoundError,
    StepLogNotFoundError,
)
from runplane.domain.run_log import RunLog, RunSummary, Status, StepLog, order_steps

logger = logging.getLogger(__name__)

_HEADER = "run.json"
_JOURNAL = "steps.jsonl"
_SCAN = 64 * 1024  # bytes read at a time when looking for the journal's end
_GROW_MIN = 64 * 1024  # zero-filled space added to a journal: at least this...
_GROW_MAX = 1024 * 1024  # ... and at most this (unless a record is larger)


class FileSystemRunLogStoreConfig(BaseModel):
    """Settings of the file-system run log store."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    log_folder: str = ".run_log_store"


class FileSystemRunLogStore:
    """`<log_folder>/<run_id>/run.json` plus `steps.jsonl`, one step record per line.

    The header is replaced atomically (temp + fsync + rename). A step record is one line
    added to the journal, written under an exclusive lock and synced before `put_step`
    returns, so recording a step costs the same at step 10,000 as at step 10, and writers
    from several processes are serialised rather than lost. The last record of a step
    wins. A line torn by a power cut is ended before the next record and skipped when read.

    The journal grows in zero-filled blocks that records then overwrite: syncing a record
    written into space the file already has only flushes data (fdatasync need not commit
    a new size to the file system's journal), which is about half the cost of syncing an
    append here. Readers stop each line at its zeros; a finished run's file is trimmed.
    """

    Config: ClassVar[type[FileSystemRunLogStoreConfig]] = FileSystemRunLogStoreConfig

    def __init__(self, config: FileSystemRunLogStoreConfig | None = None) -> None:
        self._root = Path((config or FileSystemRunLogStoreConfig()).log_folder)
        self._journals: dict[str, _Journal] = {}  # open journals, by run id
        self._opening = threading.Lock()  # one journal per run, whichever thread comes first

    def create_run(self, run: RunLog) -> None:
        folder = self._root / run.run_id
        # Built under a hidden name, then renamed into place: a run folder always has its
        # header and journal, and the rename claims the id (it fails if the id is taken).
        staging = self._root / f".{run.run_id}.{os.getpid()}.{token_hex(4)}.creating"
        try:
            make_folders(self._root)  # a new log_folder survives a power cut, up to /
            staging.mkdir()
            create_file(staging / _JOURNAL, sync_folder=False)
            self._write_header(staging, run, sync_folder=False)
            fsync_dir(staging)  # the journal's and the header's names, at once
            if folder.exists():
                raise FileExistsError(folder)
            os.rename(staging, folder)
            fsync_dir(self._root)
        except FileExistsError:
            shutil.rmtree(staging, ignore_errors=True)
            raise RunAlreadyExistsError(run.run_id, f"'{self._root}'") from None
        except OSError as exc:
            shutil.rmtree(staging, ignore_errors=True)
            if exc.errno in (errno.ENOTEMPTY, errno.EEXIST):
                raise RunAlreadyExistsError(run.run_id, f"'{self._root}'") from None
            raise RunLogError(f"cannot create run folder '{folder}': {exc.strerror}") from exc

    def update_run(self, run: RunLog) -> None:
        self._write_header(self._folder(run.run_id), run)
        if run.status is not Status.PROCESSING:
            self._close(run.run_id)

    def put_step(self, run_id: str, step: StepLog) -> None:
        line = (json.dumps(step.to_dict(), ensure_ascii=False, allow_nan=False) + "\n").encode()
        journal = self._journal(run_id)
        try:
            journal.add(line)
        except OSError as exc:
            where = self._root / run_id / _JOURNAL
            raise RunLogError(
                f"cannot record step '{step.path}' of run '{run_id}' in '{where}': {exc.strerror}"
            ) from exc

    def get_run(self, run_id: str) -> RunLog:
        folder = self._folder(run_id)
        steps = order_steps(list(self._read_steps(folder).values()))
        header = folder / _HEADER
        return with_lease(run_header(read_record(header), header, steps), folder)

    def hold(self, run_id: str) -> leases.FileLease:
        return leases.hold(self._folder(run_id), run_id)

    def get_step(self, run_id: str, step_path: str) -> StepLog:
        step = self._read_steps(self._folder(run_id)).get(step_path)
        if step is None:
            raise StepLogNotFoundError(run_id, step_path)
        return step

    def list_runs(self) -> list[RunSummary]:
        # Through the summary index: one file read, plus the headers changed since.
        return run_index.list_summaries(self._root, _HEADER)

    def location(self, run_id: str) -> str:
        return str(self._root / run_id)

    def _folder(self, run_id: str) -> Path:
        folder = self._root / run_id
        if not (folder / _HEADER).is_file():
            raise RunLogNotFoundError(run_id, f"'{self._root}'")
        return folder

    def _journal(self, run_id: str) -> _Journal:
        journal = self._journals.get(run_id)
        if journal is None:
            with self._opening:
                journal = self._journals.get(run_id)
                if journal is None:
                    journal = self._journals[run_id] = self._open_journal(run_id)
        return journal

    def _open_journal(self, run_id: str) -> _Journal:
        path = self._folder(run_id) / _JOURNAL
        try:
            return _Journal(os.open(path, os.O_RDWR | os.O_CREAT, 0o644))
        except OSError as exc:
            raise RunLogError(f"cannot open '{path}': {exc.strerror}") from exc

    def _close(self, run_id: str) -> None:
        journal = self._journals.pop(run_id, None)
        if journal is not None:
            journal.close()

    def _write_header(self, folder: Path, run: RunLog, *, sync_folder: bool = True) -> None:
        path = folder / _HEADER
        data = json.dumps(run.header_dict(), ensure_ascii=False, allow_nan=False).encode()
        try:
            write_atomic(path, data, sync_folder=sync_folder)
        except OSError as exc:
            raise RunLogError(f"cannot write run record '{path}': {exc.strerror}") from exc

    def _read_steps(self, folder: Path) -> dict[str, StepLog]:
        steps: dict[str, StepLog] = {}
        try:
            lines = (folder / _JOURNAL).read_bytes().split(b"\n")
        except OSError as exc:
            raise RunLogError(f"cannot read '{folder / _JOURNAL}': {exc.strerror}") from exc
        for number, raw in enumerate(lines, start=1):
            line = raw.strip(b"\0")  # the journal's unused space, or a record torn there
            if not line.strip():
                continue
            try:
                step = StepLog.from_dict(json.loads(line))
            except ValueError:
                logger.warning("skipping torn record at line %d of %s", number, folder / _JOURNAL)
                continue
            except RunLogError as exc:  # valid JSON of the wrong shape: the rest still reads
                where = folder / _JOURNAL
                logger.warning("skipping record at line %d of %s: %s", number, where, exc)
                continue
            steps[step.path] = step
        return steps


class _Journal:
    """An open journal: records overwrite zero-filled space, which is added in blocks.

    flock keeps other processes out, but not this process's threads (parallel branches
    share the descriptor, which holds the lock for all of them): a thread lock does that.
    """

    def __init__(self, fd: int) -> None:
        self._fd = fd
        self._end = 0  # no record of this run ends after here... as far as this process knows
        self._threads = threading.Lock()

    def add(self, line: bytes) -> None:
        """Write one record after the last one (ending a torn one first) and sync it."""
        with self._threads:
            self._add(line)

    def _add(self, line: bytes) -> None:
        fcntl.flock(self._fd, fcntl.LOCK_EX)
        try:
            end = self._find_end()
            if end and os.pread(self._fd, 1, end - 1) != b"\n":
                line = b"\n" + line  # a writer died mid-record: end that line first
            size = os.fstat(self._fd).st_size
            try:
                if end + len(line) > size:
                    self._grow(size, end + len(line))
                _write_all(self._fd, line, end)
                os.fdatasync(self._fd)
            except OSError:
                # A whole record or nothing (a full disk): else the next record would be
                # glued to this torn one and both lost. Zeroed space is added again later.
                os.ftruncate(self._fd, end)
                raise
            self._end = end + len(line)
        finally:
            fcntl.flock(self._fd, fcntl.LOCK_UN)

    def close(self) -> None:
        """Trim the unused space (the run is over), then close.

        Not synced: after a power cut the journal may come back untrimmed, and readers
        skip the zero-filled space anyway.
        """
        with self._threads:
            try:
                fcntl.flock(self._fd, fcntl.LOCK_EX)
                os.ftruncate(self._fd, self._find_end())
            finally:
                os.close(self._fd)  # closing releases the lock

    def _find_end(self) -> int:
        """Where the next record goes: the first zero byte (records hold none), or the end."""
        offset = self._end  # other processes only ever write after what this one wrote
        while chunk := os.pread(self._fd, _SCAN, offset):
            zero = chunk.find(b"\0")
            if zero >= 0:
                return offset + zero
            offset += len(chunk)
        return offset

    def _grow(self, size: int, needed: int) -> None:
        """Add zero-filled space (doubling, up to 1 MiB at a time) and sync it once."""
        added = max(needed - size, min(max(size, _GROW_MIN), _GROW_MAX))
        _write_all(self._fd, bytes(added), size)
        os.fdatasync(self._fd)


def _write_all(fd: int, data: bytes, offset: int) -> None:
    view = memoryview(data)
    while view:
        written = os.pwrite(fd, view, offset)
        view, offset = view[written:], offset + written
