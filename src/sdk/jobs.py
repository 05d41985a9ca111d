"""Jobs: one task, no pipeline. A job is a run with one step, on the same step path."""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, TypeGuard

from runplane.domain.errors import PipelineDefinitionError
from runplane.sdk.pipeline import Pipeline
from runplane.sdk.steps import Catalog, NotebookTask, PythonTask, Return, ShellTask

if TYPE_CHECKING:
    from runplane.domain.run_log import RunLog
    from runplane.sdk.steps import _Task

EventCallback = Callable[[dict[str, Any]], None]


class _Job:
    """A task run on its own: same parameters, returns, secrets, catalog and run log."""

    def __init__(self, task: _Task, catalog: Catalog | None) -> None:
        if catalog is not None and catalog.spec.get:
            raise PipelineDefinitionError(
                f"job {task.name!r}: a job has no earlier step to get files from; "
                f"catalog takes only `put` (got get={list(catalog.spec.get)})"
            )
        self.name = task.name
        self.pipeline = Pipeline([task], name=task.name)
        # The file defining the job: a step process (local-subprocess) reloads it from there.
        self.pipeline.source_file = _caller_file()

    def execute(
        self,
        configuration_file: str | None = None,
        parameters_file: str | None = None,
        run_id: str | None = None,
        tag: str | None = None,
        on_event: EventCallback | None = None,
    ) -> RunLog:
        """Run the job; return its run log, or raise RunFailedError if its step fails."""
        return self.pipeline.execute(
            configuration_file=configuration_file,
            parameters_file=parameters_file,
            run_id=run_id,
            tag=tag,
            on_event=on_event,
        )


class PythonJob(_Job):
    """A Python function run as a job; its arguments are filled from the parameters."""

    def __init__(
        self,
        function: Callable[..., Any],
        *,
        name: str | None = None,
        returns: Sequence[Return] = (),
        catalog: Catalog | None = None,
        secrets: Sequence[str] = (),
        max_attempts: int = 1,
    ) -> None:
        task = PythonTask(
            function,
            name=name,
            returns=returns,
            catalog=catalog,
            secrets=secrets,
            max_attempts=max_attempts,
        )
        super().__init__(task, catalog)


class ShellJob(_Job):
    """A shell command run as a job; parameters arrive as RUNPLANE_PRM_<name>."""

    def __init__(
        self,
        command: str,
        *,
        name: str = "shell",
        returns: Sequence[Return] = (),
        catalog: Catalog | None = None,
        secrets: Sequence[str] = (),
        max_attempts: int = 1,
    ) -> None:
        task = ShellTask(
            command,
            name=name,
            returns=returns,
            catalog=catalog,
            secrets=secrets,
            max_attempts=max_attempts,
        )
        super().__init__(task, catalog)


class NotebookJob(_Job):
    """A Jupyter notebook run as a job; parameters are injected into its `parameters` cell.

    The executed notebook is put into the run's catalog, as for a NotebookTask (which
    explains `executed_as`).
    """

    def __init__(
        self,
        notebook: str,
        *,
        name: str | None = None,
        returns: Sequence[Return] = (),
        catalog: Catalog | None = None,
        secrets: Sequence[str] = (),
        max_attempts: int = 1,
        executed_as: str | None = None,
    ) -> None:
        task = NotebookTask(
            notebook,
            name=name or _stem(notebook),
            returns=returns,
            catalog=catalog,
            secrets=secrets,
            max_attempts=max_attempts,
            executed_as=executed_as,
        )
        super().__init__(task, catalog)


def _stem(notebook: object) -> str:
    """A step name from a notebook path: 'notebooks/Train v2.ipynb' -> 'Train v2'."""
    stem = str(notebook).rsplit("/", 1)[-1].removesuffix(".ipynb")
    return "".join(c if c.isalnum() or c in "_- " else "_" for c in stem).lstrip(" -") or "notebook"


def _caller_file() -> str | None:
    """The file of the first frame outside this module (where the user built the job)."""
    frame = sys._getframe(1)
    while frame is not None and frame.f_globals.get("__name__") == __name__:
        frame = frame.f_back  # type: ignore[assignment]
    return frame.f_globals.get("__file__") if frame is not None else None


def is_job(candidate: object) -> TypeGuard[_Job]:
    """Whether `candidate` is a job (what a job file defines as `job`)."""
    return isinstance(candidate, _Job)
