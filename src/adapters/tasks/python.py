"""Runs a Python function, filling its arguments by name from the run's parameters."""

from __future__ import annotations

import argparse
import functools
import inspect
from collections.abc import Callable, Mapping
from typing import Any

from runplane.adapters.tasks.asynchronous import EventCallback, StreamError, settle
from runplane.adapters.tasks.environment import exposed
from runplane.domain.errors import ExecutionError, ParameterError
from runplane.domain.graph import TaskSpec
from runplane.domain.parameters import split_returns
from runplane.ports.task import TaskResult


class PythonTaskRunner:
    """Calls the task's function in this process (async functions in an event loop).

    The attempt's `env` is in `os.environ` while the function runs, an async one until
    its coroutine or stream has finished.

    `on_event` receives the events an async generator function streams (else dropped).
    """

    def __init__(self, on_event: EventCallback | None = None) -> None:
        self._on_event = on_event

    def run(
        self,
        step_path: str,
        task: TaskSpec,
        parameters: Mapping[str, Any],
        env: Mapping[str, str],
    ) -> TaskResult:
        function = task.function
        if function is None:
            raise ExecutionError(
                f"step {step_path!r}: python task {task.command!r} has no function to call"
            )
        kwargs = bind(step_path, function, parameters)
        try:
            with exposed(env):
                value = settle(step_path, function(**kwargs), task.returns, self._on_event)
        except StreamError:
            raise
        except Exception as exc:
            # The step is named by its record; the message is the user's own error.
            raise ExecutionError(f"{type(exc).__name__}: {exc}") from exc
        returned, metrics = split_returns(step_path, task.returns, value)
        # Values that are not JSON go back as they are: the caller decides how to keep them.
        returned = {name: _plain(item) for name, item in returned.items()}
        return TaskResult(returns=returned, metrics=metrics, parameters_used=_used(kwargs))


def bind(
    step_path: str, function: Callable[..., Any], parameters: Mapping[str, Any]
) -> dict[str, Any]:
    """Keyword arguments for `function` from `parameters`, by argument name.

    A pydantic-model annotation turns a dict into that model; `**kwargs` receives every
    parameter not bound by name, an argument annotated `argparse.Namespace` every
    parameter (as runnable gives it). Raises ParameterError naming the step, the argument and
    the parameters that exist.
    """
    kwargs: dict[str, Any] = {}
    takes_rest = False
    for name, kind, annotation, required in _arguments(function):
        if kind is inspect.Parameter.VAR_KEYWORD:
            takes_rest = True
        elif kind is inspect.Parameter.VAR_POSITIONAL:
            continue
        elif annotation in _NAMESPACE:
            kwargs[name] = argparse.Namespace(**parameters)
        elif name in parameters:
            kwargs[name] = _convert(step_path, name, parameters[name], annotation)
        elif required:
            available = ", ".join(sorted(parameters)) or "none"
            raise ParameterError(
                f"step {step_path!r}: argument {name!r} of {_name_of(function)}() has no "
                f"parameter of that name; parameters available: {available}"
            )
    if takes_rest:
        kwargs.update({k: v for k, v in parameters.items() if k not in kwargs})
    return kwargs


def _name_of(function: Callable[..., Any]) -> str:
    """A function's name, or a callable object's class name (it has no __qualname__)."""
    return getattr(function, "__qualname__", None) or type(function).__qualname__


_Argument = tuple[str, Any, Any, bool]  # name, kind, annotation, required


def _arguments(function: Callable[..., Any]) -> tuple[_Argument, ...]:
    """The function's arguments as `bind` reads them, worked out once per function.

    `inspect.signature` was the largest single cost of a step (a function is called once
    per step, often many times per process: maps, loops, the step server's children).
    """
    try:
        return _cached_arguments(function)
    except TypeError:  # an unhashable callable object: read it every time
        return _read_arguments(function)


def _read_arguments(function: Callable[..., Any]) -> tuple[_Argument, ...]:
    return tuple(
        (name, param.kind, param.annotation, param.default is param.empty)
        for name, param in inspect.signature(function).parameters.items()
    )


_cached_arguments = functools.lru_cache(maxsize=1024)(_read_arguments)


# The annotation as an object, or as the string `from __future__ import annotations` leaves.
_NAMESPACE = (argparse.Namespace, "argparse.Namespace", "Namespace")


def _used(kwargs: Mapping[str, Any]) -> dict[str, Any]:
    """The parameters a call consumed, by name: a namespace counts as all it holds."""
    used: dict[str, Any] = {}
    for name, value in kwargs.items():
        if isinstance(value, argparse.Namespace):
            used.update({k: _plain(v) for k, v in vars(value).items()})
        else:
            used[name] = _plain(value)
    return used


def _convert(step_path: str, name: str, value: Any, annotation: Any) -> Any:
    validate = getattr(annotation, "model_validate", None)
    if validate is None or not isinstance(value, dict):
        return value
    try:
        return validate(value)
    except ValueError as exc:  # pydantic's ValidationError is a ValueError
        raise ParameterError(
            f"step {step_path!r}: parameter {name!r} does not fit {annotation.__name__}: {exc}"
        ) from exc


def _plain(value: Any) -> Any:
    dump = getattr(value, "model_dump", None)
    return dump(mode="json") if callable(dump) and not isinstance(value, type) else value
