"""The executor port: where and how each step of a pipeline runs."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

from runplane.domain.graph import Graph
from runplane.domain.run_log import Status, StepLog


@dataclass(frozen=True)
class RunPlan:
    """What an executor needs to know about the run it executes."""

    run_id: str
    graph: Graph
    pipeline_file: str | None = None
    configuration_file: str | None = None


@runtime_checkable
class StepRunner(Protocol):
    """The one step path, offered by the application to executors."""

    def execute_step(self, run_id: str, step_path: str) -> StepLog:
        """Run one step in this process and record it; return its record."""
        ...

    def record_of(self, run_id: str, step_path: str) -> StepLog:
        """The record of a step that another process executed (read from the store)."""
        ...

    def fan_out(self, run_id: str, step_path: str) -> list[str] | None:
        """Open a composite step: record it, return its branch keys (None if it failed)."""
        ...

    def fan_in(self, run_id: str, step_path: str) -> StepLog:
        """Close a composite step from its branches' records; return its record."""
        ...

    def loop_next(self, run_id: str, step_path: str) -> str | None:
        """After a loop iteration: record it, open the next; its key, or None when done."""
        ...

    def reused(self, run_id: str, step_path: str) -> StepLog | None:
        """The record a retry copied for this step (it must not run again), else None."""
        ...

    def abandon(self, run_id: str, step_path: str, reason: str) -> StepLog:
        """A step whose process ended without closing its record (killed, crashed).

        Its running attempt (or, if it recorded none, a new one) is recorded as failed
        with `reason`; a record the process did close is returned as it is.
        """
        ...


@runtime_checkable
class Executor(Protocol):
    """Walks a pipeline's graph, running each step somewhere."""

    def execute(self, plan: RunPlan, steps: StepRunner) -> Status:
        """Run the plan's graph to a terminal node; return the run's final status.

        Raises ExecutionError when the executor cannot run the plan at all.
        """
        ...


@runtime_checkable
class GraphRewriter(Protocol):
    """An executor that runs a changed graph (the mocked executor puts in stand-ins)."""

    def rewrite(self, graph: Graph) -> Graph:
        """The graph to run and record instead of `graph`.

        Raises ConfigurationError when the executor's settings do not fit the graph.
        """
        ...


#: The manifest kinds a renderer can produce.
MANIFEST_KINDS = ("Workflow", "WorkflowTemplate", "CronWorkflow")


@dataclass(frozen=True)
class RetryOf:
    """A rendered retry: the workflow's first pod records a retry of run `run_id`.

    That pod calls the service's retry (reusing what the failed run finished, by the rules
    of a local retry); the workflow's pods then run the rest. `with_parameters`: the
    request's parameters replace the original run's.
    """

    run_id: str
    from_step: str | None = None
    with_parameters: bool = False
    new_run_id: str | None = None


@dataclass(frozen=True)
class RenderRequest:
    """What a renderer turns into a manifest for an orchestrator (Argo Workflows, say).

    `pipeline_file` is the path the orchestrator's containers load the pipeline from;
    `configuration` holds the four port sections the containers must use.
    """

    graph: Graph
    pipeline_file: str
    configuration: Mapping[str, Any]
    parameters: Mapping[str, Any] = field(default_factory=dict)
    kind: str = "Workflow"
    schedule: str | None = None
    retry_of: RetryOf | None = None


@runtime_checkable
class Renderer(Protocol):
    """An executor that hands the pipeline to an orchestrator instead of running it here."""

    def render(self, request: RenderRequest) -> dict[str, Any]:
        """The orchestrator's manifest (plain JSON-ready data) for the request.

        Raises ConfigurationError when the request or the executor's settings cannot be
        rendered (an unknown kind, a missing schedule, a step naming an unknown override).
        """
        ...


@dataclass(frozen=True)
class SubmitTarget:
    """Where to submit a manifest: the orchestrator's API server."""

    server: str
    namespace: str = "argo"
    token: str | None = None
    verify_tls: bool = True


@dataclass(frozen=True)
class WorkflowState:
    """A submitted workflow as the orchestrator reports it: its phase and each node's."""

    name: str
    phase: str
    nodes: Mapping[str, str] = field(default_factory=dict)

    @property
    def finished(self) -> bool:
        """Whether the orchestrator is done with the workflow."""
        return self.phase in ("Succeeded", "Failed", "Error")


@runtime_checkable
class Submitter(Protocol):
    """Sends a rendered manifest to an orchestrator and reports on it."""

    def submit(self, manifest: Mapping[str, Any], target: SubmitTarget) -> str:
        """Create the workflow; return its name. Raises ExecutionError naming the server."""
        ...

    def state(self, name: str, target: SubmitTarget) -> WorkflowState:
        """The workflow's current phase and node phases. Raises ExecutionError."""
        ...
