"""The task port: how a task's command (a function, a shell command, ...) is run."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

from runplane.domain.graph import TaskSpec


@dataclass(frozen=True)
class TaskResult:
    """What a task produced: named returns, metrics, the parameters it consumed, a note.

    `outputs` are files the runner itself wrote (paths relative to the working directory,
    such as an executed notebook); the service puts them into the catalog with the step's
    own `put` patterns.
    """

    returns: dict[str, Any] = field(default_factory=dict)
    metrics: dict[str, Any] = field(default_factory=dict)
    parameters_used: dict[str, Any] = field(default_factory=dict)
    outputs: tuple[str, ...] = ()
    #: A note recorded on the successful attempt (a mocked task says it did not run).
    message: str = ""


@runtime_checkable
class TaskRunner(Protocol):
    """Runs one kind of task command."""

    def run(
        self,
        step_path: str,
        task: TaskSpec,
        parameters: Mapping[str, Any],
        env: Mapping[str, str],
    ) -> TaskResult:
        """Run the task with the run's parameters and `env` in its environment.

        `env` holds the variables runplane gives this attempt (the step's secrets,
        `RUNPLANE_ATTEMPT`), on top of the environment the task would have anyway: a task
        in another process gets them in that process's environment, a function called in
        this one sees them in `os.environ` while it runs (and no longer once it returns).
        They are the task's only source of secrets: a runner never fetches any itself.

        Raises ParameterError when the task needs a parameter that does not exist, and
        ExecutionError for anything else that makes the task fail (the cause chained).
        """
        ...
