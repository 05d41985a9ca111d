"""The read side of runplane (the `RunQueries` port): runs, their objects and files.

Separate from the run service because reading needs no executor or task runners, and so
that `runplane.Run` and the CLI's read commands share one implementation.
"""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from runplane.app import inspection, masking
from runplane.app.attempts import TaskAttempts
from runplane.app.objects import ObjectStore
from runplane.domain.identifiers import LATEST, check_run_id
from runplane.domain.run_log import CatalogEntry, RunLog, RunSummary
from runplane.domain.run_query import no_latest_run
from runplane.ports.catalog import Catalog
from runplane.ports.run_log_store import RunLogStore
from runplane.ports.secrets import Secrets


def _utc_now() -> str:
    return datetime.now(UTC).isoformat(timespec="microseconds")


class RunQueryService:
    """Reads recorded runs through the run log store and catalog ports."""

    def __init__(self, *, run_log_store: RunLogStore, catalog: Catalog, secrets: Secrets) -> None:
        self._store = masking.masked_store(run_log_store)
        self._catalog = catalog
        self._secrets = secrets
        self._objects = ObjectStore(catalog)
        # Only its `output` is used: it reads what an attempt printed, masked.
        self._attempts = TaskAttempts(
            store=self._store, catalog=catalog, secrets=secrets, runners={}, clock=_utc_now
        )

    def get_run(self, run_id: str) -> RunLog:
        """A run's log, secrets masked; `latest` is the newest run."""
        run = self._store.get_run(check_run_id(self.resolve(run_id)))
        # Records are masked when written; this covers values that became secret later.
        masking.fetch_for_masking(self._secrets, masking.named_in(run.pipeline))
        return masking.mask_run(run)

    def list_runs(
        self,
        *,
        status: str | None = None,
        tag: str | None = None,
        since: str | None = None,
        limit: int | None = None,
    ) -> list[RunSummary]:
        """Run headers, newest first, narrowed as `runs list` narrows them."""
        return inspection.list_runs(
            self._store, _utc_now(), status=status, tag=tag, since=since, limit=limit
        )

    def resolve(self, run_id: str, *, tag: str | None = None, status: str | None = None) -> str:
        """`run_id`, or for `latest` the id of the newest run (with this tag and status)."""
        if run_id != LATEST:
            return run_id
        return latest_run_id(self._store, tag=tag, status=status)

    def load(self, run_id: str, value: Any) -> Any:
        """`value` with its object references loaded from the run's catalog, hash-checked."""
        return self._objects.load(check_run_id(run_id), value)

    def fetch(self, run_id: str, entries: Sequence[CatalogEntry], dest: Path) -> list[Path]:
        """The recorded versions of `entries`, copied into `dest` (hash-checked)."""
        dest.mkdir(parents=True, exist_ok=True)
        restored = self._catalog.restore(check_run_id(run_id), entries, dest)
        return [dest / entry.name for entry in restored]

    def step_output(self, run_id: str, step_path: str, attempt: int | None = None) -> str:
        """What an attempt (default: the last) of a step printed, masked."""
        return self._attempts.output(check_run_id(self.resolve(run_id)), step_path, attempt)

    def preview(self, run_id: str, entry: CatalogEntry, max_bytes: int) -> str | None:
        """The start of the recorded version of a file as text, masked; None when binary."""
        run_id = check_run_id(run_id)
        with tempfile.TemporaryDirectory(prefix="runplane-preview-") as scratch:
            (path,) = self.fetch(run_id, [entry], Path(scratch))
            with path.open("rb") as stream:
                head = stream.read(max_bytes)
        text = text_head(head)
        if text is None:
            return None
        # This process ran nothing: mask the secrets the run's steps declared, where found.
        pipeline = self._store.get_run(run_id).pipeline
        masking.fetch_for_masking(self._secrets, masking.named_in(pipeline))
        return masking.mask(text)


def text_head(head: bytes) -> str | None:
    """`head` (the start of a file) decoded as UTF-8 text; None when it looks binary.

    A cut can split a character at the end, so an undecodable tail of up to 3 bytes is
    dropped rather than taken for binary.
    """
    if b"\0" in head:
        return None
    for cut in range(4):
        try:
            return head[: len(head) - cut].decode("utf-8")
        except UnicodeDecodeError:
            continue
    return None


def latest_run_id(store: RunLogStore, *, tag: str | None = None, status: str | None = None) -> str:
    """The id of the newest run (with this tag and status). Raises RunLogNotFoundError."""
    newest = inspection.list_runs(store, _utc_now(), tag=tag, status=status, limit=1)
    if not newest:
        raise no_latest_run(store.location(""), tag=tag, status=status)
    return newest[0].run_id
