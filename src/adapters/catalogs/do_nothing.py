"""A catalog that moves nothing: files stay where steps write them."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import ClassVar

from pydantic import BaseModel, ConfigDict

from runplane.adapters._shared.globbing import check_pattern
from runplane.domain.run_log import CatalogEntry


class DoNothingCatalogConfig(BaseModel):
    """The do-nothing catalog takes no settings."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class DoNothingCatalog:
    """Records nothing and copies nothing; patterns are still checked for safety."""

    Config: ClassVar[type[DoNothingCatalogConfig]] = DoNothingCatalogConfig

    def __init__(self, config: DoNothingCatalogConfig | None = None) -> None:
        pass

    def put(self, run_id: str, patterns: Sequence[str], work_dir: Path) -> list[CatalogEntry]:
        for pattern in patterns:
            check_pattern(pattern)
        return []

    def get(self, run_id: str, patterns: Sequence[str], work_dir: Path) -> list[CatalogEntry]:
        for pattern in patterns:
            check_pattern(pattern)
        return []

    def restore(
        self, run_id: str, entries: Sequence[CatalogEntry], work_dir: Path
    ) -> list[CatalogEntry]:
        return []  # it never recorded a file, so no step names one to restore

    def location(self, run_id: str) -> str:
        return "nowhere (do-nothing catalog: files stay in the working directory)"
