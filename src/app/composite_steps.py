"""Opening, advancing and closing composite steps (parallel, map, conditional, loop).

A composite step only reads and writes records: its branches' tasks run through the one
step path. What to open and how to gather is domain logic (`domain.composites`); this
records it, keeps the branch scopes of the run's parameters, and tells the listeners.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from runplane.app.listeners import Listeners
from runplane.app.run_state import RunState
from runplane.domain import composites
from runplane.domain.errors import RunplaneError
from runplane.domain.events import EventKind
from runplane.domain.graph import Node, NodeKind, join
from runplane.domain.run_log import Attempt, Status, StepLog
from runplane.domain.scope import outcome
from runplane.ports.run_log_store import RunLogStore

logger = logging.getLogger(__name__)


class CompositeSteps:
    """The records of composite steps, written through the run log store."""

    def __init__(self, store: RunLogStore, clock: Callable[[], str], listeners: Listeners) -> None:
        self._store = store
        self._clock = clock
        self._listeners = listeners
        # A loop a retry reuses: how many of its recorded iterations were walked again.
        self._replayed: dict[tuple[str, str], int] = {}

    def open(self, state: RunState, node: Node, step_path: str) -> list[str] | None:
        """Decide and record the branches of a composite step; None if that failed."""
        run_id = state.run.run_id
        step = state.new_record(step_path, node)
        attempt = Attempt(len(step.attempts) + 1, Status.PROCESSING, self._clock())
        step.attempts.append(attempt)
        try:
            plan = composites.fan_out(node, state.parameters_for(step_path))
        except RunplaneError as exc:
            attempt.status = step.status = Status.FAIL
            attempt.message, attempt.end_time = str(exc), self._clock()
            self._record(state, step)
            return None
        step.parameters = plan.parameters
        step.branches = dict.fromkeys(plan.keys, Status.PROCESSING.value)
        self._record(state, step)
        with state.lock:
            for key in plan.keys:
                state.scopes.open(join(step_path, key), plan.variables.get(key, {}))
        logger.info("step %s opened %d branches", step_path, len(plan.keys))
        self._listeners.emit(
            EventKind.BRANCHES_OPENED, run_id, step_path, branches=tuple(plan.keys)
        )
        return plan.keys

    def close(self, state: RunState, node: Node, step_path: str) -> StepLog:
        """Record a composite step's status and returns, gathered from its branches."""
        step = state.run.steps[step_path]
        if step.status is Status.FAIL and not step.branches:
            # Its fan-out failed and opened nothing; an orchestrator's DAG may still close
            # it (Argo runs fan-in after a failed fan-out): it stays failed, as on `local`.
            return step
        attempt = step.attempts[-1]
        with state.lock:
            statuses = {
                key: outcome(node.branch(key), join(step_path, key), state.status_of)
                for key in step.branches
            }
            returned = {
                key: state.scopes.branch_returns(join(step_path, key)) for key in step.branches
            }
        step.branches = {key: status.value for key, status in statuses.items()}
        step.status = composites.composite_status(node, statuses)
        if node.kind is NodeKind.LOOP:
            last = list(returned.values())[-1] if returned else {}
            reason = composites.loop_outcome(node, statuses, last)
            step.status, attempt.message = (Status.FAIL, reason) if reason else (Status.SUCCESS, "")
        if step.status is Status.SUCCESS:
            try:
                step.returns = composites.gather(node, returned)
            except RunplaneError as exc:
                step.status, attempt.message = Status.FAIL, str(exc)
        failed = [key for key, status in statuses.items() if status is Status.FAIL]
        if failed and not attempt.message:
            attempt.message = f"branches failed: {', '.join(failed)}"
        attempt.status, attempt.end_time = step.status, self._clock()
        self._record(state, step)
        with state.lock:
            for key in statuses:
                state.scopes.close(join(step_path, key))
        self._listeners.emit_step(EventKind.COMPOSITE_ENDED, state.run.run_id, step)
        return step

    def advance(self, state: RunState, node: Node, step_path: str) -> str | None:
        """After a loop iteration: record how it went and open the next one, if any."""
        step = state.run.steps[step_path]
        if step.reused_from is not None:
            return self._replay(state.run.run_id, step, step_path)
        key = list(step.branches)[-1]
        scope = join(step_path, key)
        with state.lock:
            status = outcome(node.branch(key), scope, state.status_of)
            returned = state.scopes.branch_returns(scope)
        step.branches[key] = status.value
        following = composites.next_iteration(
            node, key, status, step.parameters.get(key, {}), returned
        )
        if following is not None:
            key, variables = following
            step.parameters[key] = variables
            step.branches[key] = Status.PROCESSING.value
            with state.lock:
                state.scopes.open(join(step_path, key), variables)
        self._record(state, step)
        return following[0] if following else None

    def _replay(self, run_id: str, step: StepLog, step_path: str) -> str | None:
        """The next recorded iteration of a reused loop (its records are reused too)."""
        keys = list(step.branches)
        walked = self._replayed.pop((run_id, step_path), 0) + 1
        if walked >= len(keys):
            return None
        self._replayed[run_id, step_path] = walked
        return keys[walked]

    def _record(self, state: RunState, step: StepLog) -> None:
        self._store.put_step(state.run.run_id, step)
        state.recorded(step)
