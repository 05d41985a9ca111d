"""The default run log store: a folder per run with a header file and an append-only journal."""

from __future__ import annotations

import errno
import fcntl
import json
import logging
import os
import shutil
from pathlib import Path
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict

from runplane.adapters._shared.files import fsync_dir, write_atomic
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


class FileSystemRunLogStoreConfig(BaseModel):
    """Settings of the file-system run log store."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    log_folder: str = ".run_log_store"


class FileSystemRunLogStore:
    """`<log_folder>/<run_id>/run.json` plus `steps.jsonl`, one step record per line.

    The header is replaced atomically (temp + fsync + rename). A step record is one
    appended line, written under an exclusive lock and synced before `put_step` returns,
    so recording a step costs the same at step 10,000 as at step 10, and writers from
    several processes are serialised rather than lost. The last record of a step wins. A
    line torn by a power cut is ended before the next append and skipped when read.
    """

    Config: ClassVar[type[FileSystemRunLogStoreConfig]] = FileSystemRunLogStoreConfig

    def __init__(self, config: FileSystemRunLogStoreConfig | None = None) -> None:
        self._root = Path((config or FileSystemRunLogStoreConfig()).log_folder)
        self._journals: dict[str, int] = {}  # open append descriptors, by run id

    def create_run(self, run: RunLog) -> None:
        folder = self._root / run.run_id
        # Built under a hidden name, then renamed into place: a run folder always has its
        # header and journal, and the rename claims the id (it fails if the id is taken).
        staging = self._root / f".{run.run_id}.{os.getpid()}.creating"
        try:
            self._root.mkdir(parents=True, exist_ok=True)
            staging.mkdir()
            (staging / _JOURNAL).touch()
            self._write_header(staging, run)
            fsync_dir(staging)
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
        line = (json.dumps(step.to_dict(), ensure_ascii=False) + "\n").encode()
        fd = self._journal(run_id)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            try:
                _write_all(fd, line)
                os.fdatasync(fd)
            finally:
                fcntl.flock(fd, fcntl.LOCK_UN)
        except OSError as exc:
            raise RunLogError(
                f"cannot record step '{step.path}' of run '{run_id}': {exc.strerror}"
            ) from exc

    def get_run(self, run_id: str) -> RunLog:
        folder = self._folder(run_id)
        steps = order_steps(list(self._read_steps(folder).values()))
        return RunLog.from_dict(self._read_json(folder / _HEADER), steps)

    def get_step(self, run_id: str, step_path: str) -> StepLog:
        step = self._read_steps(self._folder(run_id)).get(step_path)
        if step is None:
            raise StepLogNotFoundError(run_id, step_path)
        return step

    def list_runs(self) -> list[RunSummary]:
        if not self._root.is_dir():
            return []
        runs = []
        for folder in self._root.iterdir():
            if folder.name.startswith("."):
                continue  # a run being created, or one abandoned while being created
            header = folder / _HEADER
            if header.is_file():
                runs.append(RunLog.from_dict(self._read_json(header), []).summary())
        return sorted(runs, key=lambda r: r.start_time, reverse=True)

    def location(self, run_id: str) -> str:
        return str(self._root / run_id)

    def _folder(self, run_id: str) -> Path:
        folder = self._root / run_id
        if not (folder / _HEADER).is_file():
            raise RunLogNotFoundError(run_id, f"'{self._root}'")
        return folder

    def _journal(self, run_id: str) -> int:
        fd = self._journals.get(run_id)
        if fd is None:
            path = self._folder(run_id) / _JOURNAL
            fd = os.open(path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o644)
            fcntl.flock(fd, fcntl.LOCK_EX)
            try:
                _end_torn_line(fd)
            finally:
                fcntl.flock(fd, fcntl.LOCK_UN)
            self._journals[run_id] = fd
        return fd

    def _close(self, run_id: str) -> None:
        fd = self._journals.pop(run_id, None)
        if fd is not None:
            os.close(fd)

    def _write_header(self, folder: Path, run: RunLog) -> None:
        path = folder / _HEADER
        try:
            write_atomic(path, json.dumps(run.header_dict(), ensure_ascii=False).encode())
        except OSError as exc:
            raise RunLogError(f"cannot write run record '{path}': {exc.strerror}") from exc

    def _read_steps(self, folder: Path) -> dict[str, StepLog]:
        steps: dict[str, StepLog] = {}
        try:
            lines = (folder / _JOURNAL).read_bytes().split(b"\n")
        except OSError as exc:
            raise RunLogError(f"cannot read '{folder / _JOURNAL}': {exc.strerror}") from exc
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except ValueError:
                logger.warning("skipping torn record at line %d of %s", number, folder / _JOURNAL)
                continue
            step = StepLog.from_dict(record)
            steps[step.path] = step
        return steps

    @staticmethod
    def _read_json(path: Path) -> dict[str, Any]:
        try:
            data: dict[str, Any] = json.loads(path.read_bytes())
        except OSError as exc:
            raise RunLogError(f"cannot read run record '{path}': {exc.strerror}") from exc
        except ValueError as exc:
            raise RunLogError(f"run record '{path}' is not valid JSON: {exc}") from exc
        return data


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]


def _end_torn_line(fd: int) -> None:
    """If a writer died mid-line, end that line so the next record starts cleanly."""
    size = os.fstat(fd).st_size
    if size and os.pread(fd, 1, size - 1) != b"\n":
        _write_all(fd, b"\n")
