"""What an executor can do besides running pipelines here: render or submit workflows."""

from __future__ import annotations

from runplane.domain.errors import ConfigurationError, RendersOnlyError
from runplane.ports.executor import Executor, Renderer, Submitter


def renderer_of(executor: Executor) -> Renderer:
    """The executor as a workflow renderer, or a ConfigurationError saying it is none."""
    if not isinstance(executor, Renderer):
        raise ConfigurationError(
            f"executor {type(executor).__name__} runs pipelines itself and renders "
            "no workflow; use a configuration whose executor type renders one ('argo')"
        )
    return executor


def submitter_of(executor: Executor) -> Submitter:
    """The executor as a workflow submitter, or a ConfigurationError saying it is none."""
    if not isinstance(executor, Submitter):
        raise ConfigurationError(
            f"executor {type(executor).__name__} cannot submit workflows; "
            "use a configuration with executor type 'argo'"
        )
    return executor


def refuse_render_only(executor: Executor) -> None:
    """An orchestrator's executor cannot run here: say so before a run is recorded."""
    if isinstance(executor, Renderer):
        raise RendersOnlyError(
            f"executor {type(executor).__name__} hands pipelines to an orchestrator "
            "instead of running them here: use `runplane render PIPELINE -c CONFIG` to "
            "write the workflow, or `runplane submit PIPELINE -c CONFIG --server URL` "
            "to create it (use executor type 'local' to run on this machine)"
        )
