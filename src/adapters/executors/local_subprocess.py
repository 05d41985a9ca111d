"""Runs every task in its own `runplane execute-step` process, isolated as in a container.

The process is forked from a step server that has already imported runplane (Linux), or
is a fresh interpreter (`start: fresh`, the default elsewhere): see step_server.py.
"""

from __future__ import annotations

import logging
import subprocess
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from typing import ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from runplane.adapters.executors.local import run_all
from runplane.adapters.executors.step_echo import StepEchoes
from runplane.adapters.executors.step_process import (
    StepOutcome,
    runplane_command,
    stderr_text,
    stdout_fd,
    unrecorded_end,
)
from runplane.adapters.executors.step_server import (
    CTRL_C_GRACE_S,
    StepServers,
    fork_server_supported,
)
from runplane.domain.errors import ExecutionError
from runplane.domain.graph import NodeKind
from runplane.domain.run_log import Status
from runplane.domain.traversal import traverse
from runplane.ports.executor import RunPlan, StepRunner

logger = logging.getLogger(__name__)

#: Exit statuses of `runplane execute-step` that mean "the step ran and was recorded".
_RECORDED = (0, 1)
#: ... and the one that means wrong input (the pipeline or configuration would not load).
_BAD_INPUT = 2

#: `execute-step ARGV` in a process of its own, writing its stdout to the given file
#: descriptor (None: where this process's stdout goes): how it ended.
Launch = Callable[[Sequence[str], int | None], StepOutcome]


def _platform_start() -> Literal["fork-server", "fresh"]:
    """`'fork-server'` on Linux, `'fresh'` elsewhere."""  # docgen shows this, not the value
    return "fork-server" if fork_server_supported() else "fresh"


class LocalSubprocessExecutorConfig(BaseModel):
    """Settings of the local-subprocess executor."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    #: Branches of one parallel or map step run at most this many processes at a time.
    max_workers: int = Field(default=1, ge=1)
    #: The Python that runs `-m runplane execute-step` (default: this interpreter).
    python: str = ""
    #: How each step's process starts. "fork-server": forked from a helper process (one per
    #: step running at once, for the run) that imported runplane once; the pipeline file and
    #: user code are still imported afresh by each step. "fresh": a new interpreter per step
    #: (~250 ms more per step). fork-server needs Linux (fork without exec is unsafe on macOS).
    start: Literal["fork-server", "fresh"] = Field(default_factory=_platform_start)

    @field_validator("start")
    @classmethod
    def _start_supported(cls, start: str) -> str:
        if start == "fork-server" and not fork_server_supported():
            raise ValueError(
                f"'fork-server' needs Linux (fork without exec, pidfds); on {sys.platform} "
                "use 'fresh'"
            )
        return start


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
        with _step_processes(self._config, plan.configuration_file) as launch:
            terminal = traverse(plan.graph, _Subprocesses(plan, steps, launch, self._config))
        return Status.SUCCESS if terminal.kind is NodeKind.SUCCESS else Status.FAIL


@contextmanager
def _step_processes(
    config: LocalSubprocessExecutorConfig, configuration_file: str | None
) -> Iterator[Launch]:
    """How this run starts step processes; step servers are stopped when the run ends."""
    python = config.python or sys.executable
    if config.start == "fresh":
        yield lambda argv, stdout: _fresh(python, argv, stdout)
        return
    with StepServers(python, configuration_file) as servers:
        yield servers.run


def _fresh(python: str, argv: Sequence[str], stdout: int | None) -> StepOutcome:
    """`subprocess.run`, except that on Ctrl-C the step may record its interruption first."""
    command = runplane_command(python, "execute-step", *argv)
    if stdout is not None:  # a pipe echoed line by line: -u, so lines come as printed
        command.insert(1, "-u")
    logger.debug("running %s", command)
    target = stdout_fd() if stdout is None else stdout
    with subprocess.Popen(command, stdout=target, stderr=subprocess.PIPE) as process:
        assert process.stderr is not None  # stderr=PIPE
        try:
            output = process.stderr.read()
            returncode = process.wait()
        except BaseException as exc:
            if isinstance(exc, KeyboardInterrupt):
                with suppress(subprocess.TimeoutExpired):
                    process.wait(timeout=CTRL_C_GRACE_S)
            process.kill()
            process.wait()
            raise
    return StepOutcome(returncode, stderr_text(output))


class _Subprocesses:
    def __init__(
        self,
        plan: RunPlan,
        steps: StepRunner,
        launch: Launch,
        config: LocalSubprocessExecutorConfig,
    ) -> None:
        self._plan = plan
        self._steps = steps
        self._launch = launch
        self._config = config
        self._echoes = StepEchoes(piped=config.max_workers > 1)

    def step(self, step_path: str) -> bool:
        reused = self._steps.reused(self._plan.run_id, step_path)
        if reused is not None:  # a retry copied it: no process needed
            return self._steps.execute_step(self._plan.run_id, step_path).status is Status.SUCCESS
        argv = [str(self._plan.pipeline_file), step_path, "--run-id", self._plan.run_id]
        if self._plan.configuration_file:
            argv += ["--config", self._plan.configuration_file]
        try:
            with self._echoes.stdout_of(step_path) as stdout:
                done = self._launch(argv, stdout)
                stderr = self._echoes.led(step_path, done.stderr)
        except ExecutionError as exc:  # the step server died: this step failed, not the input
            return self._unrecorded(step_path, str(exc))
        except BaseException as exc:
            # Interrupted: the step's process is gone (killed once its grace was over), so
            # its attempt is closed here, unless it recorded the interruption itself.
            self._unrecorded(step_path, f"interrupted: {type(exc).__name__} {exc}".strip())
            raise
        sys.stderr.write(stderr)
        if done.returncode == _BAD_INPUT:
            raise ExecutionError(f"step {step_path!r}: {unrecorded_end(done)}")
        if done.returncode not in _RECORDED:  # killed (the OOM killer) or crashed
            return self._unrecorded(step_path, unrecorded_end(done))
        return self._steps.record_of(self._plan.run_id, step_path).status is Status.SUCCESS

    def _unrecorded(self, step_path: str, reason: str) -> bool:
        """Close the attempt a step's process left open (if any) as failed, with `reason`."""
        closed = self._steps.abandon(self._plan.run_id, step_path, reason)
        return closed.status is Status.SUCCESS

    def fan_out(self, step_path: str) -> list[str] | None:
        return self._steps.fan_out(self._plan.run_id, step_path)

    def fan_in(self, step_path: str) -> bool:
        return self._steps.fan_in(self._plan.run_id, step_path).status is Status.SUCCESS

    def loop_next(self, step_path: str) -> str | None:
        return self._steps.loop_next(self._plan.run_id, step_path)

    def run_branches(self, branches: Sequence[Callable[[], object]]) -> None:
        run_all(branches, self._config.max_workers)
