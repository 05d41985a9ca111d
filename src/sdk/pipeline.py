"""The Pipeline users build, and how its steps (and their failure handlers) become its graph.

Iterative, with an explicit stack standing in for the recursion into `on_failure`
handlers, so a chain of 3,000 handlers (each the handler of the one before) builds without
approaching the recursion limit. Nodes are added in the order the recursion would add them
(a handler's steps before the step they handle), which run logs and pictures keep.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from runplane.domain.errors import ExecutionError, PipelineDefinitionError
from runplane.domain.graph import FAIL, SUCCESS, Graph, Node, NodeKind
from runplane.domain.limits import check_step_paths
from runplane.sdk.application import application
from runplane.sdk.steps import Fail, Success, _Step

if TYPE_CHECKING:
    from runplane.domain.run_log import RunLog

_SHOWN = 3  # handlers named in the error about a step in its own chain
STEP_KINDS = (
    "PythonTask, ShellTask, NotebookTask, Stub, Parallel, Map, Conditional, Success or Fail"
)


@dataclass
class _Chain:
    """A list of steps being added, each leading to the next and the last to `end`."""

    steps: Sequence[Any]
    end: str
    index: int = 0
    handler_done: bool = False  # the current step's handler (if any) has been added


def chain(steps: Sequence[_Step], nodes: dict[str, Node], end: str) -> str:
    """Add `steps` to `nodes`, each leading to the next and the last to `end`; the first name."""
    _check_steps(steps, "pipeline")
    stack = [_Chain(steps, end)]
    handling: list[str] = []  # steps whose handler is being added, outermost first
    while stack:
        frame = stack[-1]
        if frame.index == len(frame.steps):
            stack.pop()
            if handling and len(stack) > 0:
                handling.pop()
            continue
        step = frame.steps[frame.index]
        handler = _handler_steps(step)
        if not frame.handler_done:
            _check_terminal_last(frame, step)
            if step.name in handling:
                raise _own_handler(step.name, handling[handling.index(step.name) + 1 :])
            _claim(step.name, nodes, terminal=_is_terminal(step))
            frame.handler_done = True
            if handler:
                # A failure handler's path ends the run failed unless it ends in Success().
                handling.append(step.name)
                stack.append(_Chain(handler, FAIL))
                continue
        following = (
            frame.steps[frame.index + 1].name if frame.index + 1 < len(frame.steps) else None
        )
        nodes[step.name] = step.node(following or frame.end, handler[0].name if handler else None)
        frame.index += 1
        frame.handler_done = False
    return steps[0].name


def _handler_steps(step: _Step) -> Sequence[Any]:
    """The steps of `step.on_failure`: a Pipeline's steps, or the one step given."""
    handler = step.on_failure
    if handler is None:
        return ()
    if isinstance(handler, Pipeline):
        steps: Sequence[Any] = handler.steps
    elif isinstance(handler, _Step):
        steps = [handler]
    else:
        raise PipelineDefinitionError(
            f"step {step.name!r}: on_failure must be a Pipeline or a step; "
            f"got a {type(handler).__name__}"
        )
    _check_steps(steps, f"step {step.name!r}: on_failure")
    return steps


def _check_steps(steps: Sequence[Any], where: str) -> None:
    if not steps:
        raise PipelineDefinitionError(f"{where}: a pipeline needs at least one step")
    for index, step in enumerate(steps):
        if not isinstance(step, _Step):
            raise PipelineDefinitionError(
                f"{where} step {index} is a {type(step).__name__}; expected {STEP_KINDS}"
            )


def _is_terminal(step: _Step) -> bool:
    return isinstance(step, Success | Fail)


def _check_terminal_last(frame: _Chain, step: _Step) -> None:
    if _is_terminal(step) and frame.index != len(frame.steps) - 1:
        raise PipelineDefinitionError(
            f"step {step.name!r} ends the run, so steps after it could never run"
        )


def _claim(name: str, nodes: dict[str, Node], *, terminal: bool) -> None:
    existing = nodes.get(name)
    if existing is None or (terminal and existing.is_terminal and name in (SUCCESS, FAIL)):
        return
    if name in (SUCCESS, FAIL):
        raise PipelineDefinitionError(
            f"step name {name!r} is reserved for the pipeline's own end; rename the step"
        )
    raise PipelineDefinitionError(f"duplicate step name {name!r}; step names must be unique")


def _own_handler(name: str, between: list[str]) -> PipelineDefinitionError:
    """A step that handles its own failure, directly or through other handlers."""
    if not between:
        return PipelineDefinitionError(
            f"step {name!r} is its own on_failure handler; a handler must be other steps"
        )
    shown = ", ".join(repr(h) for h in between[:_SHOWN]) + (", ..." if between[_SHOWN:] else "")
    return PipelineDefinitionError(
        f"step {name!r} is in its own on_failure chain (through {shown}); a handler "
        "must be other steps"
    )


class Pipeline:
    """Steps that run in list order. Building one checks it; `execute()` runs it."""

    def __init__(self, steps: Sequence[_Step], name: str | None = None) -> None:
        self.steps = list(steps)
        self.name = name
        self.graph = self._build()
        # The file that built the pipeline: a subprocess or a container reloads it from there.
        self.source_file: str | None = sys._getframe(1).f_globals.get("__file__")

    def execute(
        self,
        configuration_file: str | None = None,
        parameters_file: str | None = None,
        run_id: str | None = None,
        tag: str | None = None,
        on_event: Callable[[dict[str, Any]], None] | None = None,
    ) -> RunLog:
        """Run the pipeline with the configured adapters; raise RunFailedError if it fails.

        `on_event` receives the events async generator tasks stream (local executors).
        """
        app = application(configuration_file, on_event=on_event)  # runs a graph, loads no file
        run = app.run(
            self.graph,
            parameters_file=parameters_file,
            run_id=run_id,
            tag=tag,
            pipeline_file=self.source_file,
        )
        where = app.run_log_location(run.run_id)
        sys.stderr.write(f"run {run.run_id}: {run.status.value}; run log: {where}\n")
        if run.status.value != "success":
            raise RunFailedError(run, where)
        return run

    def _build(self) -> Graph:
        if not self.steps:
            raise PipelineDefinitionError("a pipeline needs at least one step")
        nodes: dict[str, Node] = {
            SUCCESS: Node(SUCCESS, NodeKind.SUCCESS),
            FAIL: Node(FAIL, NodeKind.FAIL),
        }
        start = chain(self.steps, nodes, end=SUCCESS)
        graph = Graph(start_at=start, nodes=nodes, name=self.name)
        check_step_paths(graph)
        return graph


class RunFailedError(ExecutionError):
    """A run ended as failed; the run log says which step and why."""

    def __init__(self, run: RunLog, where: str) -> None:
        failed = [s for s in run.steps.values() if s.status.value == "fail"]
        detail = f"; step {failed[-1].path!r}: {failed[-1].message}" if failed else ""
        super().__init__(f"run {run.run_id!r} failed{detail} (run log: {where})")
        self.run_log = run
