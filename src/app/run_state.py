"""A run as the process driving it knows it: its records and parameters per branch."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

from runplane.domain.graph import Node
from runplane.domain.run_log import RunLog, Status, StepLog
from runplane.domain.scope import ScopedParameters


@dataclass
class RunState:
    """One run's records and scoped parameters; branches running in threads share it."""

    run: RunLog
    scopes: ScopedParameters
    lock: threading.Lock = field(default_factory=threading.Lock)

    def recorded(self, step: StepLog) -> None:
        """Take a step's record in; what a successful step returned joins its scope."""
        with self.lock:
            self.run.steps[step.path] = step
            if step.status is Status.SUCCESS:
                self.scopes.record(step.path, step.returns)

    def parameters_for(self, step_path: str) -> dict[str, Any]:
        """The parameters a step sees (`RUNPLANE_PRM_*` values are among the initial ones)."""
        with self.lock:
            return self.scopes.for_step(step_path)

    def status_of(self, step_path: str) -> Status | None:
        """The recorded status of a step, None if it has no record (yet)."""
        step = self.run.steps.get(step_path)
        return step.status if step is not None else None

    def new_record(self, step_path: str, node: Node) -> StepLog:
        """A fresh record for a step, keeping attempts of an earlier execution of it."""
        step = StepLog(path=step_path, kind=node.kind.value)
        previous = self.run.steps.get(step_path)
        if previous is not None:
            step.attempts = list(previous.attempts)
        return step
