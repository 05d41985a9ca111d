"""Closing the record of a step whose process ended without closing it.

A step's own process records each attempt when it starts and when it ends. Killed in
between (SIGKILL from the OOM killer, the run interrupted, its step server crashed), it
leaves the attempt `processing`; the process that launched it closes it here, so a failed
run never shows a step still running.
"""

from __future__ import annotations

from collections.abc import Callable

from runplane.domain.errors import StepLogNotFoundError
from runplane.domain.run_log import Attempt, Status, StepLog
from runplane.ports.run_log_store import RunLogStore


def close_abandoned(
    store: RunLogStore,
    run_id: str,
    step_path: str,
    fresh_record: Callable[[], StepLog],
    *,
    reason: str,
    now: str,
) -> StepLog:
    """The step's record with its open attempt failed for `reason` (stored); see the port."""
    try:
        step = store.get_step(run_id, step_path)
    except StepLogNotFoundError:
        step = fresh_record()
    if step.status is not Status.PROCESSING and step.attempts:
        return step  # the process recorded how the step ended before it went
    open_attempts = [a for a in step.attempts if a.status is Status.PROCESSING]
    if open_attempts:
        attempt = open_attempts[-1]
    else:
        attempt = Attempt(len(step.attempts) + 1, Status.FAIL, now)
        step.attempts.append(attempt)
    attempt.status = step.status = Status.FAIL
    attempt.end_time = now
    attempt.message = reason
    store.put_step(run_id, step)
    return step
