"""Reading run records from a folder, shared by the `file-system` and `chunked-fs` stores.

Errors name the file, so one malformed record can be reported (or skipped) by its path.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from runplane.adapters._shared import leases
from runplane.domain.errors import RunLogError
from runplane.domain.run_log import RunLog, Status, StepLog


def read_record(path: Path) -> dict[str, Any]:
    """The JSON object in `path`, or a RunLogError naming the file."""
    try:
        data: dict[str, Any] = json.loads(path.read_bytes())
    except OSError as exc:
        raise RunLogError(f"cannot read run record '{path}': {exc.strerror}") from exc
    except ValueError as exc:
        raise RunLogError(f"run record '{path}' is not valid JSON: {exc}") from exc
    return data


def run_header(data: Any, path: Path, steps: list[StepLog] | None = None) -> RunLog:
    """The run header read from `path`, or a RunLogError naming the file."""
    try:
        return RunLog.from_dict(data, steps if steps is not None else [])
    except RunLogError as exc:
        raise RunLogError(f"run record '{path}' is malformed: {exc}") from exc


def with_lease(run: RunLog, folder: Path) -> RunLog:
    """The run, saying whether a live process still holds it (only a running run asks)."""
    if run.status is Status.PROCESSING:
        run.live = leases.is_held(folder)
    return run
