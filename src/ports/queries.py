"""The read side: what users' code and the CLI ask of recorded runs, without running any."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from runplane.domain.identifiers import LATEST
from runplane.domain.run_log import CatalogEntry, RunLog, RunSummary

__all__ = ["LATEST", "RunQueries"]


@runtime_checkable
class RunQueries(Protocol):
    """Recorded runs, their objects and files: reads only, secrets masked."""

    def get_run(self, run_id: str) -> RunLog:
        """A run's log; `latest` is the newest run. Raises RunLogNotFoundError."""
        ...

    def list_runs(
        self,
        *,
        status: str | None = None,
        tag: str | None = None,
        since: str | None = None,
        limit: int | None = None,
    ) -> list[RunSummary]:
        """Run headers, newest first, narrowed by each criterion given (as `runs list`)."""
        ...

    def resolve(self, run_id: str, *, tag: str | None = None, status: str | None = None) -> str:
        """`run_id` itself, or for `latest` the newest run's id (with this tag and status).

        Raises RunLogNotFoundError when no run matches.
        """
        ...

    def load(self, run_id: str, value: Any) -> Any:
        """A recorded value with every object reference in it loaded, hash-checked.

        Raises ExecutionError when an object's bytes no longer have the recorded sha256.
        """
        ...

    def fetch(self, run_id: str, entries: Sequence[CatalogEntry], dest: Path) -> list[Path]:
        """Copy exactly the recorded versions of catalog files into `dest`, hash-checked.

        Returns the paths written. Raises CatalogError when a version is missing or changed.
        """
        ...

    def step_output(self, run_id: str, step_path: str, attempt: int | None = None) -> str:
        """What an attempt of a step (default: the last) printed, masked; '' when nothing."""
        ...

    def preview(self, run_id: str, entry: CatalogEntry, max_bytes: int) -> str | None:
        """The start (at most `max_bytes`) of a recorded file as text, secrets masked.

        None when the file is not text. The recorded version is read, hash-checked:
        raises CatalogError when it is missing or changed.
        """
        ...
