"""What a retry takes over from the run it continues: step records, their files, their output.

Recorded names are copied as exact names (`glob.escape`), never as patterns: a file named
`out/data[1].csv` is that file, not a pattern matching `out/data1.csv`.
"""

from __future__ import annotations

import glob
import logging
import tempfile
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from runplane.domain.errors import CatalogError, PipelineDefinitionError
from runplane.domain.graph import Graph
from runplane.domain.retry import confirmed, reusable
from runplane.domain.run_log import RunLog, StepLog
from runplane.ports.catalog import Catalog
from runplane.ports.run_log_store import RunLogStore

logger = logging.getLogger(__name__)


def reusable_now(
    graph: Graph, original: RunLog, from_step: str | None, initial: Mapping[str, Any]
) -> list[str]:
    """The records a retry reuses: succeeded before the first step to re-run, same inputs now."""
    candidates = reusable(graph, original.steps, from_step)
    reuse = confirmed(graph, candidates, original.steps, initial)
    if len(reuse) < len(candidates):
        logger.info(
            "%d steps of run %s succeeded but would get other inputs now: they run again",
            len(candidates) - len(reuse),
            original.run_id,
        )
    return reuse


def check_same_structure(graph: Graph, original: RunLog) -> None:
    """Refuse a retry whose pipeline no longer has the original's top-level steps."""
    recorded = original.pipeline.get("steps", {})
    current = graph.to_dict()["steps"]
    if set(recorded) != set(current):
        raise PipelineDefinitionError(
            f"the pipeline changed since run {original.run_id!r}: it had steps "
            f"{', '.join(sorted(recorded))}; now {', '.join(sorted(current))}. "
            "Start a new run instead of a retry"
        )


class StepReuse:
    """Copies reused step records into a retry, with the files they put and their output."""

    def __init__(self, store: RunLogStore, catalog: Catalog) -> None:
        self._store = store
        self._catalog = catalog

    def copy(self, original: RunLog, run: RunLog, steps: Iterable[StepLog]) -> None:
        """Copy each record (files first, so a record never names a missing file).

        Steps are taken in the order they ended, when they put their files: of a name several
        steps put, the retry's catalog ends with the version the last of them put.
        """
        for step in sorted(steps, key=lambda s: s.end_time or ""):
            copy = StepLog.from_dict(step.to_dict())
            copy.reused_from = original.run_id
            self._files(original.run_id, run.run_id, copy)
            self._output(original.run_id, run.run_id, copy)
            self._store.put_step(run.run_id, copy)
            run.steps[copy.path] = copy

    def _files(self, source: str, target: str, step: StepLog) -> None:
        """The versions the step put (not the latest of each name), into the retry's catalog."""
        put = [entry for entry in step.data_catalog if entry.stage == "put"]
        if not put:
            return
        with tempfile.TemporaryDirectory(prefix="runplane-retry-") as scratch:
            try:
                self._catalog.restore(source, put, Path(scratch))
            except CatalogError as exc:
                raise CatalogError(
                    f"step {step.path!r} of run {source!r} cannot be reused: {exc} "
                    "(use --from to run it again)"
                ) from exc
            self._catalog.put(target, [glob.escape(e.name) for e in put], Path(scratch))

    def _output(self, source: str, target: str, step: StepLog) -> None:
        """What the step's attempts printed, so `runs logs RETRY STEP` shows it too."""
        for attempt in step.attempts:
            if attempt.log is None:
                continue
            try:
                self._copy_exact(source, target, attempt.log)
            except CatalogError as exc:  # output is a convenience: the retry goes on without
                logger.warning("output of step %s not carried over: %s", step.path, exc)
                attempt.log = None

    def _copy_exact(self, source: str, target: str, name: str) -> None:
        """Copy one file between runs by its exact name."""
        with tempfile.TemporaryDirectory(prefix="runplane-retry-") as scratch:
            self._catalog.get(source, [glob.escape(name)], Path(scratch))
            self._catalog.put(target, [glob.escape(name)], Path(scratch))
