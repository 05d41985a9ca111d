"""How runs look in a terminal: tables and failure reports."""

from __future__ import annotations

from datetime import datetime

from rich.console import Console
from rich.table import Table

from runplane.domain.run_log import RunLog, Status, StepLog, state_of


def status_text(status: Status, live: bool | None = None) -> str:
    """The status in colour markup; a processing run as `running` or `interrupted` if known."""
    colour = {Status.SUCCESS: "green", Status.FAIL: "red"}.get(status, "yellow")
    if status is Status.PROCESSING and live is False:
        colour = "magenta"
    return f"[{colour}]{state_of(status, live)}[/{colour}]"


def summary(console: Console, log: RunLog) -> None:
    """A table of the run's steps, then its status."""
    table = Table("step", "status", "attempts", "duration")
    for step in log.steps.values():
        table.add_row(step.path, status_text(step.status), str(len(step.attempts)), duration(step))
    console.print(table)
    console.print(f"run {log.run_id}: {status_text(log.status)}")


def duration(step: StepLog) -> str:
    """Seconds from the first attempt's start to the last one's end."""
    if not step.start_time or not step.end_time:
        return "-"
    seconds = datetime.fromisoformat(step.end_time) - datetime.fromisoformat(step.start_time)
    return f"{seconds.total_seconds():.3f}s"


def show_failure(err: Console, log: RunLog) -> None:
    """Each failed step's last message and the user's traceback."""
    for step in log.steps.values():
        if step.status is Status.FAIL and step.attempts:
            last = step.attempts[-1]
            err.print(f"step {step.path!r} failed: {last.message}", markup=False, highlight=False)
            if last.traceback:
                err.print(last.traceback, markup=False, highlight=False)
    if log.message:
        err.print(log.message, markup=False, highlight=False)
