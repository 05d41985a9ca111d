"""Driving a created run with the executor, and closing it whatever happens."""

from __future__ import annotations

import logging
from typing import Protocol

from runplane.app.clock import Clock
from runplane.app.listeners import Listeners
from runplane.app.ownership import owning
from runplane.app.run_state import RunState
from runplane.app.signals import interrupts_as_exceptions
from runplane.app.use_cases.live_runs import LiveRuns
from runplane.domain.events import EventKind
from runplane.domain.graph import Graph
from runplane.domain.run_log import RunLog, Status
from runplane.domain.scope import ScopedParameters
from runplane.ports.executor import Executor, RunPlan
from runplane.ports.run_log_store import RunLogStore
from runplane.ports.step_path import StepPath

logger = logging.getLogger(__name__)


class RunDriver(Protocol):
    """Runs the steps of a recorded run to the end (tracing decorates this)."""

    def drive(self, graph: Graph, run: RunLog) -> RunLog:
        """Drive `run` with the executor; record and return how it ended."""
        ...


class ExecutorDriver:
    """The run driver: the executor walks the graph through the step path."""

    def __init__(
        self,
        *,
        executor: Executor,
        run_log_store: RunLogStore,
        steps: StepPath,
        clock: Clock,
        live: LiveRuns,
        listeners: Listeners,
        configuration_file: str | None,
    ) -> None:
        self._executor = executor
        self._store = run_log_store
        self._steps = steps
        self._clock = clock
        self._live = live
        self._listeners = listeners
        self._configuration_file = configuration_file

    def drive(self, graph: Graph, run: RunLog) -> RunLog:
        """Drive a created run with the executor, and close it whatever happens."""
        state = RunState(run, ScopedParameters(run.initial_parameters))
        self._live.start(state)
        self._listeners.emit(EventKind.RUN_STARTED, run.run_id)
        plan = RunPlan(run.run_id, graph, run.pipeline_file, self._configuration_file)
        try:
            with interrupts_as_exceptions(), owning(self._store, run.run_id):
                run.status = self._executor.execute(plan, self._steps.bound_to(graph))
        except BaseException as exc:
            # Interrupted or broken: record why, keep every step already recorded.
            run.status = Status.FAIL
            run.message = f"run interrupted: {type(exc).__name__}: {exc}"
            raise
        finally:
            run.end_time = self._clock()
            run.parameters = state.scopes.top()
            self._store.update_run(run)
            self._live.end(run.run_id)
            self._listeners.emit(
                EventKind.RUN_ENDED, run.run_id, status=run.status, message=run.message
            )
        logger.info("run %s ended: %s", run.run_id, run.status.value)
        return run
