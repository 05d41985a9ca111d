"""Driving port: pipelines rendered for an orchestrator, submitted to it and watched there."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol, runtime_checkable

from runplane.domain.graph import Graph
from runplane.ports.executor import RetryOf, SubmitTarget, WorkflowState


@runtime_checkable
class Deployment(Protocol):
    """What `runplane render` and `submit` ask of an executor that renders (Argo)."""

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
