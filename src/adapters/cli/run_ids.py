"""`latest` as a run id: every command that names a recorded run accepts it."""

from __future__ import annotations

from typing import Protocol

from runplane.domain.identifiers import LATEST
from runplane.domain.run_log import RunSummary
from runplane.domain.run_query import no_latest_run

#: Help text of every argument that names a recorded run.
RUN_ID_HELP = "A run id, or 'latest' for the newest run."


class _Lister(Protocol):
    def list_runs(self, *, limit: int | None = None) -> list[RunSummary]: ...

    def run_log_location(self, run_id: str) -> str: ...


def resolved(app: _Lister, run_id: str) -> str:
    """`run_id`, or for `latest` the id of the newest recorded run."""
    if run_id != LATEST:
        return run_id
    newest = app.list_runs(limit=1)
    if not newest:
        raise no_latest_run(app.run_log_location(""), tag=None, status=None)
    return newest[0].run_id
