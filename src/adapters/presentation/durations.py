"""Durations for people, one format for the command line and the web UI."""

from __future__ import annotations

from runplane.domain.step_tree import seconds


def took(start: str | None, end: str | None) -> str:
    """A duration for people, the one format every view uses: '0.12s', '3m04s', '-'."""
    value = seconds(start, end)
    if value is None:
        return "-"
    if value < 60:  # noqa: PLR2004
        return f"{value:.2f}s"
    minutes, rest = divmod(int(value), 60)
    return f"{minutes}m{rest:02d}s"
