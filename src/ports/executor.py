"""The executor port: where and how each step of a pipeline runs."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from runplane.domain.graph import Graph
from runplane.domain.run_log import Status, StepLog


@dataclass(frozen=True)
class RunPlan:
    """What an executor needs to know about the run it executes."""

    run_id: str
    graph: Graph
    pipeline_file: str | None = None
    configuration_file: str | None = None


@runtime_checkable
class StepRunner(Protocol):
    """The one step path, offered by the application to executors."""

    def execute_step(self, run_id: str, step_path: str) -> StepLog:
        """Run one step in this process and record it; return its record."""
        ...

    def record_of(self, run_id: str, step_path: str) -> StepLog:
        """The record of a step that another process executed (read from the store)."""
        ...

    def fan_out(self, run_id: str, step_path: str) -> list[str] | None:
        """Open a composite step: record it, return its branch keys (None if it failed)."""
        ...

    def fan_in(self, run_id: str, step_path: str) -> StepLog:
        """Close a composite step from its branches' records; return its record."""
        ...


@runtime_checkable
class Executor(Protocol):
    """Walks a pipeline's graph, running each step somewhere."""

    def execute(self, plan: RunPlan, steps: StepRunner) -> Status:
        """Run the plan's graph to a terminal node; return the run's final status.

        Raises ExecutionError when the executor cannot run the plan at all.
        """
        ...


@runtime_checkable
class GraphRewriter(Protocol):
    """An executor that runs a changed graph (the mocked executor puts in stand-ins)."""

    def rewrite(self, graph: Graph) -> Graph:
        """The graph to run and record instead of `graph`.

        Raises ConfigurationError when the executor's settings do not fit the graph.
        """
        ...
