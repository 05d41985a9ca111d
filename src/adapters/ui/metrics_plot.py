"""Metrics across runs: one pipeline's metric over its runs, drawn as an inline SVG."""

from __future__ import annotations

from dataclasses import dataclass
from html import escape
from math import isfinite
from urllib.parse import quote

from runplane.domain.errors import RunLogError
from runplane.domain.step_tree import seconds
from runplane.ports.queries import RunQueries

#: The newest runs of a pipeline read for a plot; each is one read of the store.
MAX_RUNS = 200
WIDTH, HEIGHT, MARGIN = 720, 260, 40
MAX_LABELS = 8  # more points than this: only the first and last are labelled, to stay legible


@dataclass(frozen=True)
class Point:
    """A metric's value in one run."""

    run_id: str
    start: str
    tag: str
    value: float


@dataclass(frozen=True)
class MetricsPage:
    """The pickers' choices, the chosen series and its picture."""

    pipelines: list[str]
    pipeline: str
    metrics: list[str]
    metric: str
    points: list[Point]
    plot_svg: str


def metrics_page(
    app: RunQueries, pipeline: str, metric: str, *, by_time: bool = False
) -> MetricsPage:
    """Every pipeline; for the chosen one its numeric metrics (`step.metric`); the series.

    `by_time` spaces the points by when their runs started, else evenly in run order.
    """
    summaries = app.list_runs()
    pipelines = sorted({s.pipeline_name for s in summaries if s.pipeline_name})
    if pipeline not in pipelines:
        return MetricsPage(pipelines, "", [], "", [], "")
    chosen = [s for s in summaries if s.pipeline_name == pipeline][:MAX_RUNS]
    values: dict[str, list[Point]] = {}
    for summary in reversed(chosen):  # oldest first: the plot reads left to right in time
        try:
            log = app.get_run(summary.run_id)
        except RunLogError:
            continue
        for step in log.steps.values():
            for name, value in step.metrics.items():
                if _plottable(value):
                    key = f"{step.path}.{name}"
                    point = Point(log.run_id, log.start_time, log.tag or "", float(value))
                    values.setdefault(key, []).append(point)
    metrics = sorted(values)
    if metric not in values:
        return MetricsPage(pipelines, pipeline, metrics, "", [], "")
    points = values[metric]
    drawn = plot(points, metric, by_time=by_time)
    return MetricsPage(pipelines, pipeline, metrics, metric, points, drawn)


def _plottable(value: object) -> bool:
    # NaN and infinities have no place on an axis; booleans are not measurements.
    return isinstance(value, int | float) and not isinstance(value, bool) and isfinite(value)


def plot(points: list[Point], label: str, *, by_time: bool = False) -> str:
    """A line through the points, oldest first; each point names its run on hover, links to it."""
    low = min(p.value for p in points)
    high = max(p.value for p in points)
    if high == low:  # one value throughout: a flat line in the middle, not on the axis
        pad = abs(low) * 0.1 or 1.0
        low, high = low - pad, high + pad
    span = high - low
    width = WIDTH - 2 * MARGIN
    if by_time:
        offsets = [seconds(points[0].start, p.start) or 0.0 for p in points]
        last = max(offsets) or 1.0
        xs = [MARGIN + offset / last * width for offset in offsets]
    else:
        xs = [MARGIN + i * width / max(1, len(points) - 1) for i in range(len(points))]

    def y(value: float) -> float:
        return HEIGHT - MARGIN - (value - low) / span * (HEIGHT - 2 * MARGIN)

    coords = [(x, y(p.value)) for x, p in zip(xs, points, strict=True)]
    line = " ".join(f"{x:.1f},{y:.1f}" for x, y in coords)
    dots = "".join(
        f'<a href="/runs/{quote(p.run_id)}"><circle class="point" cx="{x:.1f}" cy="{y:.1f}" '
        f'r="4" data-run="{escape(p.run_id)}"><title>{escape(p.run_id)}'
        f"{' [' + escape(p.tag) + ']' if p.tag else ''}: {p.value:g} "
        f"({escape(p.start[:19])})</title></circle></a>"
        for p, (x, y) in zip(points, coords, strict=True)
    )
    labels = "".join(
        f'<text class="x-label" x="{x:.1f}" y="{HEIGHT - MARGIN + 16}" text-anchor="middle">'
        f"{escape(_x_label(p))}</text>"
        for index, (p, (x, _)) in enumerate(zip(points, coords, strict=True))
        if len(points) <= MAX_LABELS or index in (0, len(points) - 1)
    )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="plot" width="{WIDTH}" '
        f'height="{HEIGHT}" viewBox="0 0 {WIDTH} {HEIGHT}">'
        f'<text x="{MARGIN}" y="16">{escape(label)}</text>'
        f'<text x="4" y="{MARGIN + 4}">{high:g}</text>'
        f'<text x="4" y="{HEIGHT - MARGIN + 4}">{low:g}</text>'
        f'<line class="axis" x1="{MARGIN}" y1="{HEIGHT - MARGIN}" x2="{WIDTH - MARGIN}" '
        f'y2="{HEIGHT - MARGIN}"/>'
        f'<polyline class="series" fill="none" points="{line}"/>{dots}{labels}</svg>'
    )


def _x_label(point: Point) -> str:
    """Under a point: its run's tag, else when it started (month-day hour:minute)."""
    return point.tag or point.start[5:16].replace("T", " ")
