"""What orchestrator pods need around composite steps: outputs Argo can compare, batches.

Argo evaluates `when` with govaluate after substituting outputs, and govaluate ends a quoted
string at either quote character, so a JSON list of keys cannot be compared safely. The
pods therefore write outputs that need no quoting: a conditional's chosen branch as its
position (a bare integer), whether a loop goes on as `true`/`false`, a map's batches as a
JSON list of integers. `execute-branches` runs one batch of a map's branches in one pod.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Annotated

import typer

from runplane.adapters.cli.commands import (
    EXIT_RUN_FAILED,
    ConfigOption,
    DebugOption,
    PipelineArgument,
    _user_errors,
    cli,
    err,
)
from runplane.domain.errors import ExecutionError
from runplane.domain.graph import ConditionalSpec, Graph, MapSpec, NodeKind, join
from runplane.domain.run_log import Status
from runplane.domain.traversal import traverse
from runplane.ports.driving import Application

RunIdOption = Annotated[str, typer.Option("--run-id", help="The run (Argo: the workflow's).")]
StepArgument = Annotated[str, typer.Argument(help="Step path of a map step, e.g. 'fan'.")]


def write_output(path: str | None, text: str) -> None:
    """Write an output file for Argo (no newline: Argo passes the file's text on as-is)."""
    if path:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        Path(path).write_text(text)


def chosen_position(graph: Graph, step: str, keys: Sequence[str]) -> str:
    """A conditional's chosen branch as its position among the branches; -1 when none."""
    spec = graph.find(step).composite
    if not isinstance(spec, ConditionalSpec) or not keys:
        return "-1"
    return str(list(spec.branches).index(keys[0]))


def batch_numbers(keys: Sequence[str], batch_size: int) -> str:
    """The batches of `batch_size` branches as a JSON list of integers, [] for no branches."""
    return "[" + ", ".join(str(n) for n in range(math.ceil(len(keys) / batch_size))) + "]"


@cli.command("execute-branches")
def execute_branches(
    ctx: typer.Context,
    pipeline: PipelineArgument,
    step: StepArgument,
    run_id: RunIdOption,
    batch: Annotated[int, typer.Option("--batch", min=0, help="Which batch: 0, 1, ...")],
    batch_size: Annotated[
        int, typer.Option("--batch-size", min=1, help="Branches per batch (iterations_per_pod).")
    ],
    config_file: ConfigOption = None,
    debug: DebugOption = False,
) -> None:
    """Run one batch of a map step's branches here, one after another; exit 1 if any failed.

    The map must be open (`fan-out`); each branch's steps get their own records, as if
    each branch ran in its own pods. Batch n holds branches n*size to (n+1)*size - 1.
    """
    with _user_errors(debug):
        app = ctx.obj(config_file)
        graph = app.definitions.pipeline(pipeline)
        failed = run_batch(
            app, graph, run_id, step, range(batch * batch_size, (batch + 1) * batch_size)
        )
    if failed:
        err.print(f"branches of {step!r} failed: {', '.join(failed)}", markup=False)
        raise typer.Exit(EXIT_RUN_FAILED)


def run_batch(
    app: Application, graph: Graph, run_id: str, step: str, positions: range
) -> list[str]:
    """Walk the map's branches at `positions` (past the end: none); the keys that failed."""
    node = graph.find(step)
    if not isinstance(node.composite, MapSpec):
        raise ExecutionError(f"step {step!r} is not a map step; execute-branches runs maps")
    record = app.queries.get_run(run_id).steps.get(step)
    if record is None:
        raise ExecutionError(f"map {step!r} of run {run_id!r} is not open: run fan-out first")
    keys = list(record.branches)[positions.start : positions.stop]
    hooks = _InPod(app, graph, run_id)
    return [
        key
        for key in keys
        if traverse(node.branch(key), hooks, join(step, key)).kind is not NodeKind.SUCCESS
    ]


class _InPod:
    """Traversal hooks running every step of a branch in this process (the pod)."""

    def __init__(self, app: Application, graph: Graph, run_id: str) -> None:
        self._app, self._graph, self._run_id = app, graph, run_id

    def step(self, step_path: str) -> bool:
        record = self._app.steps.execute_step(self._graph, self._run_id, step_path)
        return record.status is Status.SUCCESS

    def fan_out(self, step_path: str) -> list[str] | None:
        return self._app.steps.fan_out(self._graph, self._run_id, step_path)

    def fan_in(self, step_path: str) -> bool:
        record = self._app.steps.fan_in(self._graph, self._run_id, step_path)
        return record.status is Status.SUCCESS

    def loop_next(self, step_path: str) -> str | None:
        return self._app.steps.loop_next(self._graph, self._run_id, step_path)

    def run_branches(self, branches: Sequence[Callable[[], object]]) -> None:
        for branch in branches:
            branch()
