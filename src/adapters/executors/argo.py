"""The Argo Workflows executor: its configuration (rendering lands with the Argo issue)."""

from __future__ import annotations

from typing import ClassVar

from pydantic import BaseModel, ConfigDict

from runplane.domain.errors import ExecutionError
from runplane.domain.run_log import Status
from runplane.ports.executor import RunPlan, StepRunner


class PersistentVolume(BaseModel):
    """An existing PersistentVolumeClaim mounted in every container."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str
    mount_path: str


class SecretFromK8s(BaseModel):
    """An environment variable filled from a key of a Kubernetes secret."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    environment_variable: str
    secret_name: str
    secret_key: str


class ArgoExecutorConfig(BaseModel):
    """Settings of the Argo executor, in the shape of DESIGN.md's example."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    image: str
    persistent_volumes: tuple[PersistentVolume, ...] = ()
    secrets_from_k8s: tuple[SecretFromK8s, ...] = ()


class ArgoExecutor:
    """Turns a pipeline into an Argo Workflow whose containers call `runplane execute-step`."""

    Config: ClassVar[type[ArgoExecutorConfig]] = ArgoExecutorConfig

    def __init__(self, config: ArgoExecutorConfig) -> None:
        self._config = config

    def execute(self, plan: RunPlan, steps: StepRunner) -> Status:
        raise ExecutionError(
            "the 'argo' executor does not run pipelines in this process, and rendering "
            "Argo workflows is not available yet in this version; use executor type 'local'"
        )
