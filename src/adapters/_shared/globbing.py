"""Expanding a task's catalog patterns into files, safely inside a base folder."""

from __future__ import annotations

import re
from collections.abc import Sequence
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

    Raises CatalogError naming the pattern and `where` when a pattern matches nothing.
    """
    root = base.resolve()
    found: dict[str, None] = {}
    for pattern in patterns:
        check_pattern(pattern)
        matches = 0
        for match in sorted(base.glob(pattern)):
            files = (
                sorted(p for p in match.rglob("*") if p.is_file()) if match.is_dir() else [match]
            )
            for file in files:
                if file.name.startswith(".") and file.name.endswith(".tmp"):
                    continue  # another writer's half-copied file
                if not file.resolve().is_relative_to(root):
                    raise CatalogError(f"catalog file '{file}' resolves outside '{base}'")
                found[file.relative_to(base).as_posix()] = None
                matches += 1
        if matches == 0:
            raise CatalogError(f"catalog pattern {pattern!r} matches no file in {where}")
    return list(found)


def matching_names(names: Sequence[str], pattern: str) -> list[str]:
    """The stored names (POSIX relative paths) a pattern selects, with Path.glob's meaning.

    For stores that list keys instead of walking folders (object stores, fakes): `*` and
    `?` stay within one folder, `**/` spans any number of folders, and a pattern naming a
    folder selects everything beneath it.
    """
    check_pattern(pattern)
    regex = re.compile(_translate(pattern.rstrip("/")))
    folder = pattern.rstrip("/") + "/"
    return [
        n for n in names if regex.fullmatch(n) or (_is_literal(pattern) and n.startswith(folder))
    ]


def _translate(pattern: str) -> str:
    out, i = [], 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif pattern.startswith("**", i):
            out.append(".*")
            i += 2
        elif pattern[i] == "*":
            out.append("[^/]*")
            i += 1
        elif pattern[i] == "?":
            out.append("[^/]")
            i += 1
        else:
            out.append(re.escape(pattern[i]))
            i += 1
    return "".join(out)


def _is_literal(pattern: str) -> bool:
    return not any(c in pattern for c in "*?[")
