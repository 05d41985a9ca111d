"""The contracts every task runner passes: override `runner` and `tasks`.

The port takes a task of the runner's own kind (a function, a shell line, a notebook), so
the contract cannot write the tasks itself: a subclass gives a `tasks` fixture that builds,
in its kind, the few tasks the contract runs (`ContractTasks`).
"""

from __future__ import annotations

import os
from typing import Any, Protocol

import pytest

from runplane.domain.errors import ExecutionError
from runplane.domain.graph import ReturnKind, TaskSpec
from runplane.ports.task import TaskRunner

#: Variables the contract gives tasks; the names are unlikely to exist already.
SECRET = "RUNPLANE_CONTRACT_SECRET"
INHERITED = "RUNPLANE_CONTRACT_INHERITED"
#: What a task returns for a variable that is not in its environment.
UNSET = "<unset>"


class ContractTasks(Protocol):
    """Builds the contract's tasks in a runner's own kind."""

    def returning(self, values: dict[str, Any], metrics: tuple[str, ...] = ()) -> TaskSpec:
        """A task returning `values` by name (JSON values); names in `metrics` are metrics."""
        ...

    def echoing(self, parameter: str, into: str) -> TaskSpec:
        """A task returning its parameter `parameter` as its return `into`."""
        ...

    def reading_env(self, variable: str, into: str) -> TaskSpec:
        """A task returning the value of `variable` in its environment (else UNSET) as `into`."""
        ...

    def failing(self) -> TaskSpec:
        """A task whose command fails (raises, exits non-zero, a cell errors)."""
        ...


class TaskRunnerContract:
    """Behaviour every TaskRunner has, including one that runs nothing (mocked)."""

    @pytest.fixture
    def runner(self) -> TaskRunner:
        raise NotImplementedError

    @pytest.fixture
    def tasks(self) -> ContractTasks:
        raise NotImplementedError("override `tasks`: builds the contract's tasks in this kind")

    def test_returns_are_the_declared_values_by_name(
        self, runner: TaskRunner, tasks: ContractTasks
    ) -> None:
        values = {"answer": 42, "label": "forty two", "nested": {"a": [1, 2.5, None, True]}}
        result = runner.run("produce", tasks.returning(values), {}, {})
        assert result.returns == values
        assert result.metrics == {}

    def test_a_metric_is_a_metric_and_a_return(
        self, runner: TaskRunner, tasks: ContractTasks
    ) -> None:
        task = tasks.returning({"score": 0.75, "model": "m1"}, metrics=("score",))
        assert [r.kind for r in task.returns if r.name == "score"] == [ReturnKind.METRIC]
        result = runner.run("train", task, {}, {})
        assert result.metrics == {"score": 0.75}
        assert result.returns == {"score": 0.75, "model": "m1"}

    def test_this_process_environment_is_left_as_it_was(
        self, runner: TaskRunner, tasks: ContractTasks, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setenv(INHERITED, "before")
        monkeypatch.delenv(SECRET, raising=False)
        runner.run("produce", tasks.returning({"x": 1}), {}, {SECRET: "s", INHERITED: "during"})
        assert SECRET not in os.environ
        assert os.environ[INHERITED] == "before"


class TaskRunnerExecutionContract(TaskRunnerContract):
    """Behaviour of runners that run the task's command: parameters in, env seen, failures."""

    @pytest.mark.parametrize("value", [41, "forty one", [1, {"a": "b"}], {"k": 1.5}])
    def test_the_task_gets_its_parameter(
        self, runner: TaskRunner, tasks: ContractTasks, value: Any
    ) -> None:
        result = runner.run("echo", tasks.echoing("x", into="y"), {"x": value, "other": 1}, {})
        assert result.returns == {"y": value}
        assert result.parameters_used["x"] == value

    def test_the_task_sees_the_env_it_is_given(
        self, runner: TaskRunner, tasks: ContractTasks, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.delenv(SECRET, raising=False)
        value = "s3cr3t with spaces, 'quotes' and unicode: \u00e9\u4e2d"
        result = runner.run("read", tasks.reading_env(SECRET, into="seen"), {}, {SECRET: value})
        assert result.returns == {"seen": value}
        assert SECRET not in os.environ

    def test_the_env_given_wins_over_this_process_environment(
        self, runner: TaskRunner, tasks: ContractTasks, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setenv(SECRET, "the process's")
        task = tasks.reading_env(SECRET, into="seen")
        assert runner.run("read", task, {}, {SECRET: "the attempt's"}).returns == {
            "seen": "the attempt's"
        }
        assert os.environ[SECRET] == "the process's"

    def test_the_task_inherits_the_rest_of_this_process_environment(
        self, runner: TaskRunner, tasks: ContractTasks, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setenv(INHERITED, "from the process")
        result = runner.run("read", tasks.reading_env(INHERITED, into="seen"), {}, {SECRET: "s"})
        assert result.returns == {"seen": "from the process"}

    def test_only_the_env_of_its_own_run_reaches_a_task(
        self, runner: TaskRunner, tasks: ContractTasks, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.delenv(SECRET, raising=False)
        task = tasks.reading_env(SECRET, into="seen")
        runner.run("first", task, {}, {SECRET: "first step's secret"})
        assert runner.run("second", task, {}, {}).returns == {"seen": UNSET}

    def test_a_failing_task_raises_execution_error_and_restores_the_environment(
        self, runner: TaskRunner, tasks: ContractTasks, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.delenv(SECRET, raising=False)
        with pytest.raises(ExecutionError):
            runner.run("boom", tasks.failing(), {}, {SECRET: "s"})
        assert SECRET not in os.environ
