"""The step runner an executor is given: the step path, bound to one graph."""

from __future__ import annotations

from runplane.domain.graph import Graph
from runplane.domain.run_log import StepLog
from runplane.ports.step_path import StepPath


class BoundSteps:
    """The step runner an executor gets (`ports.executor.StepRunner`, which documents it)."""

    def __init__(self, service: StepPath, graph: Graph) -> None:
        self._service = service
        self._graph = graph

    def execute_step(self, run_id: str, step_path: str) -> StepLog:
        """Run one step here (the one step path)."""
        return self._service.execute_step(self._graph, run_id, step_path)

    def record_of(self, run_id: str, step_path: str) -> StepLog:
        """Read back a step another process executed."""
        return self._service.record_of(run_id, step_path)

    def fan_out(self, run_id: str, step_path: str) -> list[str] | None:
        """Open a composite step."""
        return self._service.fan_out(self._graph, run_id, step_path)

    def fan_in(self, run_id: str, step_path: str) -> StepLog:
        """Close a composite step."""
        return self._service.fan_in(self._graph, run_id, step_path)

    def reused(self, run_id: str, step_path: str) -> StepLog | None:
        """The record a retry copied for this step, if any."""
        return self._service.reused(run_id, step_path)

    def loop_next(self, run_id: str, step_path: str) -> str | None:
        """Advance a loop after an iteration."""
        return self._service.loop_next(self._graph, run_id, step_path)

    def abandon(self, run_id: str, step_path: str, reason: str) -> StepLog:
        """Close the record a killed step process left open."""
        return self._service.abandon(self._graph, run_id, step_path, reason)
