"""A catalog on a local (or mounted) file system: `<catalog_location>/<run_id>/<path>`."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path
from typing import ClassVar

from pydantic import BaseModel, ConfigDict

from runplane.adapters._shared.files import copy_with_sha256
from runplane.adapters._shared.globbing import expand
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

    def put(self, run_id: str, patterns: Sequence[str], work_dir: Path) -> list[CatalogEntry]:
        names = expand(patterns, work_dir, f"working directory '{work_dir}'")
        return [self._copy(work_dir / n, self._root / run_id / n, n, "put") for n in names]

    def get(self, run_id: str, patterns: Sequence[str], work_dir: Path) -> list[CatalogEntry]:
        run_folder = self._root / run_id
        names = expand(patterns, run_folder, f"the catalog of run '{run_id}' ('{run_folder}')")
        return [self._copy(run_folder / n, work_dir / n, n, "get") for n in names]

    def location(self, run_id: str) -> str:
        return str(self._root / run_id)

    @staticmethod
    def _copy(source: Path, target: Path, name: str, stage: str) -> CatalogEntry:
        try:
            sha256, size = copy_with_sha256(source, target)
        except OSError as exc:
            raise CatalogError(
                f"cannot copy '{source}' to '{target}' ({stage}): {exc.strerror}"
            ) from exc
        logger.debug("%s %s (%d bytes)", stage, name, size)
        return CatalogEntry(name=name, stage=stage, sha256=sha256, size=size)
