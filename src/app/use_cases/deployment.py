"""The deployment use case: manifests rendered for an orchestrator, submitted, watched."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from runplane.app.executor_roles import renderer_of, submitter_of
from runplane.app.initial_parameters import starting_parameters
from runplane.domain.graph import Graph
from runplane.ports.executor import (
    Executor,
    RenderRequest,
    RetryOf,
    SubmitTarget,
    WorkflowState,
)


class DeploymentService:
    """Implements `ports.deployment.Deployment` with the configured executor."""

    def __init__(self, *, executor: Executor, configuration: Mapping[str, Any] | None) -> None:
        self._executor = executor
        self._configuration = dict(configuration or {})

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
        """The orchestrator manifest (an Argo Workflow, say) the configured executor renders."""
        request = RenderRequest(
            graph=graph,
            pipeline_file=pipeline_file,
            configuration=self._configuration,
            # Environment parameters are the pods' own: the manifest records the file's only.
            parameters=starting_parameters(parameters_file, {})[0],
            kind=kind,
            schedule=schedule,
            retry_of=retry_of,
        )
        return renderer_of(self._executor).render(request)

    def submit(self, manifest: Mapping[str, Any], target: SubmitTarget) -> str:
        """Send a rendered manifest to the orchestrator; return the workflow's name."""
        return submitter_of(self._executor).submit(manifest, target)

    def workflow_state(self, name: str, target: SubmitTarget) -> WorkflowState:
        """A submitted workflow's phase and node phases, as the orchestrator reports them."""
        return submitter_of(self._executor).state(name, target)
