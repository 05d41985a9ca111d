"""Catalog files and returned objects of a step: which recorded version, and its preview."""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from dataclasses import dataclass

from runplane.adapters.ui.pages import recorded_step
from runplane.domain.errors import RunLogError
from runplane.domain.run_log import CatalogEntry, RunLog
from runplane.ports.queries import RunQueries

#: A preview reads at most this much of a file, and shows at most this many lines or rows:
#: enough to recognise a file, little enough for any page.
PREVIEW_BYTES = 64 * 1024
PREVIEW_LINES = 200
TABLE_SUFFIXES = {".csv": ",", ".tsv": "\t"}


def step_file(log: RunLog, step_path: str, name: str) -> CatalogEntry:
    """The version of catalog file `name` the step recorded: what it put, else what it got.

    Raises RunLogError naming the step's files when it recorded none of that name.
    """
    recorded = recorded_step(log, step_path).data_catalog
    entries = [e for e in recorded if e.name == name]
    if not entries:
        known = ", ".join(sorted({e.name for e in recorded})) or "none"
        raise RunLogError(
            f"step {step_path!r} of run {log.run_id!r} has no file {name!r}; files: {known}"
        )
    puts = [e for e in entries if e.stage == "put"]
    return (puts or entries)[-1]


def step_object(log: RunLog, step_path: str, name: str) -> tuple[CatalogEntry, str]:
    """The catalog entry of an object the step returned, and a file name to save it as.

    Raises RunLogError when the step returned no object of that name.
    """
    returns = recorded_step(log, step_path).returns
    value = returns.get(name)
    reference = value.get("$object") if isinstance(value, Mapping) else None
    if not isinstance(reference, Mapping):
        objects = [k for k, v in returns.items() if isinstance(v, Mapping) and "$object" in v]
        raise RunLogError(
            f"step {step_path!r} of run {log.run_id!r} returned no object {name!r}; "
            f"objects: {', '.join(objects) or 'none'}"
        )
    entry = CatalogEntry(reference["path"], "put", reference["sha256"], reference["size"])
    return entry, f"{name}.pickle"


@dataclass(frozen=True)
class FilePreview:
    """The start of a file: a table (CSV/TSV), lines of text, or nothing when binary."""

    entry: CatalogEntry
    lines: list[str]
    rows: list[list[str]]
    binary: bool
    truncated: bool  # the file goes on past what is shown


def preview(queries: RunQueries, run_id: str, entry: CatalogEntry) -> FilePreview:
    """The start of the recorded version of `entry` (masked, hash-checked by the query side).

    Raises CatalogError when that version is missing or changed.
    """
    text = queries.preview(run_id, entry, PREVIEW_BYTES)
    if text is None:
        return FilePreview(entry, [], [], binary=True, truncated=False)
    cut = entry.size > PREVIEW_BYTES
    if cut and "\n" in text:  # the last line read is likely partial
        text = text[: text.rindex("\n")]
    lines = text.splitlines()
    truncated = cut or len(lines) > PREVIEW_LINES
    lines = lines[:PREVIEW_LINES]
    delimiter = next((d for s, d in TABLE_SUFFIXES.items() if entry.name.lower().endswith(s)), "")
    if delimiter:
        rows = list(csv.reader(io.StringIO("\n".join(lines)), delimiter=delimiter))
        return FilePreview(entry, [], rows, binary=False, truncated=truncated)
    return FilePreview(entry, lines, [], binary=False, truncated=truncated)
