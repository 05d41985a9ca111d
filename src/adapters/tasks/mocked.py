"""Stands in for a task in a mocked run: returns the patch's values, runs nothing."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from runplane.domain.errors import ExecutionError
from runplane.domain.graph import ReturnKind, TaskSpec
from runplane.ports.task import TaskResult


class MockedTaskRunner:
    """Returns the values a stand-in task carries (its `function` gives them as a dict).

    Nothing runs, so the attempt's `env` goes nowhere.
    """

    def run(
        self,
        step_path: str,
        task: TaskSpec,
        parameters: Mapping[str, Any],
        env: Mapping[str, str],
    ) -> TaskResult:
        values = task.function() if task.function is not None else {}
        if not isinstance(values, dict):
            raise ExecutionError(
                f"step {step_path!r}: a mocked task's function must give a dict of returns, "
                f"got {type(values).__name__}"
            )
        kinds = {r.name: r.kind for r in task.returns}
        return TaskResult(
            returns={k: v for k, v in values.items() if k in kinds},  # a metric is passed on too
            metrics={k: v for k, v in values.items() if kinds.get(k) is ReturnKind.METRIC},
            message=f"mocked: {task.command!r} was not run",
        )
