"""`runplane check`: the static wiring check, fed with what function signatures require."""

from __future__ import annotations

import argparse
import inspect
import os
from collections.abc import Callable, Mapping
from typing import Any

from runplane.app.loader import load_parameters
from runplane.domain.graph import Graph
from runplane.domain.parameters import env_overrides
from runplane.domain.wiring import WiringProblem, check_wiring, task_paths


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
        and parameter.annotation not in (argparse.Namespace, "argparse.Namespace", "Namespace")
    )


def check_pipeline(
    graph: Graph,
    parameters_file: str | None = None,
    environ: Mapping[str, str] | None = None,
) -> list[WiringProblem]:
    """Every input of a step that no parameter, map variable or earlier step provides.

    The parameters are those a run would start with: the parameters file, then the
    `RUNPLANE_PRM_*` overrides. Only tasks that call a function have known arguments.
    """
    provided = {
        **load_parameters(parameters_file),
        **env_overrides(os.environ if environ is None else environ),
    }
    needs = {
        path: required_arguments(node.task.function)
        for path, node in task_paths(graph)
        if node.task is not None and node.task.function is not None
    }
    return check_wiring(graph, provided, needs)
