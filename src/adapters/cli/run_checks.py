"""What `runplane run` checks before the first step: the wiring, and parameters nobody reads."""

from __future__ import annotations

from typing import Any

from rich.console import Console

from runplane.domain.errors import ParameterError
from runplane.domain.graph import Graph
from runplane.domain.wiring import WiringProblem
from runplane.ports.application import Application


class UnwiredPipeline(ParameterError):
    """Inputs of steps that nothing provides: the run would fail half-way, so it does not start."""

    def __init__(self, pipeline: str, problems: list[WiringProblem]) -> None:
        super().__init__(
            f"{pipeline}: {len(problems)} unprovided input(s), so the run was not started "
            "(runplane check lists them; --no-check runs anyway)"
        )
        self.problems = problems


def check_before_run(
    app: Application,
    graph: Graph,
    *,
    pipeline: str,
    parameters_file: str | None,
    given: dict[str, Any],
    check: bool,
    console: Console,
    quiet: bool,
) -> None:
    """Refuse an unwired pipeline: each problem printed, then UnwiredPipeline (exit 2).

    Unless `quiet`, one warning line names the initial parameters no step reads.
    """
    if check:
        problems = app.check(graph, parameters_file=parameters_file, parameters=given)
        if problems:
            for problem in problems:
                console.print(str(problem), markup=False, highlight=False, soft_wrap=True)
            raise UnwiredPipeline(pipeline, problems)
    if quiet:
        return
    unread = app.unread(graph, parameters_file=parameters_file, parameters=given)
    if unread:
        console.print(
            f"warning: no step reads the parameter(s) {', '.join(unread)}",
            markup=False,
            highlight=False,
            soft_wrap=True,
        )
