"""Pure helpers of the UI: the metric plot (spacing, what is plotted), returns as text."""

import re

from runplane.adapters.ui.metrics_plot import MARGIN, WIDTH, Point, _plottable, plot
from runplane.adapters.ui.pages import describe_return


def xs(svg: str) -> list[float]:
    return [float(x) for x in re.findall(r'<circle class="point" cx="([\d.]+)"', svg)]


POINTS = [
    Point("a", "2026-01-01T00:00:00+00:00", "", 1.0),
    Point("b", "2026-01-01T00:00:10+00:00", "", 2.0),
    Point("c", "2026-01-01T00:01:40+00:00", "", 3.0),  # 100 s after the first
]


def test_points_are_evenly_spaced_by_run_by_default() -> None:
    width = WIDTH - 2 * MARGIN
    assert xs(plot(POINTS, "m")) == [MARGIN, MARGIN + width / 2, MARGIN + width]


def test_points_are_spaced_by_start_time_when_asked() -> None:
    width = WIDTH - 2 * MARGIN
    assert xs(plot(POINTS, "m", by_time=True)) == [MARGIN, MARGIN + width / 10, MARGIN + width]


def test_only_finite_numbers_are_plotted() -> None:
    assert [_plottable(v) for v in (1, 2.5, float("nan"), float("inf"), True, "3")] == [
        True,
        True,
        False,
        False,
        False,
        False,
    ]


def test_objects_returned_are_described_by_type_size_format_and_hash() -> None:
    ref = {
        "$object": {
            "path": "objects/x",
            "sha256": "ab" * 32,
            "size": 2048,
            "format": "pickle",
            "type": "pandas.DataFrame",
        }
    }
    assert describe_return(ref) == "pandas.DataFrame (2048 B, pickle, sha256:abababababab)"
    assert describe_return({"plain": [1, 2]}) == '{"plain": [1, 2]}'
