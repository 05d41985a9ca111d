"""An in-memory run log store: for tests, notebooks and throw-away runs."""

from __future__ import annotations

import json
import threading
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict

from runplane.domain.errors import (
    RunAlreadyExistsError,
    RunInUseError,
    RunLogNotFoundError,
    StepLogNotFoundError,
)
from runplane.domain.run_log import RunLog, RunSummary, Status, StepLog, order_steps


class BufferedRunLogStoreConfig(BaseModel):
    """The buffered store takes no settings."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class BufferedRunLogStore:
    """Keeps runs in this process's memory; gone when the process ends."""

    Config: ClassVar[type[BufferedRunLogStoreConfig]] = BufferedRunLogStoreConfig

    def __init__(self, config: BufferedRunLogStoreConfig | None = None) -> None:
        # Kept as JSON text: a true snapshot, and the same serialisability rules as on disk.
        self._headers: dict[str, str] = {}
        self._steps: dict[str, dict[str, str]] = {}
        self._held: set[str] = set()  # runs whose lease is held now
        self._leased: set[str] = set()  # runs whose lease was ever held
        self._leases = threading.Lock()

    def create_run(self, run: RunLog) -> None:
        if run.run_id in self._headers:
            raise RunAlreadyExistsError(run.run_id, self.location(run.run_id))
        self._headers[run.run_id] = json.dumps(run.header_dict(), allow_nan=False)
        self._steps[run.run_id] = {}

    def update_run(self, run: RunLog) -> None:
        self._require(run.run_id)
        self._headers[run.run_id] = json.dumps(run.header_dict(), allow_nan=False)

    def put_step(self, run_id: str, step: StepLog) -> None:
        self._require(run_id)
        self._steps[run_id][step.path] = json.dumps(step.to_dict(), allow_nan=False)

    def get_run(self, run_id: str) -> RunLog:
        self._require(run_id)
        steps = [StepLog.from_dict(_load(s)) for s in self._steps[run_id].values()]
        return self._with_lease(RunLog.from_dict(_load(self._headers[run_id]), order_steps(steps)))

    def hold(self, run_id: str) -> _MemoryLease:
        self._require(run_id)
        with self._leases:
            if run_id in self._held:
                raise RunInUseError(
                    f"run '{run_id}' is in use: this process runs or retries it already"
                )
            self._held.add(run_id)
            self._leased.add(run_id)
        return _MemoryLease(self, run_id)

    def _release(self, run_id: str) -> None:
        with self._leases:
            self._held.discard(run_id)

    def _with_lease(self, run: RunLog) -> RunLog:
        if run.status is Status.PROCESSING and run.run_id in self._leased:
            run.live = run.run_id in self._held
        return run

    def get_step(self, run_id: str, step_path: str) -> StepLog:
        self._require(run_id)
        try:
            return StepLog.from_dict(_load(self._steps[run_id][step_path]))
        except KeyError:
            raise StepLogNotFoundError(run_id, step_path) from None

    def list_runs(self) -> list[RunSummary]:
        runs = [
            self._with_lease(RunLog.from_dict(_load(h), [])).summary()
            for h in self._headers.values()
        ]
        return sorted(runs, key=lambda r: r.start_time, reverse=True)

    def location(self, run_id: str) -> str:
        return f"memory (buffered store, run {run_id})"

    def _require(self, run_id: str) -> None:
        if run_id not in self._headers:
            raise RunLogNotFoundError(run_id, "'buffered' (memory)")


class _MemoryLease:
    def __init__(self, store: BufferedRunLogStore, run_id: str) -> None:
        self._store, self._run_id = store, run_id

    def release(self) -> None:
        self._store._release(self._run_id)


def _load(text: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(text)
    return data
