"""runnable's YAML pipeline format (`dag:`), loaded into runplane graphs.

A runnable dag names its first step (`start_at`) and links steps by `next` and
`on_failure`. Here the chain from `start_at` becomes a Pipeline's step list, ending in
the `success` or `fail` step it reaches, and each `on_failure` chain becomes that step's
failure handler, so the same compatibility builders (and translations) as for runnable's
Python SDK apply. Python commands are `module.function`, imported from the working
directory (runnable's project root) or the file's folder.
"""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from runplane import sdk
from runplane.compat.runnable.composites import Conditional, Loop, Map, Parallel
from runplane.compat.runnable.dag_models import (
    COMMAND_TYPES,
    DAG_KEYS,
    RETURN_KINDS,
    STEP_KEYS,
    STUB,
    TERMINAL,
)
from runplane.compat.runnable.pipeline import Pipeline
from runplane.compat.runnable.steps import BaseTraversal
from runplane.compat.runnable.tasks import (
    Catalog,
    NotebookTask,
    PythonTask,
    ShellTask,
    Stub,
    metric,
)
from runplane.domain.errors import PipelineDefinitionError
from runplane.domain.graph import ReturnSpec


def load_dag(path: Path, document: Mapping[str, Any]) -> sdk.Pipeline:
    """The runplane pipeline of a runnable YAML file; errors name the file and the key."""
    for folder in (str(path.resolve().parent), os.getcwd()):
        if folder not in sys.path:
            sys.path.insert(0, folder)
    try:
        pipeline = _dag(document["dag"], "dag").runplane
    except PipelineDefinitionError as exc:
        raise PipelineDefinitionError(f"pipeline file '{path}': {exc}") from None
    pipeline.source_file = str(path)
    return pipeline


def _dag(dag: object, where: str) -> Pipeline:
    spec = _mapping(dag, where, DAG_KEYS)
    steps = _mapping(spec.get("steps"), f"{where}.steps", None)
    start = spec.get("start_at")
    if not isinstance(start, str):
        raise PipelineDefinitionError(f"{where}.start_at: name the first step (a string)")
    return _chain(steps, start, where)


def _chain(steps: Mapping[str, Any], start: str, where: str) -> Pipeline:
    """The steps from `start`, following `next` to a success or fail step."""
    built: list[BaseTraversal] = []
    name: str | None = start
    seen: set[str] = set()
    while name is not None:
        if name in seen:
            raise PipelineDefinitionError(f"{where}.steps.{name}: `next` leads back to it")
        seen.add(name)
        spec = _step_spec(steps, name, where)
        kind = spec["type"]
        if kind in TERMINAL:
            if not built:
                raise PipelineDefinitionError(f"{where}: the chain from {start!r} has no step")
            built[-1].terminate_with_failure = kind == "fail"
            return Pipeline(steps=built)
        try:
            step = _step(spec, name, f"{where}.steps.{name}")
        except KeyError as exc:
            raise PipelineDefinitionError(f"{where}.steps.{name}: missing key {exc}") from None
        if isinstance(spec.get("on_failure"), str):
            step.on_failure = _chain(steps, spec["on_failure"], where)
        built.append(step)
        name = spec.get("next")
        if not isinstance(name, str):
            raise PipelineDefinitionError(
                f"{where}.steps.{built[-1].name}.next: name the step that follows "
                "(`success` or `fail` to end)"
            )
    raise AssertionError("unreachable")  # pragma: no cover


def _step_spec(steps: Mapping[str, Any], name: str, where: str) -> dict[str, Any]:
    if name not in steps:
        raise PipelineDefinitionError(
            f"{where}: no step named {name!r}; steps are: {', '.join(steps)}"
        )
    spec = steps[name]
    kind = spec.get("type") if isinstance(spec, dict) else None
    if kind != STUB and kind not in STEP_KEYS:
        raise PipelineDefinitionError(
            f"{where}.steps.{name}.type: {kind!r} is not a step type; "
            f"valid: {', '.join([*STEP_KEYS, STUB])}"
        )
    if kind != STUB:
        _mapping(spec, f"{where}.steps.{name}", STEP_KEYS[kind])
    return dict(spec)


def _step(spec: dict[str, Any], name: str, where: str) -> BaseTraversal:
    kind = spec["type"]
    if kind == STUB:
        return Stub(name=name)
    if kind == "task":
        return _task(spec, name, where)
    if kind == "parallel":
        return Parallel(name=name, branches=_branches(spec, where))
    if kind == "conditional":
        return Conditional(name=name, branches=_branches(spec, where), parameter=spec["parameter"])
    if kind == "map":
        return Map(
            name=name,
            branch=_dag(spec.get("branch"), f"{where}.branch"),
            iterate_on=spec["iterate_on"],
            iterate_as=spec["iterate_as"],
            reducer=spec.get("reducer"),
        )
    return Loop(
        name=name,
        branch=_dag(spec.get("branch"), f"{where}.branch"),
        max_iterations=spec["max_iterations"],
        break_on=spec["break_on"],
        index_as=spec["index_as"],
    )


def _task(spec: dict[str, Any], name: str, where: str) -> BaseTraversal:
    command_type = spec.get("command_type", "python")
    command = spec.get("command")
    if command_type not in COMMAND_TYPES or not isinstance(command, str):
        raise PipelineDefinitionError(
            f"{where}: a task needs `command` (a string) and a `command_type` of "
            f"{', '.join(COMMAND_TYPES)}; got command_type {command_type!r}"
        )
    catalog = spec.get("catalog")
    options: dict[str, Any] = {
        "name": name,
        "returns": [_return(item, f"{where}.returns") for item in spec.get("returns") or []],
        "catalog": Catalog(**_mapping(catalog, f"{where}.catalog", None)) if catalog else None,
        "secrets": spec.get("secrets") or [],
        "overrides": spec.get("overrides") or {},
    }
    if command_type == "shell":
        return ShellTask(command=command, **options)
    if command_type == "notebook":
        return NotebookTask(notebook=command, **options)
    return PythonTask(function=_import(command, f"{where}.command"), **options)


def _return(item: object, where: str) -> str | ReturnSpec:
    if isinstance(item, str):
        return item
    spec = _mapping(item, where, frozenset({"name", "kind"}))
    kind = spec.get("kind", "json")
    if kind not in RETURN_KINDS or not isinstance(spec.get("name"), str):
        raise PipelineDefinitionError(
            f"{where}: a return is {{name, kind}} with kind one of {', '.join(RETURN_KINDS)}"
        )
    return metric(spec["name"]) if kind == "metric" else str(spec["name"])


def _branches(spec: dict[str, Any], where: str) -> dict[str, Pipeline]:
    branches = _mapping(spec.get("branches"), f"{where}.branches", None)
    return {key: _dag(dag, f"{where}.branches.{key}") for key, dag in branches.items()}


def _mapping(value: object, where: str, keys: frozenset[str] | None) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise PipelineDefinitionError(f"{where}: expected a mapping, got {type(value).__name__}")
    unknown = sorted(set(value) - keys) if keys is not None else []
    if unknown:
        raise PipelineDefinitionError(
            f"{where}: unknown key {unknown[0]!r}; valid keys: {', '.join(sorted(keys or ()))}"
        )
    return value


def _import(command: str, where: str) -> Callable[..., Any]:
    module_name, _, attribute = command.rpartition(".")
    try:
        function = getattr(importlib.import_module(module_name), attribute, None)
    except (ImportError, ValueError) as exc:
        raise PipelineDefinitionError(
            f"{where}: cannot import {command!r} ({exc}); give module.function, importable "
            "from the working directory or the file's folder"
        ) from None
    if not callable(function):
        raise PipelineDefinitionError(f"{where}: {command!r} is not a function")
    return function  # type: ignore[no-any-return]
