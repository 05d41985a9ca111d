"""Catalog patterns of a task: the files it gets before it runs and puts after."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import PurePosixPath

from runplane.domain.errors import PipelineDefinitionError


@dataclass(frozen=True)
class CatalogSpec:
    """Glob patterns, relative to the working directory, of files a task gets and puts."""

    get: tuple[str, ...] = ()
    put: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        for pattern in (*self.get, *self.put):
            check_relative_pattern(pattern)


def check_relative_pattern(pattern: str) -> None:
    """Reject a catalog pattern that is empty or escapes the working directory."""
    path = PurePosixPath(pattern)
    if not pattern.strip():
        raise PipelineDefinitionError("catalog pattern is empty; give a glob such as 'data/*.csv'")
    if path.is_absolute() or ".." in path.parts:
        raise PipelineDefinitionError(
            f"catalog pattern {pattern!r} escapes the working directory; "
            "use a path relative to it, without '..' (for example 'data/*.csv')"
        )
