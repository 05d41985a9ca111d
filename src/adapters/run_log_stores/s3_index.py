"""The summary index of the S3 run log store: a listing GETs only unfinished runs' headers.

S3 has no cheap per-object identity in a listing by folder (the one that scales to 10,000
runs), so the index trusts what does not change: the summary of a finished run. A run's
header keeps changing while it runs (status, heartbeat of its lease), so unfinished runs
are never indexed, and every run folder the index does not name is read. An index that
lags (a crash before it was written, an older runplane, a writer elsewhere) thus hides no
run; a damaged one is ignored and written again. Runs are never deleted by runplane; a
folder removed by hand drops out of the next index.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from runplane.adapters._shared.run_index import row_summary, summary_row
from runplane.domain.run_log import RunSummary, Status

INDEX = ".runs-index.json"  # beside the run folders: a key, so no folder listing shows it
_VERSION = 1


def list_summaries(
    folders: list[str],
    index: Any,
    read: Callable[[list[str]], Mapping[str, RunSummary]],
) -> tuple[list[RunSummary], dict[str, Any] | None]:
    """The runs in `folders`, newest first, and the index to write (None: unchanged).

    `index` is the index object as read (None when missing); `read` gives the summaries of
    the folders it is handed, from their headers (leaving out the unreadable ones).
    """
    cached = _rows(index)
    try:
        kept = {f: row_summary(cached[f]) for f in folders if f in cached}
    except (KeyError, TypeError, ValueError):  # an index edited into nonsense: start afresh
        cached, kept = {}, {}
    fresh = read([f for f in folders if f not in kept])
    rows = {f: cached[f] for f in kept}
    for folder, summary in fresh.items():
        if summary.status is not Status.PROCESSING:
            rows[folder] = summary_row(summary)
    runs = sorted([*kept.values(), *fresh.values()], key=lambda r: r.start_time, reverse=True)
    return runs, ({"version": _VERSION, "runs": rows} if rows != cached else None)


def _rows(index: Any) -> dict[str, Any]:
    if not isinstance(index, dict) or index.get("version") != _VERSION:
        return {}
    runs = index.get("runs")
    return runs if isinstance(runs, dict) else {}
