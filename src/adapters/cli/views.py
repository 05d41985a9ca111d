"""How runs look in a terminal: tables and failure reports."""

from __future__ import annotations

import json

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from runplane.adapters.presentation.durations import took
from runplane.domain.run_log import RunLog, Status, StepLog, state_of
from runplane.domain.step_tree import build_tree


def status_text(status: Status, live: bool | None = None) -> str:
    """The status in colour markup; a processing run as `running` or `interrupted` if known."""
    colour = {Status.SUCCESS: "green", Status.FAIL: "red"}.get(status, "yellow")
    if status is Status.PROCESSING and live is False:
        colour = "magenta"
    return f"[{colour}]{state_of(status, live)}[/{colour}]"


def step_status(step: StepLog) -> str:
    """The step's status, and where a retry took it from when it was reused, not run."""
    reused = f" [dim](reused from {escape(step.reused_from)})[/dim]" if step.reused_from else ""
    return status_text(step.status) + reused


def summary(console: Console, log: RunLog) -> None:
    """A table of the run's steps in pipeline order, with their metrics, then its status."""
    table = Table("step", "status", "attempts", "duration", "metrics")
    for root in build_tree(log).roots:
        for node in root.walk():
            step = node.record
            metrics = json.dumps(step.metrics, allow_nan=False, default=str)[1:-1]
            table.add_row(
                escape(step.path),
                step_status(step),
                str(len(step.attempts)),
                took(step.start_time, step.end_time),
                escape(metrics),
            )
    console.print(table)
    console.print(f"run {log.run_id}: {status_text(log.status)}")


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
