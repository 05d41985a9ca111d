"""A run log store for concurrent writers on a shared file system: a file per step record."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict

from runplane.adapters._shared import leases, run_index
from runplane.adapters._shared.durable import fsync_dir, make_folders, write_atomic
from runplane.adapters._shared.run_records import read_record, run_header, with_lease
from runplane.domain.errors import (
    RunAlreadyExistsError,
    RunLogError,
    RunLogNotFoundError,
    StepLogNotFoundError,
)
from runplane.domain.run_log import RunLog, RunSummary, StepLog, order_steps

logger = logging.getLogger(__name__)

_HEADER = "run.json"
_STEPS = "steps"


class ChunkedFileSystemRunLogStoreConfig(BaseModel):
    """Settings of the chunked file-system run log store."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    log_folder: str = ".run_log_store"


class ChunkedFileSystemRunLogStore:
    """`<log_folder>/<run_id>/run.json` plus `steps/<step path>.json`, each written atomically.

    Recording a step writes only that step's file (temp + fsync + rename): writers of
    different steps (parallel branches in different processes or pods) never touch the same
    file, the cost of a step does not grow with the length of the run, and a crash at any
    instant leaves every file either old or new.
    """

    Config: ClassVar[type[ChunkedFileSystemRunLogStoreConfig]] = ChunkedFileSystemRunLogStoreConfig

    def __init__(self, config: ChunkedFileSystemRunLogStoreConfig | None = None) -> None:
        self._root = Path((config or ChunkedFileSystemRunLogStoreConfig()).log_folder)

    def create_run(self, run: RunLog) -> None:
        folder = self._root / run.run_id
        try:
            # Exclusive: the run id is claimed here, never merged. Durable up to an
            # existing folder, so a new log_folder survives a power cut too.
            make_folders(folder, exist_ok=False)
        except FileExistsError:
            raise RunAlreadyExistsError(run.run_id, f"'{self._root}'") from None
        except OSError as exc:
            raise RunLogError(f"cannot create run folder '{folder}': {exc.strerror}") from exc
        (folder / _STEPS).mkdir()
        self._write(folder / _HEADER, run.header_dict(), sync_folder=False)
        fsync_dir(folder)  # the header's and steps/'s names, at once

    def update_run(self, run: RunLog) -> None:
        self._write(self._folder(run.run_id) / _HEADER, run.header_dict())

    def put_step(self, run_id: str, step: StepLog) -> None:
        self._write(self._folder(run_id) / _STEPS / f"{step.path}.json", step.to_dict())

    def get_run(self, run_id: str) -> RunLog:
        folder = self._folder(run_id)
        steps = [
            step
            for path in (folder / _STEPS).iterdir()
            if path.suffix == ".json" and not path.name.startswith(".")
            for step in self._step_or_skip(path)
        ]
        run = run_header(read_record(folder / _HEADER), folder / _HEADER, order_steps(steps))
        return with_lease(run, folder)

    def hold(self, run_id: str) -> leases.FileLease:
        return leases.hold(self._folder(run_id), run_id)

    def get_step(self, run_id: str, step_path: str) -> StepLog:
        path = self._folder(run_id) / _STEPS / f"{step_path}.json"
        if not path.exists():
            raise StepLogNotFoundError(run_id, step_path)
        return StepLog.from_dict(read_record(path))

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

    def _write(self, path: Path, data: dict[str, Any], *, sync_folder: bool = True) -> None:
        try:
            write_atomic(
                path,
                json.dumps(data, ensure_ascii=False, allow_nan=False).encode(),
                sync_folder=sync_folder,
            )
        except OSError as exc:
            raise RunLogError(f"cannot write run record '{path}': {exc.strerror}") from exc
        logger.debug("wrote %s", path)

    def _step_or_skip(self, path: Path) -> list[StepLog]:
        """The step record in `path`; none (and a warning naming it) if it is malformed."""
        try:
            return [StepLog.from_dict(read_record(path))]
        except RunLogError as exc:
            logger.warning("skipping step record %s: %s", path, exc)
            return []
