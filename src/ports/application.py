"""The old single driving port, kept only as the type of the SDK's `service()`.

Callers take the four use-case ports (`ports.driving.Application`); this goes when the
SDK (moving to `runplane.sdk`) returns those.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol, runtime_checkable

from runplane.domain.events import RunListener
from runplane.domain.graph import Graph
from runplane.domain.run_diff import RunDiff
from runplane.domain.run_log import RunLog, RunSummary, StepLog
from runplane.domain.step_tree import RunTree
from runplane.domain.wiring import WiringProblem
from runplane.ports.executor import RetryOf, SubmitTarget, WorkflowState


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

        `orchestrated`: only record the new run; an orchestrator's pods run the rest.
        Raises RendersOnlyError, before recording anything, when the executor renders.
        """
        ...

    def execute_step(
        self, graph: Graph, run_id: str, step_path: str, *, attempts: int | None = None
    ) -> StepLog:
        """Run one step of an existing run (the one step path) and return its record.

        `attempts` caps the attempts of this call (default: the task's max_attempts).
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

    def fan_out(self, graph: Graph, run_id: str, step_path: str) -> list[str] | None:
        """Open a composite step: record it, return its branch keys (None if it failed)."""
        ...

    def loop_next(self, graph: Graph, run_id: str, step_path: str) -> str | None:
        """After a loop iteration: record it, open the next; its key, or None when done."""
        ...

    def fan_in(self, graph: Graph, run_id: str, step_path: str) -> StepLog:
        """Close a composite step from its branches' records; return its record."""
        ...

    def render(
        self,
        graph: Graph,
        *,
        pipeline_file: str,
        parameters_file: str | None = None,
        kind: str = "Workflow",
        schedule: str | None = None,
        retry_of: RetryOf | None = None,
    ) -> dict[str, Any]:
        """The orchestrator manifest the executor renders. Raises ConfigurationError.

        `retry_of`: a workflow whose first pod records a retry of that run.
        """
        ...

    def submit(self, manifest: Mapping[str, Any], target: SubmitTarget) -> str:
        """Create the workflow on the orchestrator; its name. Raises ExecutionError."""
        ...

    def workflow_state(self, name: str, target: SubmitTarget) -> WorkflowState:
        """A submitted workflow's phase and node phases. Raises ExecutionError."""
        ...

    def step_output(self, run_id: str, step_path: str, attempt: int | None = None) -> str:
        """What an attempt of a step (default: the last) printed; '' when nothing."""
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

    def get_run(self, run_id: str) -> RunLog:
        """A run's log. Raises RunLogNotFoundError."""
        ...

    def list_runs(
        self,
        *,
        status: str | None = None,
        tag: str | None = None,
        since: str | None = None,
        limit: int | None = None,
    ) -> list[RunSummary]:
        """Run headers, newest first; each given criterion narrows the list.

        `status` is a Status name, `since` an age ('2d', '6h', '30m', '1w') or an ISO date,
        `limit` at least 1. Raises ParameterError for a bad status, age or limit.
        """
        ...

    def show(self, run_id: str) -> RunTree:
        """A run as a tree of steps (branches, iterations). Raises RunLogNotFoundError."""
        ...

    def diff(self, before: str, after: str) -> RunDiff:
        """Parameters, metrics and catalog hashes that differ. Raises RunLogNotFoundError."""
        ...

    def add_listener(self, listener: RunListener) -> None:
        """Call `listener` with a RunEvent whenever a run or step starts or ends."""
        ...

    def run_log_location(self, run_id: str) -> str:
        """Where the run's log is kept."""
        ...

    def catalog_location(self, run_id: str) -> str:
        """Where the run's files are kept."""
        ...
