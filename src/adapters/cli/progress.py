"""Watching a run: live rich progress on a terminal, plain lines elsewhere, nothing if quiet.

Both watchers are RunListeners the service calls; they see only RunEvents and the graph.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO

from rich.console import Console
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)

from runplane.adapters.presentation.durations import took
from runplane.domain.errors import PipelineDefinitionError
from runplane.domain.events import EventKind, RunEvent
from runplane.domain.graph import Graph, scope_of
from runplane.domain.run_log import Status
from runplane.ports.application import Application

#: Running steps named in the live line; the rest are counted ("+3 more").
MAX_NAMED = 4


@contextmanager
def watching(app: Application, graph: Graph, console: Console, *, quiet: bool) -> Iterator[None]:
    """Show the run's progress on `console` while the block runs."""
    if quiet:
        yield
        return
    if not console.is_terminal:  # CI and log files: no rich work per step, one line each
        app.add_listener(PlainProgress(console.file))
        yield
        return
    live = LiveProgress(graph, console)
    app.add_listener(live)
    with live.progress:
        yield


class PlainProgress:
    """One line per step start and end: 'HH:MM:SS step train success (1 attempt, 0.12s)'."""

    def __init__(self, stream: IO[str]) -> None:
        self._stream = stream
        self._started: dict[str, str] = {}
        self._lock = threading.Lock()

    def __call__(self, event: RunEvent) -> None:
        clock = event.time[11:19]  # HH:MM:SS of the ISO instant
        what = f"step {event.step_path}"
        if event.kind in (EventKind.STEP_STARTED, EventKind.RUN_STARTED):
            self._started[event.step_path] = event.time
            line = f"{what} started" if event.step_path else f"run {event.run_id} started"
        elif event.kind is EventKind.BRANCHES_OPENED:
            self._started[event.step_path] = event.time
            line = f"{what} opened {len(event.branches)} branches"
        elif event.kind is EventKind.RUN_ENDED:
            line = f"run {event.run_id} ended: {event.status.value}"
        else:
            started = self._started.pop(event.step_path, None)
            detail = [f"{event.attempts} attempt{'s' if event.attempts != 1 else ''}"]
            if event.end_time is not None:  # a recorded step: its own times, as in the table
                detail.append(took(event.start_time, event.end_time))
            elif started is not None:  # a composite step: from its opening
                detail.append(took(started, event.time))
            line = f"{what} {event.status.value} ({', '.join(detail)})"
        with self._lock:
            self._stream.write(f"{clock} {line}\n")
            self._stream.flush()


class LiveProgress:
    """A rich display: steps done of total with every step running, a bar per open composite."""

    def __init__(self, graph: Graph, console: Console) -> None:
        self._graph = graph
        self.progress = Progress(
            SpinnerColumn(),
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=console,
            transient=True,
        )
        self._steps = self.progress.add_task("starting", total=len(graph.step_names()))
        self._bars: dict[str, TaskID] = {}
        self._running: dict[str, None] = {}  # in start order: branches run at once
        self._lock = threading.Lock()

    def __call__(self, event: RunEvent) -> None:
        with self._lock:
            self._handle(event)

    def _handle(self, event: RunEvent) -> None:
        path = event.step_path
        if event.kind is EventKind.STEP_STARTED:
            self._running[path] = None
            self.progress.update(self._steps, description=self._describe())
        elif event.kind is EventKind.BRANCHES_OPENED:
            self._bars[path] = self.progress.add_task(
                f"  {path}: branches", total=len(event.branches)
            )
        elif event.kind in (EventKind.STEP_ENDED, EventKind.COMPOSITE_ENDED):
            if path in self._running:
                del self._running[path]
                self.progress.update(self._steps, description=self._describe())
            if event.kind is EventKind.COMPOSITE_ENDED and path in self._bars:
                self.progress.remove_task(self._bars.pop(path))
            if "." not in path:
                self.progress.advance(self._steps)
            elif self._ends_branch(path, event.status):
                bar = self._bars.get(scope_of(scope_of(path)))
                if bar is not None:
                    self.progress.advance(bar)
        elif event.kind is EventKind.RUN_ENDED:
            total = self.progress.tasks[0].total
            self.progress.update(self._steps, completed=total, description=event.status.value)

    def _describe(self) -> str:
        """Every step running now (parallel branches, map iterations), a few by name."""
        names = [f"[bold]{escape(p)}[/bold]" for p in self._running]
        if len(names) > MAX_NAMED:
            names = [*names[:MAX_NAMED], f"+{len(names) - MAX_NAMED} more"]
        return ", ".join(names) or "waiting"

    def _ends_branch(self, path: str, status: Status) -> bool:
        """Whether the walk of this step's branch stops after it (its next step is terminal)."""
        try:
            node = self._graph.find(path)
        except PipelineDefinitionError:
            return False
        target = node.next if status is Status.SUCCESS else node.on_failure
        if target is None:
            return True
        branch = self._graph.find(scope_of(path).rpartition(".")[0]).branch(
            scope_of(path).rpartition(".")[2]
        )
        return branch[target].is_terminal
