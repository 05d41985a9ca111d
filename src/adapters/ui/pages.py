"""What each page shows, shaped from the application's query side (no HTML here)."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from runplane.adapters.presentation.durations import took
from runplane.adapters.presentation.graph_html import svg
from runplane.adapters.presentation.picture import picture
from runplane.adapters.ui.recorded_graph import recorded_graph
from runplane.domain.errors import RunLogError, RunplaneError
from runplane.domain.run_log import RunLog, RunSummary, StepLog, state_of
from runplane.ports.queries import RunQueries

PAGE_SIZE = 50
#: States whose page refreshes itself: `processing` when the store cannot tell whether the
#: run's owner is alive; an `interrupted` run will not change until someone retries it.
UNFINISHED = ("running", "processing")
#: Configuration keys whose values are never shown, whatever their section.
_SECRET_KEY = re.compile(
    r"secret|password|passwd|token|credential|private|api_?key|access_?key", re.I
)
HIDDEN = "(hidden)"


@dataclass(frozen=True)
class RunRow:
    """One line of the runs page."""

    run_id: str
    state: str
    tag: str
    pipeline: str
    started: str
    duration: str
    original_run_id: str


@dataclass(frozen=True)
class RunsPage:
    """A page of runs, newest first, after the filters."""

    rows: list[RunRow]
    total: int
    page: int
    pages: int
    live: bool


def runs_page(
    app: RunQueries,
    *,
    status: str | None = None,
    tag: str | None = None,
    since: str | None = None,
    text: str | None = None,
    page: int = 1,
) -> RunsPage:
    """Runs matching the filters; `text` matches run id, tag or pipeline name (any case)."""
    summaries = app.list_runs(status=status or None, tag=tag or None, since=since or None)
    if text:
        needle = text.lower()
        summaries = [s for s in summaries if needle in _haystack(s)]
    pages = max(1, -(-len(summaries) // PAGE_SIZE))
    page = min(max(1, page), pages)
    shown = summaries[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
    rows = [_row(s) for s in shown]
    return RunsPage(rows, len(summaries), page, pages, any(r.state in UNFINISHED for r in rows))


def _haystack(summary: RunSummary) -> str:
    return " ".join((summary.run_id, summary.tag or "", summary.pipeline_name or "")).lower()


def _row(summary: RunSummary) -> RunRow:
    return RunRow(
        summary.run_id,
        summary.state,
        summary.tag or "",
        summary.pipeline_name or "",
        summary.start_time[:19].replace("T", " "),
        took(summary.start_time, summary.end_time),
        summary.original_run_id or "",
    )


@dataclass(frozen=True)
class AttemptView:
    """One attempt of a step, with what it printed."""

    number: int
    status: str
    started: str
    duration: str
    message: str
    traceback: str
    output: str


@dataclass(frozen=True)
class StepView:
    """The step panel."""

    path: str
    kind: str
    status: str
    parameters: list[tuple[str, str]]
    returns: list[tuple[str, str, bool]]  # name, text, whether an object to download
    metrics: list[tuple[str, str]]
    files: list[tuple[str, str, str, int]]  # stage, name, sha256, size
    attempts: list[AttemptView]
    reused_from: str


@dataclass(frozen=True)
class Branch:
    """One branch or iteration of a composite step, and the step its chip opens."""

    key: str
    status: str
    opens: str  # its first failed step, else its first step; '' when none was recorded


@dataclass(frozen=True)
class RunPage:
    """A run: header, graph, step list, configuration and the chosen step's panel."""

    log: RunLog
    state: str
    duration: str
    graph_svg: str
    steps: list[tuple[str, str, int, str]]  # path, status, attempts, duration
    parameters: list[tuple[str, str]]
    configuration: list[tuple[str, str]]
    branches: list[tuple[str, list[Branch]]]  # each composite step's branches, in order
    step: StepView | None = None
    live: bool = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "live", self.state in UNFINISHED)


def run_page(app: RunQueries, run_id: str, step_path: str | None = None) -> RunPage:
    """A run read from the store; `step_path` picks the step panel. Raises RunLogNotFoundError."""
    # The query side masks values that became secret after the run recorded them, too.
    log = app.get_run(run_id)
    graph = recorded_graph(log.pipeline)
    # A box per iteration: which one failed shows in the graph itself.
    drawn = svg(picture(graph, log, expand=True))[0] if graph is not None else ""
    record = recorded_step(log, step_path) if step_path else None
    return RunPage(
        log=log,
        state=state_of(log.status, log.live),
        duration=took(log.start_time, log.end_time),
        graph_svg=drawn,
        steps=[
            (s.path, s.status.value, len(s.attempts), took(s.start_time, s.end_time))
            for s in log.steps.values()
        ],
        parameters=_pairs(log.parameters),
        configuration=configuration_rows(log.configuration),
        branches=branch_chips(log),
        step=step_view(app, run_id, record) if record is not None else None,
    )


def recorded_step(log: RunLog, path: str) -> StepLog:
    """The record of one step. Raises RunLogError listing the recorded paths when absent."""
    record = log.steps.get(path)
    if record is None:
        known = ", ".join(log.steps) or "none"
        raise RunLogError(f"run {log.run_id!r} has no step {path!r}; recorded steps: {known}")
    return record


def branch_chips(log: RunLog) -> list[tuple[str, list[Branch]]]:
    """For each composite step, its branches (a map's iterations) with their statuses.

    The graph draws a map's branch once; these chips say which iteration failed.
    """
    chips = []
    for step in log.steps.values():
        if not step.branches:
            continue
        row = []
        for key, status in step.branches.items():
            prefix = f"{step.path}.{key}."
            inside = [s for s in log.steps.values() if s.path.startswith(prefix)]
            failed = [s for s in inside if s.status.value == "fail"]
            opens = (failed or inside)[0].path if inside else ""
            row.append(Branch(key, status, opens))
        chips.append((step.path, row))
    return chips


def step_view(app: RunQueries, run_id: str, step: StepLog) -> StepView:
    """A step's records, each attempt with the output it captured."""
    attempts = [
        AttemptView(
            a.number,
            a.status.value,
            a.start_time[:23].replace("T", " "),
            took(a.start_time, a.end_time),
            a.message,
            a.traceback,
            _output(app, run_id, step.path, a.number) if a.log else "",
        )
        for a in step.attempts
    ]
    return StepView(
        path=step.path,
        kind=step.kind,
        status=step.status.value,
        parameters=_pairs(step.parameters),
        returns=[
            (name, describe_return(value), _is_object(value))
            for name, value in step.returns.items()
        ],
        metrics=_pairs(step.metrics),
        files=[(e.stage, e.name, e.sha256, e.size) for e in step.data_catalog],
        attempts=attempts,
        reused_from=step.reused_from or "",
    )


def _output(app: RunQueries, run_id: str, path: str, attempt: int) -> str:
    # A log file gone from the catalog must not hide the rest of the panel.
    try:
        return app.step_output(run_id, path, attempt)
    except RunplaneError as exc:
        return f"(output unavailable: {exc})"


def _is_object(value: Any) -> bool:
    return isinstance(value, Mapping) and isinstance(value.get("$object"), Mapping)


def describe_return(value: Any) -> str:
    """A return as text; an object kept in the catalog by its type, size and hash."""
    if isinstance(value, Mapping) and isinstance(value.get("$object"), Mapping):
        ref = value["$object"]
        return (
            f"{ref.get('type', 'object')} ({ref.get('size', '?')} B, "
            f"{ref.get('format', '?')}, sha256:{str(ref.get('sha256', ''))[:12]})"
        )
    return as_text(value)


def configuration_rows(
    configuration: Mapping[str, Any], prefix: str = "", hidden: bool = False
) -> list[tuple[str, str]]:
    """The configuration flattened to dotted keys; values under secret-like keys hidden.

    The top-level `secrets` section names the secrets adapter, not a secret, so its own
    name does not hide it; its `token`, `password` and the like are hidden all the same.
    """
    rows: list[tuple[str, str]] = []
    for key, value in configuration.items():
        path = f"{prefix}{key}"
        secret = hidden or (bool(_SECRET_KEY.search(str(key))) and path != "secrets")
        if isinstance(value, Mapping):
            rows.extend(configuration_rows(value, f"{path}.", secret))
        else:
            rows.append((path, HIDDEN if secret else as_text(value)))
    return rows


def as_text(value: Any) -> str:
    """Compact JSON for people."""
    return json.dumps(value, ensure_ascii=False, default=str, sort_keys=True)


def _pairs(values: Mapping[str, Any]) -> list[tuple[str, str]]:
    return [(key, as_text(value)) for key, value in values.items()]


@dataclass(frozen=True)
class CompareRow:
    """One key across runs; `differs` when the runs do not all agree."""

    key: str
    values: list[str]
    differs: bool


@dataclass(frozen=True)
class ComparePage:
    """Runs side by side: parameters, metrics (step.metric) and catalog files (sha256)."""

    run_ids: list[str]
    sections: list[tuple[str, list[CompareRow]]]


ABSENT = "-"


def compare_page(app: RunQueries, run_ids: Iterable[str]) -> ComparePage:
    """The runs side by side. Raises RunLogNotFoundError for an unknown run."""
    logs = [app.get_run(run_id) for run_id in run_ids]  # masked, as on the run page
    sections = [
        ("parameters", [_pairs(log.parameters) for log in logs]),
        ("metrics", [_metrics(log) for log in logs]),
        ("catalog files (sha256)", [_hashes(log) for log in logs]),
    ]
    return ComparePage(
        [log.run_id for log in logs], [(title, _rows(values)) for title, values in sections]
    )


def _metrics(log: RunLog) -> list[tuple[str, str]]:
    return [
        (f"{step.path}.{name}", as_text(value))
        for step in log.steps.values()
        for name, value in step.metrics.items()
    ]


def _hashes(log: RunLog) -> list[tuple[str, str]]:
    # The last write of a file wins, as the catalog keeps it; reads record the same content.
    found: dict[str, str] = {}
    for step in log.steps.values():
        for entry in step.data_catalog:
            if entry.stage == "put" or entry.name not in found:
                found[entry.name] = entry.sha256[:16]
    return sorted(found.items())


def _rows(per_run: list[list[tuple[str, str]]]) -> list[CompareRow]:
    tables = [dict(pairs) for pairs in per_run]
    keys = list(dict.fromkeys(key for pairs in per_run for key, _ in pairs))
    rows = []
    for key in keys:
        values = [table.get(key, ABSENT) for table in tables]
        rows.append(CompareRow(key, values, len(set(values)) > 1))
    return rows
