"""The Argo Workflows executor: renders a pipeline as an Argo manifest, and submits it."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any, ClassVar

from runplane.adapters.executors.argo.config import ArgoExecutorConfig
from runplane.domain.errors import ConfigurationError, ExecutionError
from runplane.domain.run_log import Status
from runplane.ports.executor import (
    RenderRequest,
    RunPlan,
    StepRunner,
    SubmitTarget,
    WorkflowState,
)

_MISSING_HERA = (
    "the 'argo' executor renders workflows with hera, which is not installed: "
    "pip install 'runplane[argo]'"
)


class ArgoExecutor:
    """Turns a pipeline into an Argo Workflow whose containers call `runplane execute-step`."""

    Config: ClassVar[type[ArgoExecutorConfig]] = ArgoExecutorConfig

    def __init__(self, config: ArgoExecutorConfig) -> None:
        self._config = config

    def execute(self, plan: RunPlan, steps: StepRunner) -> Status:
        raise ExecutionError(
            "the 'argo' executor does not run pipelines in this process: render the workflow "
            "with `runplane render PIPELINE -c CONFIG` or create it with `runplane submit "
            "PIPELINE -c CONFIG --server URL`"
        )

    def render(self, request: RenderRequest) -> dict[str, Any]:
        with _hera():
            from runplane.adapters.executors.argo.manifest import render  # noqa: PLC0415
        return render(self._config, request)

    def submit(self, manifest: Mapping[str, Any], target: SubmitTarget) -> str:
        with _hera():
            from runplane.adapters.executors.argo.submit import submit  # noqa: PLC0415
        return submit(manifest, target)

    def state(self, name: str, target: SubmitTarget) -> WorkflowState:
        with _hera():
            from runplane.adapters.executors.argo.submit import state  # noqa: PLC0415
        return state(name, target)


@contextmanager
def _hera() -> Iterator[None]:
    """Hera is an optional extra, imported only when a manifest is rendered or submitted."""
    try:
        yield
    except ImportError as exc:
        raise ConfigurationError(_MISSING_HERA) from exc
