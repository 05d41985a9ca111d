"""Driving port: starting, retrying and closing runs (what `runplane run` and `retry` ask)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol, runtime_checkable

from runplane.domain.events import RunListener
from runplane.domain.graph import Graph
from runplane.domain.run_log import RunLog
from runplane.domain.wiring import WiringProblem


@runtime_checkable
class RunCommands(Protocol):
    """Runs created, driven to the end, retried and closed through the configured ports."""

    def run(
        self,
        graph: Graph,
        *,
        parameters_file: str | None = None,
        run_id: str | None = None,
        tag: str | None = None,
        pipeline_file: str | None = None,
        parameters: Mapping[str, Any] | None = None,
        check: bool = False,
    ) -> RunLog:
        """Run a pipeline to the end with the configured executor; return its run log.

        `parameters` (`--param`) win over the parameters file's; both are recorded.
        `check`: first refuse a pipeline whose steps miss inputs (UnwiredPipelineError).
        Raises RendersOnlyError, before anything else, when the executor renders.
        """
        ...

    def retry(
        self,
        run_id: str,
        *,
        from_step: str | None = None,
        new_run_id: str | None = None,
        parameters_file: str | None = None,
        graph: Graph | None = None,
        orchestrated: bool = False,
    ) -> RunLog:
        """Finish a failed run in a new run, reusing every step that succeeded.

        `graph`: the pipeline to run; None loads the file the original run recorded.
        `orchestrated`: only record the new run; an orchestrator's pods run the rest.
        Raises RendersOnlyError, before recording anything, when the executor renders.
        """
        ...

    def start_run(
        self,
        graph: Graph,
        *,
        parameters_file: str | None = None,
        run_id: str | None = None,
        tag: str | None = None,
        pipeline_file: str | None = None,
    ) -> RunLog:
        """Record a new run without running it. Raises RunAlreadyExistsError."""
        ...

    def finish_run(self, graph: Graph, run_id: str) -> RunLog:
        """Close a run whose steps ran elsewhere; its status comes from the step records."""
        ...

    def check(
        self,
        graph: Graph,
        *,
        parameters_file: str | None = None,
        parameters: Mapping[str, Any] | None = None,
    ) -> list[WiringProblem]:
        """Every input of a step that nothing provides before it runs; runs no step.

        Raises ParameterError for an unreadable parameters file.
        """
        ...

    def unread(
        self, graph: Graph, *, parameters_file: str | None = None, parameters: Any = None
    ) -> list[str]:
        """Initial parameters (file and `parameters`) that no step reads, sorted.

        Empty when a step may read any parameter (shell and notebook tasks, `**kwargs`).
        """
        ...

    def add_listener(self, listener: RunListener) -> None:
        """Call `listener` with a RunEvent whenever a run or step starts or ends."""
        ...
