"""The catalog port: files that flow between steps, kept per run."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Protocol, runtime_checkable

from runplane.domain.run_log import CatalogEntry


@runtime_checkable
class Catalog(Protocol):
    """Moves files between a step's working directory and the run's catalog."""

    def put(self, run_id: str, patterns: Sequence[str], work_dir: Path) -> list[CatalogEntry]:
        """Copy files matching the glob patterns (relative to `work_dir`) into the catalog.

        A directory that matches is copied whole. Returns one entry per file, with its
        sha256 and size. Raises CatalogError when a pattern matches nothing or escapes
        `work_dir`.
        """
        ...

    def get(self, run_id: str, patterns: Sequence[str], work_dir: Path) -> list[CatalogEntry]:
        """Copy the run's catalog files matching the patterns into `work_dir`.

        Raises CatalogError when a pattern matches nothing in the run's catalog.
        """
        ...

    def restore(
        self, run_id: str, entries: Sequence[CatalogEntry], work_dir: Path
    ) -> list[CatalogEntry]:
        """Copy into `work_dir` exactly the versions `entries` recorded (name and sha256).

        A catalog keeps every version a run put, not only the latest `get` brings: a retry
        restores what each step it reuses put, even of a name later steps put again.
        Returns one "get" entry per file. Raises CatalogError when a version is not kept
        or its content no longer has the recorded hash.
        """
        ...

    def location(self, run_id: str) -> str:
        """Where a person finds the run's files (a path or a URL)."""
        ...
