"""`runplane check`: the static wiring check, fed with what function signatures require."""

from __future__ import annotations

import argparse
import inspect
import os
from collections.abc import Callable, Mapping
from typing import Any

from runplane.app.initial_parameters import starting_parameters
from runplane.domain.graph import ConditionalSpec, Graph, MapSpec
from runplane.domain.wiring import (
    UnwiredPipelineError,
    WiringProblem,
    branches_of,
    check_wiring,
    task_paths,
)

#: An argument annotated so receives every parameter (runnable's convention).
_NAMESPACE = (argparse.Namespace, "argparse.Namespace", "Namespace")


def required_arguments(function: Callable[..., Any]) -> tuple[str, ...]:
    """Names of the arguments a call must be given: no default, not `*args` or `**kwargs`.

    An argument annotated `argparse.Namespace` receives every parameter: it needs none.
    """
    try:
        signature = inspect.signature(function)
    except (TypeError, ValueError):  # builtins without a signature: nothing we can check
        return ()
    variadic = (inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD)
    return tuple(
        name
        for name, parameter in signature.parameters.items()
        if parameter.kind not in variadic
        and parameter.default is parameter.empty
        and parameter.annotation not in _NAMESPACE
    )


def check_pipeline(
    graph: Graph,
    parameters_file: str | None = None,
    environ: Mapping[str, str] | None = None,
    *,
    parameters: Mapping[str, Any] | None = None,
) -> list[WiringProblem]:
    """Every input of a step that no parameter, map variable or earlier step provides.

    The parameters are those a run would start with: the parameters file and `parameters`
    (`--param`), then the `RUNPLANE_PRM_*` overrides. Only tasks that call a function have
    known arguments.
    """
    environ = os.environ if environ is None else environ
    provided = starting_parameters(parameters_file, environ, parameters)[0]
    needs = {
        path: required_arguments(node.task.function)
        for path, node in task_paths(graph)
        if node.task is not None and node.task.function is not None
    }
    return check_wiring(graph, provided, needs)


def refuse_unwired(
    graph: Graph, parameters_file: str | None, parameters: Mapping[str, Any] | None, where: str
) -> None:
    """Raise UnwiredPipelineError listing every unprovided input, if there is one."""
    problems = check_pipeline(graph, parameters_file, parameters=parameters)
    if problems:
        raise UnwiredPipelineError(where, problems)


def unread_parameters(graph: Graph, parameters: Mapping[str, Any]) -> list[str]:
    """The parameters no step reads, sorted: likely typos, or leftovers of an old pipeline.

    Empty when some step may read any parameter: a shell task (it is given every one), a
    notebook (its parameters cell is read when it runs) or a function taking `**kwargs` or
    an `argparse.Namespace`.
    """
    read: set[str] = set()
    pending = [graph]
    while pending:
        for node in pending.pop().nodes.values():
            spec = node.composite
            if isinstance(spec, MapSpec):
                read.add(spec.iterate_on)
            elif isinstance(spec, ConditionalSpec):
                read.add(spec.parameter)
            pending.extend(branch for _, branch in branches_of(node))
            if node.task is None:
                continue
            arguments = _arguments(node.task.function)
            if arguments is None:
                return []
            read.update(arguments)
    return sorted(set(parameters) - read)


def _arguments(function: Callable[..., Any] | None) -> set[str] | None:
    """Names a function can be given; None when it takes any (or is not a function)."""
    if function is None:
        return None
    try:
        signature = inspect.signature(function)
    except (TypeError, ValueError):
        return None
    if any(
        p.kind is inspect.Parameter.VAR_KEYWORD or p.annotation in _NAMESPACE
        for p in signature.parameters.values()
    ):
        return None
    return set(signature.parameters)
