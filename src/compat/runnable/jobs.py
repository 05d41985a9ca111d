"""runnable's jobs: one task run on its own (PythonJob, ShellJob, NotebookJob)."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import PurePosixPath
from typing import Any

from runplane.compat.runnable.pipeline import Pipeline, run
from runplane.compat.runnable.tasks import (
    BaseTask,
    Catalog,
    NotebookTask,
    PythonTask,
    ShellTask,
    runnable_executed_name,
)
from runplane.domain.errors import PipelineDefinitionError
from runplane.domain.graph import Graph


class _Job:
    """A run with one step: same parameters, returns, secrets, catalog and run log."""

    def __init__(self, task: BaseTask, catalog: Catalog | None) -> None:
        if catalog is not None and catalog.get:
            raise PipelineDefinitionError(
                f"job {task.name!r}: a job has no earlier step to get files from; "
                f"catalog takes only `put` (got get={catalog.get})"
            )
        self.pipeline = Pipeline(steps=[task])

    @property
    def graph(self) -> Graph:
        """The one-step runplane graph of the job."""
        return self.pipeline.graph

    def execute(
        self,
        configuration_file: str = "",
        job_id: str = "",
        tag: str = "",
        parameters_file: str = "",
        log_level: str | None = None,
    ) -> Any:
        """Run the job; return its run log, raise RunFailedError if it fails."""
        caller = sys._getframe(1).f_globals.get("__file__")
        return run(
            self, self.pipeline.runplane, caller, configuration_file, job_id, tag, parameters_file
        )


class PythonJob(_Job):
    """A Python function run as a job."""

    def __init__(
        self, *, function: Callable[..., Any], catalog: Catalog | None = None, **options: Any
    ) -> None:
        super().__init__(PythonTask(function=function, catalog=catalog, **options), catalog)


class ShellJob(_Job):
    """A shell command run as a job (parameters and returns as for ShellTask)."""

    def __init__(self, *, command: str, catalog: Catalog | None = None, **options: Any) -> None:
        options.setdefault("name", "shell")
        super().__init__(ShellTask(command=command, catalog=catalog, **options), catalog)


class NotebookJob(_Job):
    """A notebook run as a job."""

    def __init__(self, *, notebook: str, catalog: Catalog | None = None, **options: Any) -> None:
        options.setdefault("name", _stem(notebook))
        task = NotebookTask(notebook=notebook, catalog=catalog, **options)
        # A runnable job has no step name in the name of its executed copy.
        task.executed_as = runnable_executed_name(notebook, "")
        super().__init__(task, catalog)


def _stem(notebook: str) -> str:
    stem = PurePosixPath(str(notebook)).stem
    return "".join(c if c.isalnum() or c in "_- " else "_" for c in stem).lstrip(" -") or "notebook"
