"""Every version a file-system catalog was given, content-addressed: `.versions/<sha256>`.

A run's folder holds the latest version of each name (what `get` brings); a name several
steps put is replaced each time. The versions folder keeps each content once, by sha256,
so a retry can bring back exactly what a step recorded. A version is a hard link to the
file put (no bytes copied, no space used while the run's file exists), or a copy where
the file system refuses links.
"""

from __future__ import annotations

import hashlib
import logging
import os
from collections.abc import Sequence
from pathlib import Path

from runplane.adapters._shared.durable import fsync_dir, make_folders, temporary_tag
from runplane.domain.errors import CatalogError
from runplane.domain.run_log import CatalogEntry

logger = logging.getLogger(__name__)

VERSIONS = ".versions"  # run ids start with a letter or digit: no run folder has this name
_BUFFER = 1024 * 1024


class Versions:
    """The content-addressed versions under `<catalog_location>/.versions`."""

    def __init__(self, root: Path) -> None:
        self._root = root / VERSIONS

    def path(self, sha256: str) -> Path:
        """Where the version with this hash is kept."""
        # One flat folder: a put's new versions then cost one folder fsync, not one per
        # fan-out folder (ext4, xfs and btrfs index large folders; lookups stay cheap).
        return self._root / sha256

    def keep(self, files: Sequence[tuple[str, str]], *, durable: bool) -> None:
        """Keep each (path, sha256) as a version: linked, or copied; then synced if `durable`."""
        folders: set[Path] = set()
        for source, sha256 in files:
            target = self.path(sha256)
            if target.parent not in folders:
                make_folders(target.parent)
                folders.add(target.parent)
            if target.exists():
                continue  # the same content, put before (by this run or another)
            try:
                os.link(source, target)
            except FileExistsError:
                continue  # another writer kept the same content just now
            except OSError as exc:
                # No links here (another file system, FUSE or network ones without them):
                # a copy. Whatever else failed, the copy fails too and says why.
                logger.debug("no hard link for %s (%s): copying", target, exc.strerror)
                _copy_into_place(Path(source), target)
        if durable:
            for folder in sorted(folders):
                fsync_dir(folder)

    def restore(self, run_folder: Path, entries: Sequence[CatalogEntry], work_dir: Path) -> None:
        """Copy each entry's version to `work_dir/<name>`, checking its hash.

        A version missing from `.versions` (a catalog written before versions were kept) is
        taken from the run's folder, if that still holds the same content.
        """
        for entry in entries:
            version = self.path(entry.sha256)
            source = version if version.exists() else run_folder / entry.name
            target = work_dir / entry.name
            target.parent.mkdir(parents=True, exist_ok=True)
            try:
                sha256 = _copy_into_place(source, target, sync=False)
            except FileNotFoundError:
                raise CatalogError(
                    f"the catalog keeps no version {entry.sha256[:12]} of {entry.name!r} "
                    f"('{version}' and '{source}' are missing)"
                ) from None
            if sha256 != entry.sha256:
                target.unlink(missing_ok=True)
                raise CatalogError(
                    f"file {entry.name!r} in '{source}' has sha256 {sha256}, not the "
                    f"{entry.sha256} recorded: it changed or was corrupted, not using it"
                )


def _copy_into_place(source: Path, target: Path, *, sync: bool = True) -> str:
    """Copy through a temporary file renamed over `target`; the sha256 of what was copied."""
    tmp = target.with_name(f".{target.name}.{temporary_tag()}.tmp")
    digest = hashlib.sha256()
    try:
        with source.open("rb") as src, tmp.open("wb") as dst:
            while chunk := src.read(_BUFFER):
                digest.update(chunk)
                dst.write(chunk)
            if sync:
                dst.flush()
                os.fsync(dst.fileno())
        os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
    return digest.hexdigest()
