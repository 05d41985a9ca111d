"""YAML pipeline files: parsed, validated, then built from the same SDK objects as Python.

Because a YAML step becomes a `PythonTask`, `Map`, ... exactly as a Python file would
write it, both forms give the same graph and the same run log.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Mapping
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from runplane.app.yaml_files import read_yaml
from runplane.domain.errors import PipelineDefinitionError
from runplane.domain.graph import REDUCERS
from runplane.sdk import yaml_errors
from runplane.sdk.composites import Conditional, Loop, Map, Parallel
from runplane.sdk.pipeline import Pipeline
from runplane.sdk.steps import (
    Catalog,
    Fail,
    NotebookTask,
    PythonTask,
    Return,
    ShellTask,
    Stub,
    Success,
    metric,
)
from runplane.sdk.yaml_models import (
    ConditionalStep,
    FailStep,
    LoopStep,
    MapStep,
    NotebookStep,
    ParallelStep,
    PipelineModel,
    PythonStep,
    ShellStep,
    StubStep,
    SuccessStep,
)

SUFFIXES = (".yaml", ".yml")


class _Located(PipelineDefinitionError):
    """An error already prefixed with its YAML path, so enclosing steps do not re-prefix it."""


def load_yaml_pipeline(pipeline_file: str) -> Pipeline:
    """Build the Pipeline a YAML file describes; every error names the file and the YAML path.

    Python commands and reducers are imported now (the file's folder first on sys.path),
    so an unknown `module.function` fails before any step runs.
    """
    path = Path(pipeline_file)
    raw = _read(path)
    other = _other_format(path, raw)
    if other is not None:
        return other(path, raw)
    try:
        model = PipelineModel.model_validate(raw)
    except ValidationError as exc:
        raise PipelineDefinitionError(yaml_errors.describe(path, exc, raw)) from None
    folder = str(path.resolve().parent)
    if folder not in sys.path:
        sys.path.insert(0, folder)
    try:
        pipeline = _Builder(folder).pipeline(model, "")
    except PipelineDefinitionError as exc:
        raise PipelineDefinitionError(f"pipeline file '{path}': {exc}") from None
    pipeline.source_file = str(path)
    return pipeline


#: Entry-point group of other YAML pipeline formats, each named by the top-level key that
#: marks it: runnable's `dag:` comes from its compatibility layer, which imports the SDK, so
#: the SDK finds it by entry point instead of importing it.
FORMATS = "runplane.pipeline_formats"

OtherFormat = Callable[[Path, Mapping[str, Any]], Pipeline]


def _other_format(path: Path, raw: object) -> OtherFormat | None:
    """The loader of the format a document's unknown top-level key names, if one is installed."""
    if not isinstance(raw, dict):
        return None
    unknown = set(raw) - set(PipelineModel.model_fields)
    if not unknown:
        return None  # runplane's own format: no need to read the installed entry points
    for entry in entry_points(group=FORMATS):
        if entry.name in unknown:
            try:
                loader: OtherFormat = entry.load()
            except ImportError as exc:
                raise PipelineDefinitionError(
                    f"pipeline file '{path}': the loader of its `{entry.name}:` format "
                    f"({entry.value}) failed to import: {exc}"
                ) from exc
            return loader
    return None


def _read(path: Path) -> Any:
    if not path.is_file():
        raise PipelineDefinitionError(f"pipeline file '{path}' not found")
    return read_yaml(path, "pipeline file", PipelineDefinitionError)


class _Builder:
    """Turns validated models into SDK objects, locating every error by its YAML path."""

    def __init__(self, folder: str) -> None:
        self._folder = folder

    def pipeline(self, model: PipelineModel, where: str) -> Pipeline:
        steps = [self._step(step, f"{where}steps[{i}]") for i, step in enumerate(model.steps)]
        try:
            return Pipeline(steps, name=model.name)
        except _Located:
            raise
        except PipelineDefinitionError as exc:
            raise _Located(f"{where.rstrip('.') or 'steps'}: {exc}") from None

    def _step(self, step: Any, where: str) -> Any:
        try:
            return self._build(step, where)
        except _Located:
            raise
        except PipelineDefinitionError as exc:
            raise _Located(f"{where}: {exc}") from None

    def _build(self, step: Any, where: str) -> Any:  # noqa: PLR0911  (one return per type)
        if isinstance(step, PythonStep):
            function = self._import(step.command, where, f"step {step.name or step.command!r}")
            return PythonTask(function, name=step.name, **self._task(step, where))
        if isinstance(step, ShellStep):
            return ShellTask(step.command, name=step.name, **self._task(step, where))
        if isinstance(step, NotebookStep):
            return NotebookTask(
                step.command,
                name=step.name,
                executed_as=step.executed_as,
                **self._task(step, where),
            )
        if isinstance(step, StubStep):
            return Stub(step.name)
        if isinstance(step, SuccessStep | FailStep):
            return Success(step.name) if isinstance(step, SuccessStep) else Fail(step.name)
        on_failure = self._handler(step, where)
        if isinstance(step, ParallelStep):
            return Parallel(step.name, self._branches(step, where), on_failure=on_failure)
        if isinstance(step, MapStep):
            reducer = self._reducer(step, where)
            branch = self.pipeline(step.branch, f"{where}.branch.")
            return Map(step.name, step.iterate_on, step.iterate_as, branch, reducer, on_failure)
        if isinstance(step, ConditionalStep):
            branches = self._branches(step, where)
            return Conditional(step.name, step.parameter, branches, step.default, on_failure)
        if isinstance(step, LoopStep):
            return Loop(
                step.name,
                self.pipeline(step.branch, f"{where}.branch."),
                break_on=step.break_on,
                max_iterations=step.max_iterations,
                index_as=step.index_as,
                on_max_iterations=step.on_max_iterations,
                on_failure=on_failure,
            )
        raise _Located(f"{where}: unsupported step {type(step).__name__}")

    def _task(self, step: PythonStep | ShellStep | NotebookStep, where: str) -> dict[str, Any]:
        returns: list[Return] = [
            r if isinstance(r, str) else metric(r.name) if r.kind == "metric" else r.name
            for r in step.returns
        ]
        catalog = Catalog(step.catalog.get, step.catalog.put) if step.catalog else None
        return {
            "returns": returns,
            "catalog": catalog,
            "secrets": step.secrets,
            "max_attempts": step.max_attempts,
            "on_failure": self._handler(step, where),
        }

    def _handler(self, step: Any, where: str) -> Pipeline | None:
        model: PipelineModel | None = step.on_failure
        return self.pipeline(model, f"{where}.on_failure.") if model else None

    def _branches(self, step: ParallelStep | ConditionalStep, where: str) -> dict[str, Pipeline]:
        return {
            key: self.pipeline(branch, f"{where}.branches.{key}.")
            for key, branch in step.branches.items()
        }

    def _reducer(self, step: MapStep, where: str) -> str | Callable[..., Any] | None:
        if step.reducer is None or step.reducer in REDUCERS or "." not in step.reducer:
            return step.reducer  # Map itself rejects an unknown name, listing the valid ones
        return self._import(step.reducer, f"{where}.reducer", f"map {step.name!r}")

    def _import(self, command: str, where: str, what: str) -> Callable[..., Any]:
        module_name, _, attribute = command.rpartition(".")
        if not module_name or not attribute:
            raise _Located(
                f"{where} ({what}): {command!r} is not of the form module.function "
                "(for example `functions.generate` for generate() in functions.py)"
            )
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            raise _Located(
                f"{where} ({what}): command {command!r}: module {exc.name!r} not found "
                f"(looked in the pipeline's folder '{self._folder}' and installed packages)"
            ) from None
        except Exception as exc:
            raise _Located(
                f"{where} ({what}): command {command!r}: importing {module_name!r} failed: "
                f"{type(exc).__name__}: {exc}"
            ) from exc
        function = getattr(module, attribute, None)
        if not callable(function):
            raise _Located(
                f"{where} ({what}): command {command!r}: module {module_name!r} has no "
                f"function {attribute!r}; it has: {_functions_of(module)}"
            )
        checked: Callable[..., Any] = function
        return checked


def _functions_of(module: Any, limit: int = 12) -> str:
    """The public functions defined in `module` itself (not those it imports), a few."""
    names = sorted(
        name
        for name, value in vars(module).items()
        if callable(value)
        and not name.startswith("_")
        and not isinstance(value, type)
        and getattr(value, "__module__", None) == module.__name__
    )
    if len(names) > limit:
        names = [*names[:limit], f"... ({len(names) - limit} more)"]
    return ", ".join(names) or "no public functions"
