"""Keeping what a failed attempt wrote, for debugging, where no later step can take it.

runnable users expect a failing task's `catalog.put` files to be kept (its
`catalog_on_fail` example). Put under their own names they would be handed to later
steps (an `on_failure` handler, a retry) as if the step had succeeded, so they go under
`failed/<step path>/attempt-<n>/` instead and are recorded on the attempt only.
"""

from __future__ import annotations

import glob
import logging
import os
import shutil
import tempfile
from collections.abc import Sequence
from pathlib import Path

from runplane.adapters._shared.globbing import expand
from runplane.domain.errors import RunplaneError
from runplane.domain.run_log import CatalogEntry
from runplane.ports.catalog import Catalog

logger = logging.getLogger(__name__)


def failed_folder(step_path: str, attempt: int) -> str:
    """The catalog folder a failed attempt's files are kept in."""
    return f"failed/{step_path}/attempt-{attempt}"


def keep_failed_outputs(
    catalog: Catalog, run_id: str, step_path: str, attempt: int, patterns: Sequence[str]
) -> list[CatalogEntry]:
    """Put the files `patterns` match now under `failed_folder`; what was put.

    A pattern that matches nothing is skipped (the attempt may have failed before writing
    it), and a catalog that cannot take the files costs only a warning: the attempt's own
    failure is what the run must report.
    """
    work = Path.cwd()
    names: dict[str, None] = {}
    for pattern in patterns:
        try:
            names.update(dict.fromkeys(expand([pattern], work, f"working directory '{work}'")))
        except RunplaneError:
            continue
    if not names:
        return []
    folder = failed_folder(step_path, attempt)
    with tempfile.TemporaryDirectory(prefix="runplane-failed-") as scratch:
        for name in names:
            target = Path(scratch, folder, name)
            target.parent.mkdir(parents=True, exist_ok=True)
            _link_or_copy(work / name, target)
        try:
            return catalog.put(run_id, [glob.escape(folder)], Path(scratch))
        except RunplaneError as exc:
            logger.warning(
                "step %s: files of failed attempt %d not kept: %s", step_path, attempt, exc
            )
            return []


def _link_or_copy(source: Path, target: Path) -> None:
    # A hard link costs nothing for big files; across file systems it cannot be made.
    try:
        os.link(source, target)
    except OSError:
        shutil.copyfile(source, target)
