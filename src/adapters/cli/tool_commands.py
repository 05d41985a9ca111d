"""Commands for pictures, comparisons and the installation: graph, runs diff, config, adapters."""

from __future__ import annotations

import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.markup import escape
from rich.table import Table

from runplane.adapters.cli.commands import (
    PLAIN,
    ConfigOption,
    DebugOption,
    PipelineArgument,
    _user_errors,
    cli,
    config,
    out,
    runs,
)
from runplane.adapters.cli.run_ids import resolved
from runplane.adapters.cli.run_views import diff_view
from runplane.adapters.cli.wiring import tooling_of
from runplane.adapters.presentation.graph_html import html
from runplane.adapters.presentation.graph_text import dot, mermaid
from runplane.adapters.presentation.picture import picture

adapters = typer.Typer(help="Inspect installed adapters.", **PLAIN)  # type: ignore[arg-type]
cli.add_typer(adapters, name="adapters")
pipeline_group = typer.Typer(help="YAML pipeline files.", **PLAIN)  # type: ignore[arg-type]
cli.add_typer(pipeline_group, name="pipeline")


class GraphFormat(StrEnum):
    """Formats `runplane graph` writes."""

    MERMAID = "mermaid"
    DOT = "dot"
    HTML = "html"


@cli.command()
def graph(
    ctx: typer.Context,
    pipeline: PipelineArgument,
    fmt: Annotated[GraphFormat, typer.Option("--format", "-f", help="Output format.")] = (
        GraphFormat.MERMAID
    ),
    output: Annotated[
        Optional[Path],  # noqa: UP045
        typer.Option("--output", "-o", help="Write to this file instead of stdout."),
    ] = None,
    run_id: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option("--run", help="Colour steps by this run's status ('latest': the newest)."),
    ] = None,
    config_file: ConfigOption = None,
    debug: DebugOption = False,
) -> None:
    """Draw a pipeline's graph; composite steps are clusters."""
    with _user_errors(debug):
        app = ctx.obj(config_file)
        graph = app.load_pipeline(pipeline)
        run = app.get_run(resolved(app, run_id)) if run_id else None
    box = picture(graph, run)
    if fmt is GraphFormat.HTML:
        title = f"{box.label}" + (f" - run {run_id}" if run_id else "")
        text = html(box, title)
    else:
        text = mermaid(box) if fmt is GraphFormat.MERMAID else dot(box)
    if output is None:
        sys.stdout.write(text)
    else:
        output.write_text(text, encoding="utf-8")
        out.print(f"wrote {output}", markup=False, highlight=False)


@runs.command("diff")
def diff(
    ctx: typer.Context,
    before: Annotated[str, typer.Argument(help="The run to compare from ('latest': the newest).")],
    after: Annotated[str, typer.Argument(help="The run to compare to ('latest': the newest).")],
    config_file: ConfigOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the differences as JSON.")] = False,
    debug: DebugOption = False,
) -> None:
    """Parameters, metrics and catalog file hashes that differ between two runs."""
    with _user_errors(debug):
        app = ctx.obj(config_file)
        changes = app.diff(resolved(app, before), resolved(app, after))
    if as_json:
        sys.stdout.write(
            json.dumps(changes.to_dict(), indent=2, default=str, allow_nan=False) + "\n"
        )
    else:
        out.print(diff_view(changes))


@config.command("schema")
def schema(
    ctx: typer.Context,
    section: Annotated[
        Optional[str],  # noqa: UP045
        typer.Option("--section", help="Only this section, e.g. run_log_store."),
    ] = None,
    debug: DebugOption = False,
) -> None:
    """Print the JSON schema of configuration files, from the installed adapters."""
    with _user_errors(debug):
        document = tooling_of(ctx).config_schema(section)
    sys.stdout.write(json.dumps(document, indent=2, allow_nan=False) + "\n")


@pipeline_group.command("schema")
def pipeline_schema(ctx: typer.Context, debug: DebugOption = False) -> None:
    """Print the JSON schema of YAML pipeline files (for editors)."""
    with _user_errors(debug):
        document = tooling_of(ctx).pipeline_schema()
    sys.stdout.write(json.dumps(document, indent=2, sort_keys=True, allow_nan=False) + "\n")


@config.command("show")
def show_config(
    ctx: typer.Context,
    config_file: ConfigOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the values as JSON.")] = False,
    debug: DebugOption = False,
) -> None:
    """Print the effective configuration: each value, secrets masked, and where it came from."""
    with _user_errors(debug):
        values = tooling_of(ctx).effective_config(config_file)
    if as_json:
        rows = [{"key": v.path, "value": v.value, "source": v.source} for v in values]
        sys.stdout.write(json.dumps(rows, indent=2, default=str, allow_nan=False) + "\n")
        return
    table = Table("key", "value", "source")
    for value in values:
        table.add_row(
            value.path, escape(json.dumps(value.value, default=str, allow_nan=False)), value.source
        )
    out.print(table)


@adapters.command("list")
def list_adapters(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print the adapters as JSON.")] = False,
    debug: DebugOption = False,
) -> None:
    """Every installed adapter per port, with its distribution and version."""
    with _user_errors(debug):
        found = tooling_of(ctx).adapters()
    if as_json:
        rows = [vars(a) for a in found]
        sys.stdout.write(json.dumps(rows, indent=2, allow_nan=False) + "\n")
        return
    if not out.is_terminal:  # one whole line per adapter, for grep and awk
        for adapter in found:
            broken = f"  (broken: {adapter.error})" if adapter.error else ""
            row = (adapter.section, adapter.type, adapter.distribution, adapter.version)
            sys.stdout.write("\t".join([*row, adapter.target]) + broken + "\n")
        return
    table = Table("section", "type", "distribution", "version", "class")
    for adapter in found:
        target = adapter.target + (
            f" [red](broken: {escape(adapter.error)})[/red]" if adapter.error else ""
        )
        table.add_row(adapter.section, adapter.type, adapter.distribution, adapter.version, target)
    out.print(table)


# `runplane ui` registers itself on `cli`; its web stack is imported only when it runs.
from runplane.adapters.cli import ui_command  # noqa: E402, F401
