"""The driving port: the use cases the command line (and users' own code) call."""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from runplane.domain.graph import Graph
from runplane.domain.run_log import RunLog, RunSummary, StepLog
from runplane.domain.wiring import WiringProblem


@runtime_checkable
class Application(Protocol):
    """What runplane does, independent of how it is asked."""

    def load_pipeline(self, pipeline_file: str) -> Graph:
        """Load the graph a pipeline file defines. Raises PipelineDefinitionError."""
        ...

    def load_job(self, job_file: str) -> Graph:
        """Load the one-step graph of the `job` a file defines. Raises PipelineDefinitionError."""
        ...

    def run(
        self,
        graph: Graph,
        *,
        parameters_file: str | None = None,
        run_id: str | None = None,
        tag: str | None = None,
        pipeline_file: str | None = None,
    ) -> RunLog:
        """Run a pipeline to the end with the configured executor; return its run log."""
        ...

    def execute_step(self, graph: Graph, run_id: str, step_path: str) -> StepLog:
        """Run one step of an existing run (the one step path) and return its record."""
        ...

    def check(self, graph: Graph, *, parameters_file: str | None = None) -> list[WiringProblem]:
        """Every input of a step that nothing provides before it runs; runs no step.

        Raises ParameterError for an unreadable parameters file.
        """
        ...

    def get_run(self, run_id: str) -> RunLog:
        """A run's log. Raises RunLogNotFoundError."""
        ...

    def list_runs(self) -> list[RunSummary]:
        """Every run's header, newest first."""
        ...

    def run_log_location(self, run_id: str) -> str:
        """Where the run's log is kept."""
        ...

    def catalog_location(self, run_id: str) -> str:
        """Where the run's files are kept."""
        ...
