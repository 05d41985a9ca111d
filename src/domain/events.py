"""What happens during a run, as the service reports it to whoever watches (the CLI's progress)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from runplane.domain.run_log import Status


class EventKind(StrEnum):
    """The moments a watcher is told about."""

    RUN_STARTED = "run_started"
    STEP_STARTED = "step_started"
    STEP_ENDED = "step_ended"
    BRANCHES_OPENED = "branches_opened"
    COMPOSITE_ENDED = "composite_ended"
    RUN_ENDED = "run_ended"


@dataclass(frozen=True)
class RunEvent:
    """One moment of a run. `step_path` is '' for the run itself."""

    kind: EventKind
    run_id: str
    time: str
    step_path: str = ""
    status: Status = Status.PROCESSING
    attempts: int = 0
    branches: tuple[str, ...] = ()
    message: str = ""
    #: A recorded step's first attempt start and last attempt end: every view of a step's
    #: duration (progress lines, the end table, `runs show`) measures between these two.
    start_time: str | None = None
    end_time: str | None = None


#: A watcher: called in the thread that produced the event, so it must be quick and not raise.
RunListener = Callable[[RunEvent], None]
