"""Runs every task in a fresh `runplane execute-step` process, isolated as in a container."""

from __future__ import annotations

import logging
import subprocess
import sys
from collections.abc import Callable, Sequence
from typing import ClassVar

from pydantic import BaseModel, ConfigDict, Field

from runplane.adapters.executors.local import run_all
from runplane.domain.errors import ExecutionError
from runplane.domain.graph import NodeKind
from runplane.domain.run_log import Status
from runplane.domain.traversal import traverse
from runplane.ports.executor import RunPlan, StepRunner

logger = logging.getLogger(__name__)

#: Exit statuses of `runplane execute-step` that mean "the step ran and was recorded".
_RECORDED = (0, 1)


class LocalSubprocessExecutorConfig(BaseModel):
    """Settings of the local-subprocess executor."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    #: Branches of one parallel or map step run at most this many processes at a time.
    max_workers: int = Field(default=1, ge=1)
    #: The Python that runs `-m runplane execute-step` (default: this interpreter).
    python: str = ""


class LocalSubprocessExecutor:
    """Walks the graph here; each task runs in its own process through the one step path.

    Composite steps open and close in this process (they only read and write records);
    their branches' tasks run in child processes, `max_workers` at a time.
    """

    Config: ClassVar[type[LocalSubprocessExecutorConfig]] = LocalSubprocessExecutorConfig

    def __init__(self, config: LocalSubprocessExecutorConfig | None = None) -> None:
        self._config = config or LocalSubprocessExecutorConfig()

    def execute(self, plan: RunPlan, steps: StepRunner) -> Status:
        if plan.pipeline_file is None:
            raise ExecutionError(
                "the 'local-subprocess' executor reloads the pipeline in each step's process, "
                "so it needs the pipeline's file: run it with `runplane run FILE` or call "
                "`execute()` from a pipeline defined in a .py file"
            )
        terminal = traverse(plan.graph, _Subprocesses(plan, steps, self._config))
        return Status.SUCCESS if terminal.kind is NodeKind.SUCCESS else Status.FAIL


class _Subprocesses:
    def __init__(
        self, plan: RunPlan, steps: StepRunner, config: LocalSubprocessExecutorConfig
    ) -> None:
        self._plan = plan
        self._steps = steps
        self._config = config

    def step(self, step_path: str) -> bool:
        reused = self._steps.reused(self._plan.run_id, step_path)
        if reused is not None:  # a retry copied it: no process needed
            return self._steps.execute_step(self._plan.run_id, step_path).status is Status.SUCCESS
        command = [
            self._config.python or sys.executable,
            "-m",
            "runplane",
            "execute-step",
            str(self._plan.pipeline_file),
            step_path,
            "--run-id",
            self._plan.run_id,
        ]
        if self._plan.configuration_file:
            command += ["--config", self._plan.configuration_file]
        logger.debug("running %s", command)
        done = subprocess.run(command, check=False, stderr=subprocess.PIPE, text=True)
        sys.stderr.write(done.stderr)
        if done.returncode not in _RECORDED:
            tail = done.stderr.strip().splitlines()[-3:]
            raise ExecutionError(
                f"step {step_path!r}: `runplane execute-step` exited with status "
                f"{done.returncode} without recording the step: {' / '.join(tail)}"
            )
        return self._steps.record_of(self._plan.run_id, step_path).status is Status.SUCCESS

    def fan_out(self, step_path: str) -> list[str] | None:
        return self._steps.fan_out(self._plan.run_id, step_path)

    def fan_in(self, step_path: str) -> bool:
        return self._steps.fan_in(self._plan.run_id, step_path).status is Status.SUCCESS

    def loop_next(self, step_path: str) -> str | None:
        return self._steps.loop_next(self._plan.run_id, step_path)

    def run_branches(self, branches: Sequence[Callable[[], object]]) -> None:
        run_all(branches, self._config.max_workers)
