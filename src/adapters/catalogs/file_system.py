"""A catalog on a local (or mounted) file system: `<catalog_location>/<run_id>/<path>`.

Every version put is also kept by its sha256 under `<catalog_location>/.versions` (see
`versions.py`), for `restore`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import ClassVar

from pydantic import BaseModel, ConfigDict

from runplane.adapters._shared.durable import find_syncfs
from runplane.adapters._shared.files import CopyError, copy_files
from runplane.adapters._shared.globbing import expand
from runplane.adapters.catalogs.versions import Versions
from runplane.domain.errors import CatalogError
from runplane.domain.run_log import CatalogEntry

logger = logging.getLogger(__name__)


class FileSystemCatalogConfig(BaseModel):
    """Settings of the file-system catalog."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    catalog_location: str = ".catalog"


class FileSystemCatalog:
    """Copies files into a folder per run, hashing while copying."""

    Config: ClassVar[type[FileSystemCatalogConfig]] = FileSystemCatalogConfig

    def __init__(self, config: FileSystemCatalogConfig | None = None) -> None:
        self._root = Path((config or FileSystemCatalogConfig()).catalog_location)
        self._versions = Versions(self._root)

    def put(self, run_id: str, patterns: Sequence[str], work_dir: Path) -> list[CatalogEntry]:
        names = expand(patterns, work_dir, f"working directory '{work_dir}'")
        # Durable: the step's record, synced after this returns, names these files.
        return self._copy(
            work_dir,
            self._root / run_id,
            names,
            "put",
            durable=True,
            keep=lambda files: self._versions.keep(files, durable=True),
        )

    def get(self, run_id: str, patterns: Sequence[str], work_dir: Path) -> list[CatalogEntry]:
        run_folder = self._root / run_id
        names = expand(patterns, run_folder, f"the catalog of run '{run_id}' ('{run_folder}')")
        # Not synced: a step's inputs in its working directory are fetched again if lost.
        # Still renamed into place: parallel branches share the working directory (one may
        # read a file another is getting), and a failed get keeps the previous copy whole.
        return self._copy(run_folder, work_dir, names, "get", durable=False)

    def restore(
        self, run_id: str, entries: Sequence[CatalogEntry], work_dir: Path
    ) -> list[CatalogEntry]:
        try:
            self._versions.restore(self._root / run_id, entries, work_dir)
        except OSError as exc:
            raise CatalogError(
                f"cannot restore files of run '{run_id}' into '{work_dir}': {exc.strerror}"
            ) from exc
        return [CatalogEntry(e.name, "get", e.sha256, e.size) for e in entries]

    def location(self, run_id: str) -> str:
        return str(self._root / run_id)

    @staticmethod
    def _copy(
        source_dir: Path,
        target_dir: Path,
        names: Sequence[str],
        stage: str,
        *,
        durable: bool,
        keep: Callable[[Sequence[tuple[str, str]]], None] | None = None,
    ) -> list[CatalogEntry]:
        """Copy (hashing) every file; see `copy_files` for what a reader may see."""
        try:
            copied = copy_files(
                source_dir,
                target_dir,
                names,
                durable=durable,
                syncfs=find_syncfs(),
                before_publish=keep,
            )
        except CopyError as exc:
            raise CatalogError(
                f"cannot copy '{exc.source}' to '{exc.target}' ({stage}): {exc.error.strerror}"
            ) from exc.error
        except OSError as exc:
            raise CatalogError(
                f"cannot copy '{source_dir}' to '{target_dir}' ({stage}): {exc.strerror}"
            ) from exc
        entries = [
            CatalogEntry(name=name, stage=stage, sha256=sha256, size=size)
            for name, (sha256, size) in zip(names, copied, strict=True)
        ]
        logger.debug("%s %d files from '%s' to '%s'", stage, len(entries), source_dir, target_dir)
        return entries
