"""The `runplane` command line: parses arguments, calls the application, shows results."""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.table import Table

from runplane.domain.errors import RunplaneError
from runplane.domain.run_log import RunLog, Status
from runplane.ports.application import Application

AppFactory = Callable[[Optional[str]], Application]  # noqa: UP045  (typer reads it at runtime)

#: Exit codes: a run that failed, and input that was wrong (config, pipeline, parameters).
EXIT_RUN_FAILED = 1
EXIT_BAD_INPUT = 2

ConfigOption = Annotated[
    Optional[str],  # noqa: UP045  (typer needs Optional at runtime)
    typer.Option("--config", "-c", help="Configuration file (else $RUNPLANE_CONFIGURATION_FILE)."),
]
DebugOption = Annotated[bool, typer.Option("--debug", help="Show Python tracebacks of errors.")]


def build_cli(make_app: AppFactory) -> typer.Typer:
    """The command tree, bound to a factory that builds the application from a config file."""
    cli = typer.Typer(no_args_is_help=True, add_completion=False, pretty_exceptions_enable=False)
    runs = typer.Typer(no_args_is_help=True, help="Inspect recorded runs.")
    config = typer.Typer(no_args_is_help=True, help="Check configuration files.")
    cli.add_typer(runs, name="runs")
    cli.add_typer(config, name="config")
    out = Console()
    err = Console(stderr=True)

    @cli.command()
    def run(
        pipeline: Annotated[str, typer.Argument(help="Python file defining `pipeline`.")],
        config_file: ConfigOption = None,
        parameters: Annotated[
            Optional[str],  # noqa: UP045
            typer.Option("--parameters", "-p", help="YAML file of initial parameters."),
        ] = None,
        run_id: Annotated[Optional[str], typer.Option("--run-id")] = None,  # noqa: UP045
        tag: Annotated[Optional[str], typer.Option("--tag")] = None,  # noqa: UP045
        as_json: Annotated[bool, typer.Option("--json", help="Print the run log as JSON.")] = False,
        debug: DebugOption = False,
    ) -> None:
        """Run a pipeline to the end."""
        with _user_errors(err, debug):
            _log_steps(err)
            app = make_app(config_file)
            graph = app.load_pipeline(pipeline)
            log = app.run(
                graph, parameters_file=parameters, run_id=run_id, tag=tag, pipeline_file=pipeline
            )
        if as_json:
            out.print_json(json.dumps(log.to_dict()))
        else:
            _summary(err, log)
            err.print(f"run log: {app.run_log_location(log.run_id)}")
            err.print(f"catalog: {app.catalog_location(log.run_id)}")
        if log.status is not Status.SUCCESS:
            _show_failure(err, log)
            raise typer.Exit(EXIT_RUN_FAILED)

    @cli.command("execute-step")
    def execute_step(
        pipeline: Annotated[str, typer.Argument(help="Python file defining `pipeline`.")],
        step: Annotated[str, typer.Argument(help="Step path, e.g. 'train'.")],
        run_id: Annotated[str, typer.Option("--run-id", help="The run the step belongs to.")],
        config_file: ConfigOption = None,
        debug: DebugOption = False,
    ) -> None:
        """Run one step of an existing run (what executors call in subprocesses and pods)."""
        with _user_errors(err, debug):
            app = make_app(config_file)
            record = app.execute_step(app.load_pipeline(pipeline), run_id, step)
        if record.status is not Status.SUCCESS:
            err.print(f"step {step!r} failed: {record.message}", markup=False, highlight=False)
            raise typer.Exit(EXIT_RUN_FAILED)

    @runs.command("list")
    def list_runs(config_file: ConfigOption = None, debug: DebugOption = False) -> None:
        """List recorded runs, newest first."""
        with _user_errors(err, debug):
            summaries = make_app(config_file).list_runs()
        table = Table("run id", "status", "tag", "started", "pipeline")
        for s in summaries:
            table.add_row(s.run_id, _status(s.status), s.tag or "", s.start_time, s.pipeline_name or "")
        out.print(table)

    @runs.command("show")
    def show(
        run_id: Annotated[str, typer.Argument()],
        config_file: ConfigOption = None,
        as_json: Annotated[bool, typer.Option("--json", help="Print the run log as JSON.")] = False,
        debug: DebugOption = False,
    ) -> None:
        """Show one run: its status, parameters and steps."""
        with _user_errors(err, debug):
            log = make_app(config_file).get_run(run_id)
        if as_json:
            sys.stdout.write(json.dumps(log.to_dict(), indent=2) + "\n")
            return
        out.print(f"run {log.run_id}: {_status(log.status)}  tag={log.tag or '-'}")
        out.print(f"parameters: {json.dumps(log.parameters)}", markup=False, highlight=False)
        _summary(out, log)

    @config.command("validate")
    def validate(
        config_file: Annotated[str, typer.Argument(help="Configuration file to check.")],
        debug: DebugOption = False,
    ) -> None:
        """Check a configuration file: sections, adapter types and their settings."""
        with _user_errors(err, debug):
            make_app(config_file)
        out.print(f"{config_file}: valid")

    return cli


@contextmanager
def _user_errors(err: Console, debug: bool) -> Iterator[None]:
    """Wrong input ends with a clear message and exit status 2; --debug adds the traceback."""
    try:
        yield
    except RunplaneError as exc:
        if debug:
            err.print_exception()
        err.print(f"error: {exc.headline}: {exc}", markup=False, highlight=False)
        raise typer.Exit(EXIT_BAD_INPUT) from None


def _log_steps(err: Console) -> None:
    handler = logging.StreamHandler(err.file)
    handler.setFormatter(logging.Formatter("%(asctime)s %(message)s", "%H:%M:%S"))
    logger = logging.getLogger("runplane.app.service")
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)


def _status(status: Status) -> str:
    colour = {Status.SUCCESS: "green", Status.FAIL: "red"}.get(status, "yellow")
    return f"[{colour}]{status.value}[/{colour}]"


def _summary(console: Console, log: RunLog) -> None:
    table = Table("step", "status", "attempts", "duration")
    for step in log.steps.values():
        table.add_row(step.path, _status(step.status), str(len(step.attempts)), _duration(step))
    console.print(table)
    console.print(f"run {log.run_id}: {_status(log.status)}")


def _duration(step: object) -> str:
    start, end = getattr(step, "start_time", None), getattr(step, "end_time", None)
    if not start or not end:
        return "-"
    seconds = (datetime.fromisoformat(end) - datetime.fromisoformat(start)).total_seconds()
    return f"{seconds:.3f}s"


def _show_failure(err: Console, log: RunLog) -> None:
    for step in log.steps.values():
        if step.status is Status.FAIL and step.attempts:
            last = step.attempts[-1]
            err.print(f"step {step.path!r} failed: {last.message}", markup=False, highlight=False)
            if last.traceback:
                err.print(last.traceback, markup=False, highlight=False)
    if log.message:
        err.print(log.message, markup=False, highlight=False)
