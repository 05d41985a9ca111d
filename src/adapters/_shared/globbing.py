"""Expanding a task's catalog patterns into files, safely inside a base folder."""

from __future__ import annotations

import glob
from bisect import bisect_left
from collections.abc import Iterable, Sequence
from fnmatch import fnmatchcase
from functools import cache
from pathlib import Path, PurePosixPath

from runplane.domain.errors import CatalogError


def check_pattern(pattern: str) -> None:
    """Reject a pattern that is empty or escapes its base folder."""
    path = PurePosixPath(pattern)
    if not pattern.strip() or path.is_absolute() or ".." in path.parts:
        raise CatalogError(
            f"catalog pattern {pattern!r} escapes the working directory; "
            "use a relative glob without '..' (for example 'data/*.csv')"
        )


def expand(patterns: Sequence[str], base: Path, where: str) -> list[str]:
    """Relative POSIX paths of the files under `base` matching any pattern (dirs recurse).

    A pattern that matches nothing as a glob but names a file exactly (`data[1].csv`) is
    that file. Raises CatalogError naming the pattern and `where` when a pattern matches
    nothing either way.
    """
    root = base.resolve()
    inside: dict[Path, bool] = {}  # per folder: does it resolve under root
    found: dict[str, None] = {}
    for pattern in patterns:
        check_pattern(pattern)
        matches = 0
        globbed = sorted(base.glob(pattern), key=_parts)
        if not globbed and glob.has_magic(pattern) and (base / pattern).exists():
            globbed = [base / pattern]  # a name with glob characters, meant literally
        for match in globbed:
            files = (
                sorted((p for p in match.rglob("*") if p.is_file()), key=_parts)
                if match.is_dir()
                else [match]
            )
            for file in files:
                if file.name.startswith(".") and file.name.endswith(".tmp"):
                    continue  # another writer's half-copied file
                if not _resolves_inside(file, root, inside):
                    raise CatalogError(f"catalog file '{file}' resolves outside '{base}'")
                found[file.relative_to(base).as_posix()] = None
                matches += 1
        if matches == 0:
            raise CatalogError(f"catalog pattern {pattern!r} matches no file in {where}")
    return list(found)


def _resolves_inside(file: Path, root: Path, inside: dict[Path, bool]) -> bool:
    """Whether `file` resolves under `root`, resolving each folder only once.

    A resolve stats every part of the path: once per file, that dominated catalogs of
    thousands of small files.
    """
    if file.is_symlink():
        return file.resolve().is_relative_to(root)
    folder = file.parent
    if folder not in inside:
        inside[folder] = folder.resolve().is_relative_to(root)
    return inside[folder]


def _parts(path: Path) -> tuple[str, ...]:
    return path.parts  # the order of sorting Paths, compared without a Python call per pair


def match_names(patterns: Sequence[str], names: Iterable[str], where: str) -> list[str]:
    """The names (POSIX file paths, say object keys) matching any pattern, as `expand` would.

    Same rules as `Path.glob` on the folder the names describe: `*`, `?` and `[...]` stay
    within one path segment, a `**` segment spans zero or more folders, and a matching
    folder brings every file under it. Raises CatalogError naming the pattern and `where`
    when a pattern matches nothing, as a glob or (`data[1].csv`) as an exact name.
    """
    files = sorted({PurePosixPath(n).parts for n in names})
    folders = sorted({f[:i] for f in files for i in range(len(f))})  # includes () = the base
    found: dict[str, None] = {}
    for pattern in patterns:
        check_pattern(pattern)
        parts = PurePosixPath(pattern).parts
        if any("**" in p and p != "**" for p in parts):
            raise CatalogError(f"catalog pattern {pattern!r}: '**' must be a whole path segment")
        # Like Path.glob, a pattern ending in '**' matches folders only.
        candidates = folders if parts[-1] == "**" else [*files, *folders[1:]]
        matches = 0
        chosen = sorted(c for c in candidates if _matches(parts, c))
        if not chosen and glob.has_magic(pattern) and parts in candidates:
            chosen = [parts]  # a name with glob characters, meant literally
        for candidate in chosen:
            # `files` is sorted, so the files under a folder are one contiguous run.
            index = bisect_left(files, candidate)
            while index < len(files) and files[index][: len(candidate)] == candidate:
                found["/".join(files[index])] = None
                matches += 1
                index += 1
        if matches == 0:
            raise CatalogError(f"catalog pattern {pattern!r} matches no file in {where}")
    return list(found)


@cache
def _matches(parts: tuple[str, ...], segments: tuple[str, ...]) -> bool:
    if not parts:
        return not segments
    if parts[0] == "**":
        return _matches(parts[1:], segments) or (bool(segments) and _matches(parts, segments[1:]))
    return (
        bool(segments) and fnmatchcase(segments[0], parts[0]) and _matches(parts[1:], segments[1:])
    )
