"""How inspected runs look: the step tree, one step's attempts, the differences of two runs."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from rich.console import Group, RenderableType
from rich.markup import escape
from rich.table import Table
from rich.text import Text
from rich.tree import Tree

from runplane.adapters.cli.views import status_text, step_status
from runplane.adapters.presentation.durations import took
from runplane.domain.run_diff import MISSING, Change, RunDiff
from runplane.domain.run_log import RunSummary, StepLog
from runplane.domain.step_tree import RunTree, StepNode


def runs_listing(summaries: Iterable[RunSummary]) -> Table:
    """Runs newest first: id, status, tag, start, duration, pipeline."""
    table = Table("run id", "status", "tag", "started", "duration", "pipeline")
    for s in summaries:
        table.add_row(
            s.run_id,
            status_text(s.status, s.live),
            escape(s.tag or ""),
            s.start_time[:19].replace("T", " "),
            took(s.start_time, s.end_time),
            escape(s.pipeline_name or ""),
        )
    return table


def runs_lines(summaries: Iterable[RunSummary]) -> str:
    """The same columns as plain text, one run per line, for pipes and files.

    A table drawn for an unknown width wraps long rows over several lines, which `grep`,
    `wc -l` and `awk` cannot use; and drawing thousands of rows costs seconds.
    """
    header = ("run id", "status", "tag", "started", "duration", "pipeline")
    rows = [header] + [
        (
            s.run_id,
            s.state,
            s.tag or "-",
            s.start_time[:19].replace("T", " "),
            took(s.start_time, s.end_time),
            s.pipeline_name or "-",
        )
        for s in summaries
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(len(header) - 1)]
    return "".join(
        "  ".join([*(cell.ljust(w) for cell, w in zip(row, widths, strict=False)), row[-1]]) + "\n"
        for row in rows
    )


def run_tree(tree: RunTree) -> RenderableType:
    """The run header, then its steps as a tree with branches and iterations."""
    log = tree.log
    root = Tree(
        f"run [bold]{escape(log.run_id)}[/bold]: {status_text(log.status, log.live)}  "
        f"tag={escape(log.tag or '-')}  {took(log.start_time, log.end_time)}"
    )
    if log.parameters:
        root.add(Text(f"parameters: {compact(log.parameters)}", style="dim"))
    for node in tree.roots:
        _add_step(root, node)
    return root


def _add_step(parent: Tree, node: StepNode) -> None:
    step = node.record
    attempts = len(step.attempts)
    label = (
        f"[bold]{escape(node.name)}[/bold] {step_status(step)} "
        f"{took(step.start_time, step.end_time)}"
        + (f"  [yellow]{attempts} attempts[/yellow]" if attempts > 1 else "")
    )
    branch = parent.add(label)
    for text in _details(step):
        branch.add(Text(text, style="dim"))
    for key, children in node.branches.items():
        status = step.branches.get(key, "")
        sub = branch.add(f"[cyan]{escape(key)}[/cyan] {status}")
        for child in children:
            _add_step(sub, child)


def _details(step: StepLog) -> list[str]:
    lines = []
    if step.parameters:
        lines.append(f"parameters: {compact(step.parameters)}")
    if step.returns:
        lines.append(f"returns: {compact(step.returns)}")
    if step.metrics:
        lines.append(f"metrics: {_json(step.metrics)}")
    for entry in step.data_catalog:
        lines.append(f"{entry.stage} {entry.name} sha256:{entry.sha256[:12]} {entry.size} B")
    if step.message and step.status.value == "fail":
        lines.append(f"error: {step.message}")
    return lines


def step_detail(step: StepLog) -> RenderableType:
    """One step: its records, then every attempt with its message and traceback."""
    table = Table("attempt", "status", "started", "duration", "message")
    for attempt in step.attempts:
        table.add_row(
            str(attempt.number),
            status_text(attempt.status),
            attempt.start_time[:23].replace("T", " "),
            took(attempt.start_time, attempt.end_time),
            escape(attempt.message),
        )
    parts: list[RenderableType] = [
        f"step [bold]{escape(step.path)}[/bold] ({step.kind}): {step_status(step)}",
        *(Text(line) for line in _details(step) if not line.startswith("error: ")),
        table,
    ]
    last = step.attempts[-1] if step.attempts else None
    if last is not None and last.traceback:
        parts.append(Text(last.traceback, style="red"))
    return Group(*parts)


def diff_view(diff: RunDiff) -> RenderableType:
    """A table per kind of difference, or a line saying the runs agree."""
    if diff.same:
        return Text(f"runs {diff.before} and {diff.after}: no differences")
    parts: list[RenderableType] = []
    for title, changes in (
        ("parameters", diff.parameters),
        ("metrics", diff.metrics),
        ("catalog (sha256)", diff.catalog),
    ):
        if changes:
            table = Table("key", diff.before, diff.after, title=title, title_justify="left")
            for change in changes:
                table.add_row(escape(change.key), _side(change, "before"), _side(change, "after"))
            parts.append(table)
    return Group(*parts)


def _side(change: Change, side: str) -> str:
    value = getattr(change, side)
    return "[dim]-[/dim]" if value is MISSING else escape(_json(value))


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, default=str, allow_nan=False)


REFERENCE = "$object"  # how the run log marks a value kept as a pickle in the catalog


def compact(values: Any) -> str:
    """JSON, with each pickled object as `<DataFrame 12 kB sha256:ab12cd34ef56...>`."""
    markers: dict[str, str] = {}

    def swap(value: Any) -> Any:
        if isinstance(value, dict) and len(value) == 1 and REFERENCE in value:
            placeholder = f"\x00{len(markers)}\x00"
            markers[json.dumps(placeholder)] = _object_label(value[REFERENCE])
            return placeholder
        if isinstance(value, dict):
            return {key: swap(item) for key, item in value.items()}
        if isinstance(value, list):
            return [swap(item) for item in value]
        return value

    text = _json(swap(values))
    for placeholder, label in markers.items():
        text = text.replace(placeholder, label)
    return text


def _object_label(reference: Any) -> str:
    if not isinstance(reference, dict):
        return "<object>"
    kind = str(reference.get("type", "object")).rpartition(".")[2]
    size = reference.get("size")
    digest = str(reference.get("sha256", ""))[:12]
    return f"<{kind} {_size(size) if isinstance(size, int) else '?'} sha256:{digest}...>"


def _size(size: int) -> str:
    """Bytes for people: '812 B', '12.3 kB', '4.0 MB'."""
    if size < 1000:  # noqa: PLR2004
        return f"{size} B"
    value = size / 1000
    for unit in ("kB", "MB"):
        if value < 1000:  # noqa: PLR2004
            return f"{value:.1f} {unit}"
        value /= 1000
    return f"{value:.1f} GB"
