"""Runs every step in this process, one after another."""

from __future__ import annotations

from typing import ClassVar

from pydantic import BaseModel, ConfigDict

from runplane.domain.graph import NodeKind, walk
from runplane.domain.run_log import Status
from runplane.ports.executor import RunPlan, StepRunner


class LocalExecutorConfig(BaseModel):
    """The local executor takes no settings."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class LocalExecutor:
    """Walks the graph here, calling the one step path for each step."""

    Config: ClassVar[type[LocalExecutorConfig]] = LocalExecutorConfig

    def __init__(self, config: LocalExecutorConfig | None = None) -> None:
        pass

    def execute(self, plan: RunPlan, steps: StepRunner) -> Status:
        def run_step(node_name: str) -> bool:
            return steps.execute_step(plan.run_id, node_name).status is Status.SUCCESS

        terminal = walk(plan.graph, lambda node: run_step(node.name))
        return Status.SUCCESS if terminal.kind is NodeKind.SUCCESS else Status.FAIL
