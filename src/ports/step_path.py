"""Driving port: the one step path, what executors, step processes and pods call."""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from runplane.domain.graph import Graph
from runplane.domain.run_log import StepLog
from runplane.ports.executor import StepRunner


@runtime_checkable
class StepPath(Protocol):
    """Steps of an existing run, executed and recorded one at a time (see StepRunner)."""

    def execute_step(
        self, graph: Graph, run_id: str, step_path: str, *, attempts: int | None = None
    ) -> StepLog:
        """Run one step of an existing run (the one step path) and return its record.

        `attempts` caps the attempts of this call (default: the task's max_attempts).
        """
        ...

    def fan_out(self, graph: Graph, run_id: str, step_path: str) -> list[str] | None:
        """Open a composite step: record it, return its branch keys (None if it failed)."""
        ...

    def fan_in(self, graph: Graph, run_id: str, step_path: str) -> StepLog:
        """Close a composite step from its branches' records; return its record."""
        ...

    def loop_next(self, graph: Graph, run_id: str, step_path: str) -> str | None:
        """After a loop iteration: record it, open the next; its key, or None when done."""
        ...

    def reused(self, run_id: str, step_path: str) -> StepLog | None:
        """The record a retry copied for this step, if any: such a step does not run again."""
        ...

    def record_of(self, run_id: str, step_path: str) -> StepLog:
        """Read back a step another process executed, and take it into the live run."""
        ...

    def abandon(self, graph: Graph, run_id: str, step_path: str, reason: str) -> StepLog:
        """Close the record a step's process left open (see `StepRunner.abandon`)."""
        ...

    def check_secrets(self, graph: Graph) -> None:
        """Fail before any step runs when a secret a step declares does not exist.

        The values are registered for masking in every step's output from then on.
        """
        ...

    def bound_to(self, graph: Graph) -> StepRunner:
        """This step path with `graph` fixed: the StepRunner an executor is handed."""
        ...
