"""A pipeline built from `spec.json` beside this file (written by test_executors_agree.py).

Every task records what it received (the shape of each argument: exact types and content)
under $DIFF_OUT/received/, and counts its attempts under $DIFF_OUT/attempts/, so planned
failures fail the same attempts on every executor. Spec steps:

- {"task": name, "value": recipe | null, "fail": n, "attempts": m, "on_failure": [steps] | null,
   "recover": bool}: fails its first n attempts; returns `r_<name>` built from the recipe
  (or, given "values": {name: recipe}, returns each of those);
- {"parallel": name, "branches": {key: [steps]}};
- {"map": name, "branch": [steps]}: over the parameter `items`, as `item_<name>`;
- {"conditional": name, "branches": {key: [steps]}}: on the parameter `choice`;
- {"loop": name, "branch": [steps], "iterations": k}: stops after iteration k (index
  `iteration_<name>`), at most 3.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from diff_values import build, shape  # type: ignore[import-not-found]  # a sibling file

from runplane import Conditional, Loop, Map, Parallel, Pipeline, PythonTask, Success

SPEC = json.loads((Path(__file__).parent / "spec.json").read_text())
#: Map items and loop indices in the arguments: they tell iterations of one step apart.
_VARIABLES = ("item_", "iteration_")


def _call_key(name: str, kwargs: dict[str, Any]) -> str:
    variables = sorted((k, v) for k, v in kwargs.items() if k.startswith(_VARIABLES))
    return name + "".join(f"__{k}={v}" for k, v in variables)


def _next_attempt(key: str) -> int:
    folder = Path(os.environ["DIFF_OUT"], "attempts")
    folder.mkdir(parents=True, exist_ok=True)
    counter = folder / key
    number = len(counter.read_text()) + 1 if counter.exists() else 1
    counter.write_text("x" * number)
    return number


def _task_function(step: dict[str, Any]) -> Callable[..., Any]:
    name = step["task"]
    value = step.get("value")

    def task(**kwargs: Any) -> Any:
        key = _call_key(name, kwargs)
        attempt = _next_attempt(key)
        received = {k: shape(v) for k, v in sorted(kwargs.items())}
        out = Path(os.environ["DIFF_OUT"], "received")
        out.mkdir(parents=True, exist_ok=True)
        (out / f"{key}__attempt={attempt}.json").write_text(json.dumps(received))
        if attempt <= step.get("fail", 0):
            raise RuntimeError(f"planned failure {attempt} of {name}")
        if "values" in step:
            return tuple(build(recipe) for recipe in step["values"].values())
        return build(value) if value is not None else None

    task.__name__ = task.__qualname__ = name
    return task


def _returns(spec: dict[str, Any]) -> list[str]:
    if "values" in spec:
        return list(spec["values"])
    return [f"r_{spec['task']}"] if spec.get("value") is not None else []


def _stopper(loop: str, iterations: int) -> Callable[..., bool]:
    def stop(**kwargs: Any) -> bool:
        return bool(kwargs[f"iteration_{loop}"] >= iterations - 1)

    stop.__name__ = stop.__qualname__ = f"stop_{loop}"
    return stop


def _steps(specs: list[dict[str, Any]]) -> list[Any]:
    return [_step(spec) for spec in specs]


def _step(spec: dict[str, Any]) -> Any:
    if "task" in spec:
        handler = spec.get("on_failure")
        on_failure = None
        if handler is not None:
            on_failure = Pipeline(_steps(handler) + ([Success()] if spec.get("recover") else []))
        return PythonTask(
            _task_function(spec),
            name=spec["task"],
            returns=_returns(spec),
            max_attempts=spec.get("attempts", 1),
            on_failure=on_failure,
        )
    if "parallel" in spec:
        branches = {k: Pipeline(_steps(v)) for k, v in spec["branches"].items()}
        return Parallel(spec["parallel"], branches=branches)
    if "map" in spec:
        name = spec["map"]
        return Map(name, "items", f"item_{name}", Pipeline(_steps(spec["branch"])))
    if "conditional" in spec:
        branches = {k: Pipeline(_steps(v)) for k, v in spec["branches"].items()}
        return Conditional(spec["conditional"], "choice", branches)
    name = spec["loop"]
    stop = PythonTask(
        _stopper(name, spec["iterations"]), name=f"stop_{name}", returns=[f"stop_{name}"]
    )
    return Loop(
        name,
        Pipeline([*_steps(spec["branch"]), stop]),
        break_on=f"stop_{name}",
        max_iterations=3,
        index_as=f"iteration_{name}",
    )


pipeline = Pipeline(_steps(SPEC["steps"]))
