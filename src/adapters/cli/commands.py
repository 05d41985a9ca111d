"""The `runplane` command line: parses arguments, calls the application, shows results."""

from __future__ import annotations

import importlib.metadata
import logging
import os
import sys
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager, redirect_stderr, redirect_stdout
from typing import Annotated, Optional

import typer
from rich.console import Console

from runplane.adapters.cli.json_out import strict_dumps
from runplane.adapters.cli.piped import wide_when_piped
from runplane.adapters.cli.progress import watching
from runplane.adapters.cli.run_checks import warn_unread
from runplane.adapters.cli.run_ids import resolved
from runplane.adapters.cli.views import show_failure, summary
from runplane.adapters.cli.wiring import WebAppFactory, Wiring
from runplane.domain.errors import Interrupted, RendersOnlyError, RunplaneError
from runplane.domain.parameters import parse_assignments
from runplane.domain.run_log import RunLog, Status
from runplane.ports.driving import Application
from runplane.ports.queries import RunQueries
from runplane.ports.tooling import Tooling

AppFactory = Callable[[Optional[str]], Application]  # noqa: UP045  (typer reads it at runtime)
QueriesFactory = Optional[Callable[[Optional[str]], RunQueries]]  # noqa: UP045

#: Exit codes: a run that failed, and input that was wrong (config, pipeline, parameters).
EXIT_RUN_FAILED = 1
EXIT_BAD_INPUT = 2
EXIT_INTERRUPTED = 130  # 128 + SIGINT, as shells report it
EXIT_TERMINATED = 143  # 128 + SIGTERM

ConfigOption = Annotated[
    Optional[str],  # noqa: UP045  (typer needs Optional at runtime)
    typer.Option(
        "--config",
        "-c",
        metavar="FILE",
        help="Configuration file (else $RUNPLANE_CONFIGURATION_FILE).",
    ),
]
DebugOption = Annotated[bool, typer.Option("--debug", help="Show Python tracebacks of errors.")]
QuietOption = Annotated[
    bool,
    typer.Option("--quiet", "-q", help="No progress, summary or step output; errors only."),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print the run log as JSON.")]
RunIdOption = Annotated[
    Optional[str],  # noqa: UP045
    typer.Option(
        "--run-id", metavar="ID", help="Id of the new run (default: UTC time and a random suffix)."
    ),
]
ParamOption = Annotated[
    Optional[list[str]],  # noqa: UP045
    typer.Option(
        "--param",
        metavar="NAME=VALUE",
        help="A parameter (JSON, else a string), over the file's; repeat for more.",
    ),
]
TagOption = Annotated[
    Optional[str],  # noqa: UP045
    typer.Option("--tag", metavar="TAG", help="A label to find the run by (runs list --tag)."),
]
PipelineArgument = Annotated[
    str,
    typer.Argument(metavar="PIPELINE", help="Python file defining `pipeline`, or a YAML pipeline."),
]

# Plain (click) help: flags show as flags (`--json`, not `--json <bool>`), paragraphs wrap
# to the terminal, and piped help has no box drawing.
PLAIN = {"rich_markup_mode": None, "no_args_is_help": True}
cli = typer.Typer(add_completion=False, pretty_exceptions_enable=False, **PLAIN)  # type: ignore[arg-type]
runs = typer.Typer(help="Inspect recorded runs.", **PLAIN)  # type: ignore[arg-type]
config = typer.Typer(help="Check configuration files.", **PLAIN)  # type: ignore[arg-type]
cli.add_typer(runs, name="runs")
cli.add_typer(config, name="config")
out = wide_when_piped(Console())
err = wide_when_piped(Console(stderr=True))


def build_cli(
    make_app: AppFactory,
    tooling: Tooling | None = None,
    make_queries: QueriesFactory = None,
    make_web_app: WebAppFactory | None = None,
) -> Callable[[], None]:
    """The command line, bound to factories that build the application and the read side."""

    def main() -> None:
        cli(obj=Wiring(make_app, tooling, make_queries, make_web_app))

    return main


def _print_version(value: bool) -> None:
    if value:
        sys.stdout.write(f"runplane {importlib.metadata.version('runplane')}\n")
        raise typer.Exit


@cli.callback()
def main_options(
    version: Annotated[
        bool,
        typer.Option(
            "--version", is_eager=True, callback=_print_version, help="Print the version and exit."
        ),
    ] = False,
) -> None:
    """Write a pipeline once; run it anywhere by changing one configuration file."""


@cli.command()
def run(
    ctx: typer.Context,
    pipeline: PipelineArgument,
    config_file: ConfigOption = None,
    parameters: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option("--parameters", "-p", metavar="FILE", help="YAML file of initial parameters."),
    ] = None,
    param: ParamOption = None,
    run_id: RunIdOption = None,
    tag: TagOption = None,
    no_check: Annotated[
        bool,
        typer.Option("--no-check", help="Start even if a step's input is provided by nothing."),
    ] = False,
    as_json: JsonOption = False,
    quiet: QuietOption = False,
    debug: DebugOption = False,
) -> None:
    """Run a pipeline to the end, showing its progress on stderr.

    First checks the wiring (as `runplane check`) and refuses, exit 2, when a step's input
    is provided by nothing; warns about parameters no step reads.
    """
    with _user_errors(debug), _interrupts():
        app = ctx.obj(config_file)
        graph = app.definitions.pipeline(pipeline)
        given = parse_assignments(param or [], "--param")
        if not quiet:
            warn_unread(app, graph, parameters_file=parameters, given=given, console=err)
        with watching(app, graph, err, quiet=quiet), step_output(quiet=quiet, as_json=as_json):
            log = app.commands.run(
                graph, parameters_file=parameters, run_id=run_id, tag=tag, pipeline_file=pipeline,
                parameters=given, check=not no_check,
            )  # fmt: skip
    _report(app, log, as_json, quiet=quiet)


@contextmanager
def step_output(*, quiet: bool, as_json: bool) -> Iterator[None]:
    """Where what steps print is shown: nowhere with --quiet, stderr with --json.

    It is kept in the run's catalog either way (`runplane runs logs`). Steps run by
    `local-subprocess` are given the descriptor behind `sys.stdout`, so this holds for them.
    """
    if quiet:
        with open(os.devnull, "w") as sink, redirect_stdout(sink), redirect_stderr(sink):
            yield
    elif as_json:  # stdout carries only the run log
        with redirect_stdout(sys.stderr):
            yield
    else:
        yield


def _report(app: Application, log: RunLog, as_json: bool, *, quiet: bool = False) -> None:
    """The end of a run: its log as JSON or a summary, and exit 1 when it failed."""
    if as_json:
        sys.stdout.write(strict_dumps(log.to_dict(), indent=2) + "\n")
    elif not quiet:
        summary(err, log)
        err.print(
            f"run log: {app.queries.run_log_location(log.run_id)}", markup=False, highlight=False
        )
        err.print(
            f"catalog: {app.queries.catalog_location(log.run_id)}", markup=False, highlight=False
        )
    if log.status is not Status.SUCCESS:
        show_failure(err, log)
        raise typer.Exit(EXIT_RUN_FAILED)


@cli.command()
def retry(
    ctx: typer.Context,
    run_id: Annotated[
        str, typer.Argument(help="The failed (or interrupted) run to finish; 'latest': the newest.")
    ],
    config_file: ConfigOption = None,
    from_step: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option("--from", help="Run this top-level step and all after it again."),
    ] = None,
    new_run_id: RunIdOption = None,
    parameters: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option("--parameters", "-p", help="Use these parameters, not the original's."),
    ] = None,
    pipeline: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option("--pipeline", help="The pipeline file, if not where the run recorded it."),
    ] = None,
    output: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option("--output", "-o", help="Argo: write the retry workflow here, not stdout."),
    ] = None,
    submit: Annotated[
        bool, typer.Option("--submit", help="Argo: create the retry workflow on --server.")
    ] = False,
    server: Annotated[Optional[str], typer.Option("--server", help="Argo Server URL.")] = None,  # noqa: UP045
    namespace: Annotated[str, typer.Option("--namespace", help="Kubernetes namespace.")] = "argo",
    token_env: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option("--token-env", help="Environment variable holding the bearer token."),
    ] = None,
    insecure: Annotated[bool, typer.Option("--insecure", help="Skip TLS checks.")] = False,
    as_json: JsonOption = False,
    quiet: QuietOption = False,
    debug: DebugOption = False,
) -> None:
    """Finish a failed run in a new run: reuse what succeeded, run the rest.

    With an executor that renders (Argo), write the workflow that does it (or create it,
    with --submit): its first pod records the retry, its other pods run the rest.
    """
    with _user_errors(debug), _interrupts():
        if not quiet:
            _log_steps()
        app = ctx.obj(config_file)
        run_id = resolved(app.queries, run_id)
        try:
            with step_output(quiet=quiet, as_json=as_json):
                log = app.commands.retry(
                    run_id,
                    from_step=from_step,
                    new_run_id=new_run_id,
                    parameters_file=parameters,
                    graph=app.definitions.pipeline(pipeline) if pipeline else None,
                )
        except RendersOnlyError:
            from runplane.adapters.cli.orchestration import _token  # noqa: PLC0415
            from runplane.adapters.cli.retry_render import (  # noqa: PLC0415
                OrchestratedRetry,
                retry_on_orchestrator,
            )

            request = OrchestratedRetry(
                run_id, pipeline, from_step, new_run_id, parameters, output, submit,
                server, namespace, _token(token_env), verify_tls=not insecure,
            )  # fmt: skip
            retry_on_orchestrator(app, request)
            return
    _report(app, log, as_json, quiet=quiet)


@cli.command()
def job(
    ctx: typer.Context,
    job_file: Annotated[
        str, typer.Argument(metavar="JOB_FILE", help="Python file defining `job`.")
    ],
    config_file: ConfigOption = None,
    parameters: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option("--parameters", "-p", metavar="FILE", help="YAML file of initial parameters."),
    ] = None,
    param: ParamOption = None,
    run_id: RunIdOption = None,
    tag: TagOption = None,
    as_json: JsonOption = False,
    quiet: QuietOption = False,
    debug: DebugOption = False,
) -> None:
    """Run a job: one task, recorded as a run with one step."""
    with _user_errors(debug), _interrupts():
        app = ctx.obj(config_file)
        graph = app.definitions.job(job_file)
        given = parse_assignments(param or [], "--param")
        with watching(app, graph, err, quiet=quiet), step_output(quiet=quiet, as_json=as_json):
            log = app.commands.run(
                graph, parameters_file=parameters, run_id=run_id, tag=tag, pipeline_file=job_file,
                parameters=given,
            )  # fmt: skip
    _report(app, log, as_json, quiet=quiet)


@cli.command("execute-step")
def execute_step(
    ctx: typer.Context,
    pipeline: PipelineArgument,
    step: Annotated[str, typer.Argument(help="Step path, e.g. 'train'.")],
    run_id: Annotated[str, typer.Option("--run-id", help="The run the step belongs to.")],
    config_file: ConfigOption = None,
    attempts: Annotated[
        Optional[int],  # noqa: UP045
        typer.Option(
            "--attempts",
            min=1,
            help="At most this many attempts here (default: the step's max_attempts); "
            "orchestrators that retry the command themselves pass 1.",
        ),
    ] = None,
    debug: DebugOption = False,
) -> None:
    """Run one step of an existing run (what executors call in subprocesses and pods)."""
    with _user_errors(debug):
        app = ctx.obj(config_file)
        record = app.steps.execute_step(
            app.definitions.pipeline(pipeline), run_id, step, attempts=attempts
        )
    if record.status is not Status.SUCCESS:
        err.print(f"step {step!r} failed: {record.message}", markup=False, highlight=False)
        raise typer.Exit(EXIT_RUN_FAILED)


@config.command("validate")
def validate(
    ctx: typer.Context,
    config_file: Annotated[str, typer.Argument(help="Configuration file to check.")],
    debug: DebugOption = False,
) -> None:
    """Check a configuration file: sections, adapter types and their settings."""
    with _user_errors(debug):
        ctx.obj(config_file)
    out.print(f"{config_file}: valid", markup=False, highlight=False)


@contextmanager
def _user_errors(debug: bool) -> Iterator[None]:
    """Wrong input ends with a clear message and exit status 2; --debug adds the traceback."""
    try:
        yield
    except RunplaneError as exc:
        if debug:  # plain, not rich's boxed traceback: its wrapping would split secrets
            sys.stderr.write(traceback.format_exc())
        # soft_wrap: one line, however long (rich would break it at the console's width).
        for line in getattr(exc, "details", ()):  # what the headline counts (wiring problems)
            err.print(line, markup=False, highlight=False, soft_wrap=True)
        err.print(f"error: {exc.headline}: {exc}", markup=False, highlight=False, soft_wrap=True)
        raise typer.Exit(EXIT_BAD_INPUT) from None


_STEP_LOG = "runplane-cli-steps"


@contextmanager
def _interrupts() -> Iterator[None]:
    """Ctrl-C or SIGTERM: the run was closed as failed; say so and exit 130 / 143."""
    try:
        yield
    except KeyboardInterrupt:
        err.print("interrupted (SIGINT): the run is recorded as failed; `runplane retry` it")
        raise typer.Exit(EXIT_INTERRUPTED) from None
    except Interrupted as exc:
        err.print(f"interrupted ({exc}): the run is recorded as failed; `runplane retry` it")
        raise typer.Exit(EXIT_TERMINATED) from None


#: The logger every runplane module's logger descends from. The CLI shows the lifecycle
#: lines (INFO) logged anywhere below it, so it needs no module names of the layers it drives.
_PACKAGE_LOGGER = __name__.partition(".")[0]


def _log_steps() -> None:
    handler = logging.StreamHandler(err.file)
    handler.setFormatter(logging.Formatter("%(asctime)s %(message)s", "%H:%M:%S"))
    handler.set_name(_STEP_LOG)
    logger = logging.getLogger(_PACKAGE_LOGGER)
    # One handler, however often a command runs in this process (tests, scripts calling
    # the CLI): an earlier command's handler may hold a stream closed since.
    for old in [h for h in logger.handlers if h.get_name() == _STEP_LOG]:
        logger.removeHandler(old)
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)


# Commands for orchestrators (start-run, fan-out, render, submit, ...) live in their own
# module, which registers them on `cli`; it imports this one, so it comes last.
import runplane.adapters.cli.check_command  # noqa: E402
import runplane.adapters.cli.orchestration  # noqa: E402
import runplane.adapters.cli.runs_commands  # noqa: E402, F401

# The commands in these modules register themselves on `cli` and its groups when imported.
from runplane.adapters.cli import tool_commands  # noqa: E402, F401
