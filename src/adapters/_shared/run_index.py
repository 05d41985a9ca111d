"""A summary index of the runs in a folder: listing 10,000 runs reads one small file.

Listing runs used to read and decode every run's header (which holds the pipeline's
shape, parameters and configuration): about a second for 10,000 runs. The index keeps
each run's summary with the identity of the header file it came from (inode, mtime,
size). A listing still scans the folder and stats each header, which is cheap, and
re-reads only the headers that are new or changed since the index was written. So an
index that lags (a crash between a header write and an index write, a writer on another
machine, a store written by an older runplane) never hides a run nor shows an old
status: it is merged with what the folder holds on every read, then written back.

Writers do not touch the index: every header write would otherwise rewrite a file that
grows with the number of runs, under a lock shared by every process. The first listing
after a run changes pays for that one header instead.
"""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path
from typing import Any, TypeGuard

from runplane.adapters._shared import leases
from runplane.adapters._shared.durable import write_atomic
from runplane.adapters._shared.run_records import read_record, run_header
from runplane.domain.errors import RunLogError
from runplane.domain.run_log import RunSummary, Status

logger = logging.getLogger(__name__)

INDEX = ".runs-index.json"  # hidden: listings skip names starting with a dot
_VERSION = 1
_STATUSES = {s.value: s for s in Status}  # faster than Status(value), 10,000 times
_ENTRY_LENGTH = 2  # [header identity, row]
_ROW_LENGTH = 7  # the fields of a summary row (see summary_row)


def list_summaries(root: Path, header_name: str) -> list[RunSummary]:
    """Every run in `root` (a folder per run holding `header_name`), newest first.

    Reads the index, re-reads the headers it does not know as they are now, and writes
    it back when anything changed (best effort: a read-only folder is listed all the same).
    """
    if not root.is_dir():
        return []
    cached = _load(root / INDEX)
    current: dict[str, list[Any]] = {}
    changed = False
    with os.scandir(root) as entries:
        for entry in entries:
            if entry.name.startswith(".") or not entry.is_dir():
                continue  # a run being created (or abandoned while it was), or the index
            # os.stat on a string: pathlib's objects cost more than the stat, 10,000 times.
            try:
                stat = os.stat(f"{entry.path}/{header_name}")
            except OSError:
                continue  # no header: not a run folder
            identity = [stat.st_ino, stat.st_mtime_ns, stat.st_size]
            known = cached.get(entry.name)
            if _well_formed(known) and known[0] == identity:
                current[entry.name] = known
                continue
            changed = True
            header = Path(entry.path, header_name)
            try:
                summary = run_header(read_record(header), header).summary()
            except RunLogError as exc:  # one bad run must not hide every other
                logger.warning("runs list skips run '%s': %s", entry.name, exc)
                continue
            current[entry.name] = [identity, summary_row(summary)]
    if changed or len(current) != len(cached):  # new or changed runs, or removed ones
        _save(root / INDEX, current)
    try:
        runs = [_summary(row, root, name) for name, (_, row) in current.items()]
    except (KeyError, TypeError, ValueError):  # an index edited into nonsense: start afresh
        (root / INDEX).unlink(missing_ok=True)
        return list_summaries(root, header_name)
    return sorted(runs, key=lambda r: r.start_time, reverse=True)


def summary_row(summary: RunSummary) -> list[Any]:
    """A summary as the index keeps it (without `live`, which no header write announces)."""
    # A list, not a dict: 10,000 of them decode faster without repeating the keys.
    return [
        summary.run_id,
        summary.tag,
        summary.status.value,
        summary.start_time,
        summary.end_time,
        summary.pipeline_name,
        summary.original_run_id,
    ]


def _summary(row: list[Any], root: Path, name: str) -> RunSummary:
    # Whether a processing run's owner still runs it changes with no header write: ask.
    live = leases.is_held(root / name) if row[2] == Status.PROCESSING.value else None
    return row_summary(row, live)


def row_summary(row: list[Any], live: bool | None = None) -> RunSummary:
    """The summary a `summary_row` keeps. Raises KeyError, TypeError or ValueError if mangled."""
    run_id, tag, status, start_time, end_time, pipeline_name, original_run_id = row
    return RunSummary(
        run_id, tag, _STATUSES[status], start_time, end_time, pipeline_name, live, original_run_id
    )


def _load(path: Path) -> dict[str, list[Any]]:
    """The index's entries by folder name; empty when missing, unreadable or another version."""
    try:
        data = json.loads(path.read_bytes())
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict) or data.get("version") != _VERSION:
        return {}
    runs = data.get("runs")
    if not isinstance(runs, dict):
        return {}
    return runs


def _well_formed(entry: Any) -> TypeGuard[list[Any]]:
    """`[header identity, row]` as `list_summaries` writes them; else the header is read again."""
    return (
        type(entry) is list
        and len(entry) == _ENTRY_LENGTH
        and type(entry[1]) is list
        and len(entry[1]) == _ROW_LENGTH
    )


def _save(path: Path, runs: dict[str, list[Any]]) -> None:
    data = json.dumps({"version": _VERSION, "runs": runs}, separators=(",", ":"))
    try:
        # Atomic, so a concurrent reader sees the old index or the new one; not synced to
        # the folder: an index lost in a power cut is rebuilt from the headers.
        write_atomic(path, data.encode(), sync_folder=False)
    except OSError as exc:
        logger.debug("runs list: cannot write the index '%s': %s", path, exc.strerror)
