"""Who hears about runs and steps starting and ending (progress views, tracing, callers)."""

from __future__ import annotations

from collections.abc import Callable

from runplane.domain.events import EventKind, RunEvent, RunListener
from runplane.domain.run_log import Status, StepLog


class Listeners:
    """The listeners of one service; with none, an event costs one check, not an object."""

    def __init__(self, clock: Callable[[], str]) -> None:
        self._clock = clock
        self._listeners: list[RunListener] = []

    def add(self, listener: RunListener) -> None:
        """Tell `listener` about every event from now on."""
        self._listeners.append(listener)

    def emit(
        self,
        kind: EventKind,
        run_id: str,
        step_path: str = "",
        *,
        status: Status = Status.PROCESSING,
        branches: tuple[str, ...] = (),
        message: str = "",
    ) -> None:
        """A run or step event that carries no step record."""
        if not self._listeners:
            return
        event = RunEvent(kind, run_id, self._clock(), step_path, status, 0, branches, message)
        for listener in self._listeners:
            listener(event)

    def emit_step(self, kind: EventKind, run_id: str, step: StepLog) -> None:
        """An event about a recorded step: its status, attempts and message."""
        if not self._listeners:
            return
        event = RunEvent(
            kind,
            run_id,
            self._clock(),
            step.path,
            step.status,
            len(step.attempts),
            (),
            step.message,
            step.start_time,
            step.end_time,
        )
        for listener in self._listeners:
            listener(event)
