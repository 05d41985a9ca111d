"""An in-memory run log store: for tests, notebooks and throw-away runs."""

from __future__ import annotations

import json
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict

from runplane.domain.errors import RunAlreadyExistsError, RunLogNotFoundError, StepLogNotFoundError
from runplane.domain.run_log import RunLog, RunSummary, StepLog, order_steps


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
        return RunLog.from_dict(_load(self._headers[run_id]), order_steps(steps))

    def get_step(self, run_id: str, step_path: str) -> StepLog:
        self._require(run_id)
        try:
            return StepLog.from_dict(_load(self._steps[run_id][step_path]))
        except KeyError:
            raise StepLogNotFoundError(run_id, step_path) from None

    def list_runs(self) -> list[RunSummary]:
        runs = [RunLog.from_dict(_load(h), []).summary() for h in self._headers.values()]
        return sorted(runs, key=lambda r: r.start_time, reverse=True)

    def location(self, run_id: str) -> str:
        return f"memory (buffered store, run {run_id})"

    def _require(self, run_id: str) -> None:
        if run_id not in self._headers:
            raise RunLogNotFoundError(run_id, "'buffered' (memory)")


def _load(text: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(text)
    return data
