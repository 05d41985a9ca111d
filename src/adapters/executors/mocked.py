"""Walks the whole graph in this process, running only the tasks a patch replaces."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field, model_validator

from runplane.adapters.executors.local import LocalExecutor
from runplane.domain.errors import ConfigurationError
from runplane.domain.graph import Graph
from runplane.domain.mocking import Patch, mock_graph
from runplane.domain.run_log import Status
from runplane.domain.wiring import task_paths
from runplane.ports.executor import RunPlan, StepRunner

#: Task kinds whose command names a function (`module.function`) rather than a shell line.
_FUNCTION_KINDS = ("python",)


class PatchConfig(BaseModel):
    """What the mocked run does at one task."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    #: Run this instead: `module.function` for a python task, a command line for a shell task.
    command: str | None = None
    #: Or stand in with these values of the task's declared returns (others stay unset).
    returns: dict[str, Any] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _one_of(self) -> PatchConfig:
        if self.command is not None and self.returns:
            raise ValueError(
                "give either `command` (run it instead) or `returns` (stand in with these "
                "values), not both"
            )
        return self


class MockedExecutorConfig(BaseModel):
    """Settings of the mocked executor."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    #: Static step path (a map's iteration is `*`: `fan.*.train`) -> what to do there.
    patches: dict[str, PatchConfig] = Field(default_factory=dict)


class MockedExecutor:
    """Tests a pipeline's wiring: unpatched tasks are recorded as mocked successes, not run.

    Composite steps open and close as usual, so a map needs its list and a conditional its
    parameter: give them as `returns` of the patch of the task that produces them.
    """

    Config: ClassVar[type[MockedExecutorConfig]] = MockedExecutorConfig

    def __init__(self, config: MockedExecutorConfig | None = None) -> None:
        self._config = config or MockedExecutorConfig()

    def rewrite(self, graph: Graph) -> Graph:
        kinds = {path: node.task.kind for path, node in task_paths(graph) if node.task}
        patches = {
            path: Patch(
                command=patch.command,
                function=_function(path, patch.command)
                if patch.command is not None and kinds.get(path) in _FUNCTION_KINDS
                else None,
                returns=patch.returns,
            )
            for path, patch in self._config.patches.items()
        }
        return mock_graph(graph, patches)

    def execute(self, plan: RunPlan, steps: StepRunner) -> Status:
        return LocalExecutor().execute(plan, steps)


def _function(path: str, command: str) -> Callable[..., Any]:
    """Import the function a patch names as `module.function`."""
    where = f"executor.config.patches.{path}.command"
    module_name, _, attribute = command.rpartition(".")
    if not module_name or not attribute.isidentifier():
        raise ConfigurationError(
            f"{where}: {command!r} is not `module.function` (a python task is patched with "
            "an importable function)"
        )
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise ConfigurationError(f"{where}: cannot import module {module_name!r}: {exc}") from exc
    function = getattr(module, attribute, None)
    if not callable(function):
        raise ConfigurationError(f"{where}: module {module_name!r} has no function {attribute!r}")
    return function  # type: ignore[no-any-return]
