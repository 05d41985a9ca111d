"""Run ids: what a valid one looks like and how a fresh one is formed."""

from __future__ import annotations

import re

from runplane.domain.errors import ConfigurationError

_RUN_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$")


def check_run_id(run_id: str) -> str:
    """Return `run_id` if it is safe as a file name, an object key and an Argo parameter."""
    if not _RUN_ID.match(run_id) or ".." in run_id:
        raise ConfigurationError(
            f"run id {run_id!r} is invalid: use 1-128 letters, digits, '_', '-' or '.', "
            "starting with a letter or digit, without '..'"
        )
    return run_id


#: Names the newest run wherever a run is looked up, so no new run may take it.
LATEST = "latest"


def check_new_run_id(run_id: str) -> str:
    """`check_run_id`, and not a name that stands for another run (`latest`)."""
    if run_id == LATEST:
        raise ConfigurationError(
            f"run id {run_id!r} is reserved: it names the newest run; choose another"
        )
    return check_run_id(run_id)


def new_run_id(timestamp: str, suffix: str) -> str:
    """A fresh run id from a compact UTC timestamp (YYYYmmdd-HHMMSS) and a random suffix."""
    return check_run_id(f"{timestamp}-{suffix}")
