"""Runs every step in this process; branches one after another, or a few at once."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import ClassVar

from pydantic import BaseModel, ConfigDict, Field

from runplane.domain.graph import NodeKind
from runplane.domain.run_log import Status
from runplane.domain.traversal import traverse
from runplane.ports.executor import RunPlan, StepRunner


class LocalExecutorConfig(BaseModel):
    """Settings of the local executor."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    #: Branches of one parallel or map step run at most this many at a time, in threads of
    #: this process. 1 (the default) runs them in order. Steps in threads share the process:
    #: its working directory, environment (secrets included) and imported modules.
    max_workers: int = Field(default=1, ge=1)


class LocalExecutor:
    """Walks the graph here, calling the one step path for each step."""

    Config: ClassVar[type[LocalExecutorConfig]] = LocalExecutorConfig

    def __init__(self, config: LocalExecutorConfig | None = None) -> None:
        self._config = config or LocalExecutorConfig()

    def execute(self, plan: RunPlan, steps: StepRunner) -> Status:
        terminal = traverse(plan.graph, _InProcess(plan.run_id, steps, self._config.max_workers))
        return Status.SUCCESS if terminal.kind is NodeKind.SUCCESS else Status.FAIL


class _InProcess:
    def __init__(self, run_id: str, steps: StepRunner, max_workers: int) -> None:
        self._run_id = run_id
        self._steps = steps
        self._max_workers = max_workers

    def step(self, step_path: str) -> bool:
        return self._steps.execute_step(self._run_id, step_path).status is Status.SUCCESS

    def fan_out(self, step_path: str) -> list[str] | None:
        return self._steps.fan_out(self._run_id, step_path)

    def fan_in(self, step_path: str) -> bool:
        return self._steps.fan_in(self._run_id, step_path).status is Status.SUCCESS

    def loop_next(self, step_path: str) -> str | None:
        return self._steps.loop_next(self._run_id, step_path)

    def run_branches(self, branches: Sequence[Callable[[], object]]) -> None:
        run_all(branches, self._max_workers)


def run_all(branches: Sequence[Callable[[], object]], max_workers: int) -> None:
    """Run branches in order, or in up to `max_workers` threads; errors propagate."""
    if max_workers == 1 or len(branches) < 2:  # noqa: PLR2004
        for branch in branches:
            branch()
        return
    with ThreadPoolExecutor(max_workers=max_workers, thread_name_prefix="runplane") as pool:
        for future in [pool.submit(branch) for branch in branches]:
            future.result()
