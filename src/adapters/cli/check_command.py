"""`runplane check`: the wiring check on its own, with the parameters a run would get."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from runplane.adapters.cli.commands import (
    EXIT_RUN_FAILED,
    ConfigOption,
    DebugOption,
    ParamOption,
    PipelineArgument,
    _user_errors,
    cli,
    err,
    out,
)
from runplane.domain.parameters import parse_assignments


@cli.command()
def check(
    ctx: typer.Context,
    pipeline: PipelineArgument,
    parameters: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option("--parameters", "-p", metavar="FILE", help="YAML file of initial parameters."),
    ] = None,
    param: ParamOption = None,
    config_file: ConfigOption = None,
    debug: DebugOption = False,
) -> None:
    """Check, without running anything, that every input of a step is provided before it."""
    with _user_errors(debug):
        app = ctx.obj(config_file)
        given = parse_assignments(param or [], "--param")
        graph = app.definitions.pipeline(pipeline)
        problems = app.commands.check(graph, parameters_file=parameters, parameters=given)
    if not problems:
        out.print(f"{pipeline}: every step's inputs are provided", markup=False, highlight=False)
        return
    for problem in problems:
        err.print(str(problem), markup=False, highlight=False, soft_wrap=True)
    err.print(f"{pipeline}: {len(problems)} unprovided input(s)", markup=False, highlight=False)
    raise typer.Exit(EXIT_RUN_FAILED)
