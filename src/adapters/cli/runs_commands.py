"""Commands that read recorded runs: runs list, show, logs, get and files."""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path
from typing import Annotated, Any, Optional

import typer
from rich.markup import escape
from rich.table import Table

from runplane.adapters.cli.commands import (
    ConfigOption,
    DebugOption,
    JsonOption,
    _user_errors,
    err,
    out,
    runs,
)
from runplane.adapters.cli.json_out import strict_dumps
from runplane.adapters.cli.run_ids import RUN_ID_HELP, resolved
from runplane.adapters.cli.run_views import (
    REFERENCE,
    run_tree,
    runs_lines,
    runs_listing,
    step_detail,
)
from runplane.adapters.cli.wiring import queries_of
from runplane.domain.errors import ParameterError
from runplane.domain.run_log import CatalogEntry, RunLog
from runplane.ports.queries import RunQueries

RunIdArgument = Annotated[str, typer.Argument(metavar="RUN_ID", help=RUN_ID_HELP)]


@runs.command("list")
def list_runs(
    ctx: typer.Context,
    config_file: ConfigOption = None,
    status: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option("--status", help="Only runs with this status: success, fail, processing."),
    ] = None,
    tag: Annotated[Optional[str], typer.Option("--tag", help="Only runs with this tag.")] = None,  # noqa: UP045
    since: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option(
            "--since", help="Only runs started within an age (2d, 6h, 30m) or since a date."
        ),
    ] = None,
    limit: Annotated[
        Optional[int],  # noqa: UP045
        typer.Option("--limit", "-n", help="At most this many runs."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the runs as JSON.")] = False,
    debug: DebugOption = False,
) -> None:
    """List recorded runs, newest first: a table on a terminal, one line per run when piped."""
    with _user_errors(debug):
        summaries = ctx.obj(config_file).queries.list_runs(
            status=status, tag=tag, since=since, limit=limit
        )
    if as_json:
        sys.stdout.write(strict_dumps([s.to_dict() for s in summaries], indent=2) + "\n")
    elif out.is_terminal:
        out.print(runs_listing(summaries))
    else:
        sys.stdout.write(runs_lines(summaries))


@runs.command("show")
def show(
    ctx: typer.Context,
    run_id: RunIdArgument,
    config_file: ConfigOption = None,
    step: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option("--step", help="One step's attempts and error, by path ('map.3.train')."),
    ] = None,
    as_json: JsonOption = False,
    debug: DebugOption = False,
) -> None:
    """Show one run as a tree of steps: status, duration, attempts, parameters, metrics, files."""
    with _user_errors(debug):
        app = ctx.obj(config_file)
        tree = app.queries.show(resolved(app.queries, run_id))
        record = tree.step(step) if step is not None else None
    if as_json:
        data = record.to_dict() if record is not None else tree.log.to_dict()
        sys.stdout.write(strict_dumps(data, indent=2) + "\n")
        return
    out.print(step_detail(record) if record is not None else run_tree(tree))


@runs.command("logs")
def logs(
    ctx: typer.Context,
    run_id: RunIdArgument,
    step: Annotated[str, typer.Argument(help="Step path, e.g. 'train' or 'map.3.fit'.")],
    attempt: Annotated[
        Optional[int],  # noqa: UP045
        typer.Option("--attempt", help="Attempt number (default: the last)."),
    ] = None,
    config_file: ConfigOption = None,
    debug: DebugOption = False,
) -> None:
    """Print what a step printed (stdout and stderr) in one attempt."""
    with _user_errors(debug):
        app = ctx.obj(config_file)
        text = app.queries.step_output(resolved(app.queries, run_id), step, attempt)
    sys.stdout.write(text)


@runs.command("get")
def get(
    ctx: typer.Context,
    run_id: RunIdArgument,
    name: Annotated[str, typer.Argument(help="A parameter of the run (with --step: a return).")],
    step: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option("--step", help="Read a return of this step ('per_file.3.count')."),
    ] = None,
    output: Annotated[
        Optional[Path],  # noqa: UP045
        typer.Option(
            "--output", "-o", help="Write here (default: JSON to stdout, objects to NAME.pickle)."
        ),
    ] = None,
    config_file: ConfigOption = None,
    debug: DebugOption = False,
) -> None:
    """Print a parameter or a return of a run as JSON; an object is written as its pickle."""
    with _user_errors(debug):
        queries = queries_of(ctx, config_file)
        run = queries.get_run(queries.resolve(run_id))
        value = _recorded_value(run, name, step)
        if _is_reference(value):
            written = _write_object(
                queries, run.run_id, value[REFERENCE], output or Path(f"{name}.pickle")
            )
            err.print(written, markup=False, highlight=False, soft_wrap=True)
            return
    text = strict_dumps(value, indent=2, ensure_ascii=False) + "\n"
    if output is None:
        sys.stdout.write(text)
    else:
        output.write_text(text, encoding="utf-8")
        err.print(f"wrote {output}", markup=False, highlight=False)


def _recorded_value(run: RunLog, name: str, step: str | None) -> Any:
    if step is None:
        values, where = run.parameters, f"run {run.run_id!r} has no parameter"
    else:
        if step not in run.steps:
            raise ParameterError(
                f"run {run.run_id!r} has no step {step!r}; steps: {', '.join(run.steps)}"
            )
        values, where = run.steps[step].returns, f"step {step!r} of run {run.run_id!r} returned no"
    if name not in values:
        hint = "" if step is not None else " (a return of a step inside a branch: --step PATH)"
        raise ParameterError(f"{where} {name!r}; it has: {', '.join(values) or 'none'}{hint}")
    return values[name]


def _is_reference(value: Any) -> bool:
    return isinstance(value, dict) and len(value) == 1 and REFERENCE in value


def _write_object(queries: RunQueries, run_id: str, reference: dict[str, Any], target: Path) -> str:
    """Copy an object's pickle (hash-checked) to `target`; what to tell the user."""
    entry = CatalogEntry(reference["path"], "put", reference["sha256"], reference["size"])
    with tempfile.TemporaryDirectory(prefix="runplane-get-") as scratch:
        (fetched,) = queries.fetch(run_id, [entry], Path(scratch))
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(fetched, target)
    return (
        f"wrote {target}: a {reference.get('type', 'Python object')} pickled with "
        f"{reference.get('format', 'pickle')} ({entry.size} B, sha256:{entry.sha256[:12]}); "
        "load it with pickle.load where its classes import"
    )


@runs.command("files")
def files(
    ctx: typer.Context,
    run_id: RunIdArgument,
    download: Annotated[
        Optional[Path],  # noqa: UP045
        typer.Option("--download", help="Copy every file of the run's catalog into this folder."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the files as JSON.")] = False,
    config_file: ConfigOption = None,
    debug: DebugOption = False,
) -> None:
    """List the files in a run's catalog (the last version of each name), or download them."""
    with _user_errors(debug):
        queries = queries_of(ctx, config_file)
        run = queries.get_run(queries.resolve(run_id))
        found = sorted(run.files().items())
        if download is not None:
            written = queries.fetch(run.run_id, [entry for _, (_, entry) in found], download)
            err.print(
                f"downloaded {len(written)} files to {download}", markup=False, highlight=False
            )
            return
    if as_json:
        rows = [{**entry.to_dict(), "step": step} for _, (step, entry) in found]
        sys.stdout.write(strict_dumps(rows, indent=2) + "\n")
    elif out.is_terminal:
        table = Table("name", "size", "sha256", "put by")
        for name, (step, entry) in found:
            table.add_row(escape(name), f"{entry.size} B", entry.sha256[:12], escape(step))
        out.print(table)
    else:
        for name, (step, entry) in found:
            sys.stdout.write(f"{name}\t{entry.size}\t{entry.sha256}\t{step}\n")
