"""Every task runner in this process's reach passes the task runner contracts.

The notebook runner starts a kernel per task, so it runs them in
tests/integration/test_notebook_contract.py.
"""

from __future__ import annotations

import inspect
import json
import os
import shlex
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest

from runplane.adapters.tasks.mocked import MockedTaskRunner
from runplane.adapters.tasks.python import PythonTaskRunner
from runplane.adapters.tasks.shell import ShellTaskRunner
from runplane.domain.graph import ReturnKind, ReturnSpec, TaskSpec
from runplane.ports.task import TaskRunner
from runplane.testing.task import (
    UNSET,
    ContractTasks,
    TaskRunnerContract,
    TaskRunnerExecutionContract,
)


def declared(names: list[str], metrics: tuple[str, ...] = ()) -> tuple[ReturnSpec, ...]:
    return tuple(
        ReturnSpec(n, ReturnKind.METRIC if n in metrics else ReturnKind.JSON) for n in names
    )


def taking(parameter: str, body: Callable[..., Any]) -> Callable[..., Any]:
    """`body`, seen by the runner as a function of one argument named `parameter`."""
    body.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
        [inspect.Parameter(parameter, inspect.Parameter.KEYWORD_ONLY)]
    )
    return body


def ordered(values: dict[str, Any]) -> Any:
    """What a function returns for these values, in declared order."""
    items = tuple(values.values())
    return items[0] if len(items) == 1 else items


class PythonTasks:
    """Plain functions."""

    kind = "python"

    def task(self, function: Callable[..., Any], returns: tuple[ReturnSpec, ...]) -> TaskSpec:
        return TaskSpec(self.kind, function.__name__, function=function, returns=returns)

    def returning(self, values: dict[str, Any], metrics: tuple[str, ...] = ()) -> TaskSpec:
        def produce() -> Any:
            return ordered(values)

        return self.task(produce, declared(list(values), metrics))

    def echoing(self, parameter: str, into: str) -> TaskSpec:
        return self.task(taking(parameter, lambda **kw: kw[parameter]), declared([into]))

    def reading_env(self, variable: str, into: str) -> TaskSpec:
        def read() -> str:
            return os.environ.get(variable, UNSET)

        return self.task(read, declared([into]))

    def failing(self) -> TaskSpec:
        def boom() -> None:
            raise RuntimeError("the task failed")

        return self.task(boom, ())


class CoroutineTasks(PythonTasks):
    """Async functions: the runner awaits them in an event loop."""

    def task(self, function: Callable[..., Any], returns: tuple[ReturnSpec, ...]) -> TaskSpec:
        async def awaited(**kwargs: Any) -> Any:
            return function(**kwargs)

        awaited.__signature__ = inspect.signature(function)  # type: ignore[attr-defined]
        return super().task(awaited, returns)


class StreamingTasks(PythonTasks):
    """Async generators: the returns come in the stream's last event, read in the loop."""

    def task(self, function: Callable[..., Any], returns: tuple[ReturnSpec, ...]) -> TaskSpec:
        names = [r.name for r in returns]

        async def streamed(**kwargs: Any) -> AsyncIterator[dict[str, Any]]:
            yield {"type": "progress"}
            value = function(**kwargs)  # runs in the loop, after the first event
            values = (value,) if len(names) == 1 else (value or ())
            yield {"type": "done", **dict(zip(names, values, strict=True))}

        streamed.__signature__ = inspect.signature(function)  # type: ignore[attr-defined]
        return super().task(streamed, returns)


class ShellTasks:
    """Shell lines writing `name=value` lines to $RUNPLANE_RETURNS."""

    def returning(self, values: dict[str, Any], metrics: tuple[str, ...] = ()) -> TaskSpec:
        lines = " ".join(
            shlex.quote(f"{name}={json.dumps(value)}") for name, value in values.items()
        )
        command = f'printf "%s\\n" {lines} >> "$RUNPLANE_RETURNS"'
        return TaskSpec("shell", command, returns=declared(list(values), metrics))

    def echoing(self, parameter: str, into: str) -> TaskSpec:
        command = f'printf "%s\\n" "{into}=$RUNPLANE_PRM_{parameter}" >> "$RUNPLANE_RETURNS"'
        return TaskSpec("shell", command, returns=declared([into]))

    def reading_env(self, variable: str, into: str) -> TaskSpec:
        command = f'printf "%s\\n" "{into}=${{{variable}-{UNSET}}}" >> "$RUNPLANE_RETURNS"'
        return TaskSpec("shell", command, returns=declared([into]))

    def failing(self) -> TaskSpec:
        return TaskSpec("shell", "echo failing >&2; exit 3")


class MockedTasks:
    """Stand-ins carrying their values; nothing runs, so only `returning` is asked for."""

    def returning(self, values: dict[str, Any], metrics: tuple[str, ...] = ()) -> TaskSpec:
        return TaskSpec(
            "python",
            "module.produce",
            function=lambda: dict(values),
            returns=declared(list(values), metrics),
        )

    def echoing(self, parameter: str, into: str) -> TaskSpec:
        raise NotImplementedError("a stand-in runs nothing")

    def reading_env(self, variable: str, into: str) -> TaskSpec:
        raise NotImplementedError("a stand-in runs nothing")

    def failing(self) -> TaskSpec:
        raise NotImplementedError("a stand-in runs nothing")


class TestPythonTaskRunner(TaskRunnerExecutionContract):
    @pytest.fixture
    def runner(self) -> TaskRunner:
        return PythonTaskRunner()

    @pytest.fixture
    def tasks(self) -> ContractTasks:
        return PythonTasks()


class TestPythonTaskRunnerWithCoroutines(TaskRunnerExecutionContract):
    @pytest.fixture
    def runner(self) -> TaskRunner:
        return PythonTaskRunner()

    @pytest.fixture
    def tasks(self) -> ContractTasks:
        return CoroutineTasks()


class TestPythonTaskRunnerWithStreams(TaskRunnerExecutionContract):
    @pytest.fixture
    def runner(self) -> TaskRunner:
        return PythonTaskRunner(on_event=lambda event: None)

    @pytest.fixture
    def tasks(self) -> ContractTasks:
        return StreamingTasks()


class TestShellTaskRunner(TaskRunnerExecutionContract):
    @pytest.fixture
    def runner(self) -> TaskRunner:
        return ShellTaskRunner()

    @pytest.fixture
    def tasks(self) -> ContractTasks:
        return ShellTasks()


class TestMockedTaskRunner(TaskRunnerContract):
    @pytest.fixture
    def runner(self) -> TaskRunner:
        return MockedTaskRunner()

    @pytest.fixture
    def tasks(self) -> ContractTasks:
        return MockedTasks()
