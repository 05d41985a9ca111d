"""The step path use case: the one code that runs a task, and composite steps' records."""

from __future__ import annotations

import logging
from collections.abc import Mapping

from runplane.app.abandoned import close_abandoned
from runplane.app.attempts import TaskAttempts
from runplane.app.bound_steps import BoundSteps
from runplane.app.clock import Clock
from runplane.app.composite_steps import CompositeSteps
from runplane.app.listeners import Listeners
from runplane.app.run_state import RunState
from runplane.app.use_cases.live_runs import LiveRuns
from runplane.domain.errors import ExecutionError
from runplane.domain.events import EventKind
from runplane.domain.graph import Graph, NodeKind
from runplane.domain.run_log import Attempt, Status, StepLog
from runplane.ports.catalog import Catalog
from runplane.ports.executor import StepRunner
from runplane.ports.run_log_store import RunLogStore
from runplane.ports.secrets import Secrets
from runplane.ports.task import TaskRunner

logger = logging.getLogger(__name__)


class StepPathService:
    """Implements `ports.step_path.StepPath` over the store, catalog, secrets and runners."""

    def __init__(
        self,
        *,
        run_log_store: RunLogStore,
        catalog: Catalog,
        secrets: Secrets,
        task_runners: Mapping[str, TaskRunner],
        clock: Clock,
        live: LiveRuns,
        listeners: Listeners,
    ) -> None:
        self._store = run_log_store
        self._clock = clock
        self._live = live
        self._listeners = listeners
        self._attempts = TaskAttempts(
            store=run_log_store,
            catalog=catalog,
            secrets=secrets,
            runners=task_runners,
            clock=clock,
        )
        self._composites = CompositeSteps(run_log_store, clock, listeners)

    def execute_step(
        self, graph: Graph, run_id: str, step_path: str, *, attempts: int | None = None
    ) -> StepLog:
        """The one step path: resolve parameters, get files, expose secrets, run, record.

        `attempts` caps the attempts this call makes (default: the task's max_attempts); an
        orchestrator that retries failed containers itself (Argo's retryStrategy) passes 1.
        """
        state = self._live.state(run_id, graph, executing=step_path)
        node = graph.find(step_path)
        if node.is_composite or node.is_terminal:
            raise ExecutionError(
                f"step {step_path!r} is a {node.kind.value} step; execute-step runs tasks "
                "and stubs (composite steps open and close with fan-out and fan-in)"
            )
        reused = self._reused(step_path, state)
        if reused is not None:
            state.recorded(reused)
            return reused
        step = state.new_record(step_path, node)
        logger.info("step %s started", step_path, extra={"run_id": run_id, "step": step_path})
        self._listeners.emit(EventKind.STEP_STARTED, run_id, step_path)
        if node.kind is NodeKind.STUB:
            now = self._clock()
            step.attempts.append(Attempt(len(step.attempts) + 1, Status.SUCCESS, now, now))
            step.status = Status.SUCCESS
        else:
            parameters = state.parameters_for(step_path)
            self._attempts.run(run_id, node, step, parameters, attempts, graph=graph)
        self._store.put_step(run_id, step)
        state.recorded(step)
        logger.info("step %s ended: %s", step_path, step.status.value, extra={"run_id": run_id})
        self._listeners.emit_step(EventKind.STEP_ENDED, run_id, step)
        return step

    def fan_out(self, graph: Graph, run_id: str, step_path: str) -> list[str] | None:
        """Open a composite step: decide and record its branches; None if that failed."""
        state = self._live.state(run_id, graph)
        reused = self._reused(step_path, state)
        if reused is not None:
            return list(reused.branches)
        return self._composites.open(state, graph.find(step_path), step_path)

    def fan_in(self, graph: Graph, run_id: str, step_path: str) -> StepLog:
        """Close a composite step: its status and returns, gathered from its branches."""
        state = self._live.state(run_id, graph)
        step = state.run.steps[step_path]
        if step.reused_from is not None:
            state.recorded(step)
            return step
        return self._composites.close(state, graph.find(step_path), step_path)

    def loop_next(self, graph: Graph, run_id: str, step_path: str) -> str | None:
        """After a loop iteration: record how it went and open the next one, if any."""
        state = self._live.state(run_id, graph)
        return self._composites.advance(state, graph.find(step_path), step_path)

    def reused(self, run_id: str, step_path: str) -> StepLog | None:
        """The record a retry copied for this step, if any: such a step does not run again."""
        return self._reused(step_path, self._live.get(run_id))

    def record_of(self, run_id: str, step_path: str) -> StepLog:
        """Read back a step another process executed, and take it into the live run."""
        step = self._store.get_step(run_id, step_path)
        state = self._live.get(run_id)
        if state is not None:
            state.recorded(step)
        self._listeners.emit_step(EventKind.STEP_ENDED, run_id, step)
        return step

    def abandon(self, graph: Graph, run_id: str, step_path: str, reason: str) -> StepLog:
        """Close the record a step's process left open (see `StepRunner.abandon`)."""
        state = self._live.state(run_id, graph)
        node = graph.find(step_path)
        step = close_abandoned(
            self._store,
            run_id,
            step_path,
            lambda: state.new_record(step_path, node),
            reason=reason,
            now=self._clock(),
        )
        state.recorded(step)
        self._listeners.emit_step(EventKind.STEP_ENDED, run_id, step)
        return step

    def check_secrets(self, graph: Graph) -> None:
        """Fail before any step runs when a declared secret does not exist (and mask them)."""
        self._attempts.check_secrets(graph)

    def bound_to(self, graph: Graph) -> StepRunner:
        """The StepRunner an executor is handed: this step path with `graph` fixed."""
        return BoundSteps(self, graph)

    @staticmethod
    def _reused(step_path: str, state: RunState | None) -> StepLog | None:
        step = state.run.steps.get(step_path) if state is not None else None
        if step is not None and step.reused_from is not None and step.status is Status.SUCCESS:
            return step
        return None
