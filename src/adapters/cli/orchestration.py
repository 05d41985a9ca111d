"""Commands for orchestrators: render and submit a workflow, and the steps its pods run.

An orchestrated run is driven from outside, one fresh process per call: `start-run`, then
`execute-step` per task, `fan-out` / `fan-in` around composite steps, and `finish-run`.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Optional

import typer
import yaml

from runplane.adapters.cli.branch_commands import (
    batch_numbers,
    chosen_position,
    write_output,
)
from runplane.adapters.cli.commands import (
    EXIT_RUN_FAILED,
    ConfigOption,
    DebugOption,
    PipelineArgument,
    _user_errors,
    cli,
    err,
    out,
)
from runplane.adapters.cli.views import show_failure, summary
from runplane.domain.errors import ConfigurationError, ParameterError
from runplane.domain.run_log import Status
from runplane.ports.driving import Application
from runplane.ports.executor import SubmitTarget

RunIdOption = Annotated[str, typer.Option("--run-id", help="The run (Argo: the workflow's).")]
StepArgument = Annotated[str, typer.Argument(help="Step path of a composite step, e.g. 'fan'.")]
ParametersOption = Annotated[
    Optional[str],  # noqa: UP045  (typer needs Optional at runtime)
    typer.Option("--parameters", "-p", metavar="FILE", help="YAML file of initial parameters."),
]


@cli.command("start-run")
def start_run(
    ctx: typer.Context,
    pipeline: PipelineArgument,
    run_id: RunIdOption,
    config_file: ConfigOption = None,
    parameters: ParametersOption = None,
    parameters_json: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option("--parameters-json", help="Initial parameters as a JSON object."),
    ] = None,
    tag: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option("--tag", metavar="TAG", help="A label to find the run by (runs list --tag)."),
    ] = None,
    retry_of: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option(
            "--retry-of",
            help="Record a retry of this failed run: what it finished is reused, as by "
            "`runplane retry` (its parameters unless given).",
        ),
    ] = None,
    from_step: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option("--from", help="With --retry-of: run this top-level step and after again."),
    ] = None,
    debug: DebugOption = False,
) -> None:
    """Record a new run without running it: the first step of an orchestrated run."""
    with _user_errors(debug):
        app = ctx.obj(config_file)
        graph = app.definitions.pipeline(pipeline)
        with _parameters_file(parameters, parameters_json) as path:
            if from_step is not None and retry_of is None:
                raise ParameterError("--from applies to a retry: give --retry-of RUN_ID too")
            if retry_of is not None:
                log = app.commands.retry(
                    retry_of,
                    from_step=from_step,
                    new_run_id=run_id,
                    parameters_file=path,
                    graph=graph,
                    orchestrated=True,
                )
            else:
                log = app.commands.start_run(
                    graph, parameters_file=path, run_id=run_id, tag=tag, pipeline_file=pipeline
                )
    err.print(f"run {log.run_id} started", markup=False, highlight=False)


@cli.command("finish-run")
def finish_run(
    ctx: typer.Context,
    pipeline: PipelineArgument,
    run_id: RunIdOption,
    config_file: ConfigOption = None,
    debug: DebugOption = False,
) -> None:
    """Record an orchestrated run's final status from its steps; exit 1 if it failed."""
    with _user_errors(debug):
        app = ctx.obj(config_file)
        log = app.commands.finish_run(app.definitions.pipeline(pipeline), run_id)
    summary(err, log)
    if log.status is not Status.SUCCESS:
        show_failure(err, log)
        raise typer.Exit(EXIT_RUN_FAILED)


@cli.command("fan-out")
def fan_out(
    ctx: typer.Context,
    pipeline: PipelineArgument,
    step: StepArgument,
    run_id: RunIdOption,
    config_file: ConfigOption = None,
    output: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option("--output", help="Also write the branch keys (JSON list) to this file."),
    ] = None,
    chosen: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option(
            "--chosen",
            help="Also write the position of a conditional's chosen branch (0, 1, ...; -1 "
            "for none) to this file.",
        ),
    ] = None,
    batches: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option(
            "--batches", help="Also write the batch numbers (JSON list, 0, 1, ...) to this file."
        ),
    ] = None,
    batch_size: Annotated[
        int, typer.Option("--batch-size", min=1, help="Branches per batch, for --batches.")
    ] = 1,
    debug: DebugOption = False,
) -> None:
    """Open a composite step; print its branch keys as a JSON list (exit 1 if it failed)."""
    with _user_errors(debug):
        app = ctx.obj(config_file)
        graph = app.definitions.pipeline(pipeline)
        keys = app.steps.fan_out(graph, run_id, step)
        if keys is not None:
            write_output(chosen, chosen_position(graph, step, keys))
            write_output(batches, batch_numbers(keys, batch_size))
    if keys is None:
        err.print(f"step {step!r} failed to open its branches; see the run log", markup=False)
        raise typer.Exit(EXIT_RUN_FAILED)
    _emit_keys(keys, output)


def _emit_keys(keys: list[str], output: str | None) -> None:
    """Print branch keys as a JSON list, and write them to `output` for Argo to read."""
    text = json.dumps(keys, allow_nan=False)
    write_output(output, text)
    sys.stdout.write(text + "\n")


@cli.command("loop-next")
def loop_next(
    ctx: typer.Context,
    pipeline: PipelineArgument,
    step: StepArgument,
    run_id: RunIdOption,
    config_file: ConfigOption = None,
    output: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option("--output", help="Also write the next key (JSON list, [] if done) here."),
    ] = None,
    more: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option("--more", help="Also write whether another iteration runs (true/false)."),
    ] = None,
    debug: DebugOption = False,
) -> None:
    """After a loop iteration: record it and print the next iteration's key ([] when done)."""
    with _user_errors(debug):
        app = ctx.obj(config_file)
        key = app.steps.loop_next(app.definitions.pipeline(pipeline), run_id, step)
    write_output(more, "false" if key is None else "true")
    _emit_keys([key] if key is not None else [], output)


@cli.command("fan-in")
def fan_in(
    ctx: typer.Context,
    pipeline: PipelineArgument,
    step: StepArgument,
    run_id: RunIdOption,
    config_file: ConfigOption = None,
    debug: DebugOption = False,
) -> None:
    """Close a composite step from its branches' records; exit 1 if it failed."""
    with _user_errors(debug):
        app = ctx.obj(config_file)
        record = app.steps.fan_in(app.definitions.pipeline(pipeline), run_id, step)
    if record.status is not Status.SUCCESS:
        err.print(f"step {step!r} failed: {record.message}", markup=False, highlight=False)
        raise typer.Exit(EXIT_RUN_FAILED)


@cli.command()
def render(
    ctx: typer.Context,
    pipeline: PipelineArgument,
    config_file: ConfigOption = None,
    output: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option("--output", "-o", help="Write the manifest here (default: stdout)."),
    ] = None,
    parameters: ParametersOption = None,
    kind: Annotated[
        str, typer.Option("--kind", help="Workflow, WorkflowTemplate or CronWorkflow.")
    ] = "Workflow",
    schedule: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option("--schedule", help="Cron schedule of a CronWorkflow, e.g. '0 3 * * *'."),
    ] = None,
    debug: DebugOption = False,
) -> None:
    """Write the orchestrator's manifest (an Argo Workflow) for a pipeline, as YAML."""
    with _user_errors(debug):
        app = ctx.obj(config_file)
        manifest = app.deployment.render(
            app.definitions.pipeline(pipeline),
            pipeline_file=pipeline,
            parameters_file=parameters,
            kind=kind,
            schedule=schedule,
        )
    text = yaml.safe_dump(manifest, sort_keys=False)
    if output is None:
        sys.stdout.write(text)
        return
    Path(output).write_text(text)
    err.print(f"wrote {kind} to {output}", markup=False, highlight=False)


@cli.command()
def submit(
    ctx: typer.Context,
    pipeline: PipelineArgument,
    server: Annotated[str, typer.Option("--server", help="Argo Server URL, https://...")],
    config_file: ConfigOption = None,
    namespace: Annotated[str, typer.Option("--namespace", help="Kubernetes namespace.")] = "argo",
    token_env: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option("--token-env", help="Environment variable holding the bearer token."),
    ] = None,
    parameters: ParametersOption = None,
    watch: Annotated[bool, typer.Option("--watch", help="Follow node statuses.")] = False,
    interval: Annotated[float, typer.Option("--interval", help="Seconds between polls.")] = 5.0,
    insecure: Annotated[bool, typer.Option("--insecure", help="Skip TLS checks.")] = False,
    debug: DebugOption = False,
) -> None:
    """Render the pipeline's Workflow and create it through the Argo Server API."""
    with _user_errors(debug):
        target = SubmitTarget(server, namespace, _token(token_env), verify_tls=not insecure)
        app = ctx.obj(config_file)
        graph = app.definitions.pipeline(pipeline)
        manifest = app.deployment.render(graph, pipeline_file=pipeline, parameters_file=parameters)
        name = app.deployment.submit(manifest, target)
        out.print(name, markup=False, highlight=False)
        phase = _watch(app, name, target, interval) if watch else None
    if phase not in (None, "Succeeded"):
        raise typer.Exit(EXIT_RUN_FAILED)


def _watch(app: Application, name: str, target: SubmitTarget, interval: float) -> str:
    """Print each node's phase as it changes until the workflow finishes; its last phase."""
    seen: dict[str, str] = {}
    while True:
        state = app.deployment.workflow_state(name, target)
        for node, phase in state.nodes.items():
            if seen.get(node) != phase:
                err.print(f"{node}: {phase}", markup=False, highlight=False)
                seen[node] = phase
        if state.finished:
            err.print(f"workflow {name}: {state.phase}", markup=False, highlight=False)
            return state.phase
        time.sleep(interval)


def _token(variable: str | None) -> str | None:
    # The token is read from the environment so it never shows in `ps` or shell history.
    if variable is None:
        return None
    token = os.environ.get(variable)
    if not token:
        raise ConfigurationError(f"--token-env names {variable!r}, which is not set or empty")
    return token


@contextmanager
def _parameters_file(path: str | None, text: str | None) -> Iterator[str | None]:
    """The parameters file to load: the given one, or a temporary one holding `text`."""
    if text is None:
        yield path
        return
    if path is not None:
        raise ParameterError("give a parameters file (-p) or --parameters-json, not both")
    try:
        json.loads(text)
    except json.JSONDecodeError as exc:
        raise ParameterError(f"--parameters-json is not valid JSON: {exc}") from None
    with tempfile.TemporaryDirectory(prefix="runplane-") as folder:
        file = Path(folder) / "parameters.json"
        file.write_text(text)  # JSON is YAML: the parameters loader reads it as a file
        yield str(file)
