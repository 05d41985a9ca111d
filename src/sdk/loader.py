"""Loading what users write: pipeline files and job files, into graphs."""

from __future__ import annotations

import hashlib
import importlib.util
import sys
from pathlib import Path
from typing import Any

from runplane.domain.errors import PipelineDefinitionError
from runplane.domain.fingerprints import PIPELINE_MODULE_PREFIX
from runplane.domain.graph import Graph
from runplane.sdk.definition_mode import capturing
from runplane.sdk.jobs import is_job
from runplane.sdk.pipeline import Pipeline


def load_graph(pipeline_file: str) -> Graph:
    """Import a Python pipeline file and return the graph of its `pipeline`.

    A `.yaml`/`.yml` file is a YAML pipeline instead (see `sdk.yaml_pipeline`).

    The file defines a module-level `pipeline` (a Pipeline) or a function `pipeline()`
    that returns one, or (runnable's convention) a `main()` that builds a pipeline and
    calls its `execute()`: `main()` is called in definition mode, where `execute()` only
    hands the pipeline over. The file's folder is put on sys.path so it can import its
    siblings.
    """
    if Path(pipeline_file).suffix in (".yaml", ".yml"):
        # pydantic and the YAML models only for YAML pipelines: Python ones load without them.
        from runplane.sdk.yaml_pipeline import load_yaml_pipeline  # noqa: PLC0415

        return load_yaml_pipeline(pipeline_file).graph
    module = _import_file(Path(pipeline_file))
    candidate = getattr(module, "pipeline", None)
    if candidate is None and getattr(module, "job", None) is not None:
        return load_job(pipeline_file)  # a job's step process reloads the job's file
    if candidate is None and callable(getattr(module, "main", None)):
        candidate = _defined_by_main(pipeline_file, module.main)
    if callable(candidate) and not isinstance(candidate, Pipeline):
        candidate = _call_pipeline_function(pipeline_file, candidate)
    graph = getattr(candidate, "graph", None)  # a compatibility layer's pipeline or job
    if not isinstance(candidate, Pipeline) and isinstance(graph, Graph):
        return graph
    if not isinstance(candidate, Pipeline):
        found = type(candidate).__name__ if candidate is not None else "nothing"
        raise PipelineDefinitionError(
            f"pipeline file '{pipeline_file}' must define `pipeline` (a runplane.Pipeline) "
            f"or a function `pipeline()` returning one; found {found}"
        )
    return candidate.graph


def load_job(job_file: str) -> Graph:
    """Import a Python job file and return the one-step graph of its module-level `job`."""
    candidate = getattr(_import_file(Path(job_file)), "job", None)
    if not is_job(candidate):
        found = type(candidate).__name__ if candidate is not None else "nothing"
        raise PipelineDefinitionError(
            f"job file '{job_file}' must define `job` (a runplane PythonJob, ShellJob or "
            f"NotebookJob); found {found}"
        )
    return candidate.pipeline.graph


def _import_file(path: Path) -> Any:
    if not path.is_file():
        raise PipelineDefinitionError(f"pipeline file '{path}' not found")
    if path.suffix != ".py":
        raise PipelineDefinitionError(
            f"pipeline file '{path}' must be a Python file (.py) defining `pipeline` "
            "or a YAML pipeline (.yaml, .yml)"
        )
    resolved = path.resolve()
    name = PIPELINE_MODULE_PREFIX + hashlib.sha1(str(resolved).encode()).hexdigest()[:12]
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, resolved)
    if spec is None or spec.loader is None:
        raise PipelineDefinitionError(f"pipeline file '{path}' cannot be imported")
    module = importlib.util.module_from_spec(spec)
    folder = str(resolved.parent)
    if folder not in sys.path:
        sys.path.insert(0, folder)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except PipelineDefinitionError:
        del sys.modules[name]
        raise
    except SystemExit as exc:
        del sys.modules[name]
        raise _exited(f"pipeline file '{path}'", "while it was imported", exc) from exc
    except Exception as exc:
        del sys.modules[name]
        raise PipelineDefinitionError(
            f"pipeline file '{path}' failed to import: {type(exc).__name__}: {exc}"
        ) from exc
    return module


def _defined_by_main(pipeline_file: str, main: Any) -> Any:
    """What `main()` called `execute()` on last (else what it returned), running nothing."""
    with capturing() as handed:
        returned = _call_pipeline_function(
            pipeline_file, main, "main", "it must build a pipeline and call its execute()"
        )
    return handed[-1] if handed else returned


def _call_pipeline_function(
    pipeline_file: str,
    function: Any,
    name: str = "pipeline",
    rule: str = "it must return a runplane.Pipeline",
) -> Any:
    """`pipeline()` (or `main()`) of a pipeline file; what it raises is a definition error."""
    try:
        return function()
    except PipelineDefinitionError:
        raise
    except SystemExit as exc:
        raise _exited(f"pipeline file '{pipeline_file}'", f"in `{name}()`", exc) from exc
    except Exception as exc:
        raise PipelineDefinitionError(
            f"pipeline file '{pipeline_file}': `{name}()` raised {type(exc).__name__}: {exc}; "
            f"{rule}"
        ) from exc


def _exited(what: str, when: str, exc: SystemExit) -> PipelineDefinitionError:
    # A script's `sys.exit()` (often under `if __name__ == "__main__"` gone wrong) would end
    # runplane itself with that status and no word; say what happened instead.
    return PipelineDefinitionError(
        f"{what} called sys.exit({exc.code!r}) {when}; a pipeline file must define "
        '`pipeline` without exiting (guard script code with `if __name__ == "__main__":`)'
    )


class FileDefinitions:
    """The `PipelineDefinitions` port over Python and YAML files (what the application loads)."""

    def pipeline(self, pipeline_file: str) -> Graph:  # noqa: D102  (the port says it)
        return load_graph(pipeline_file)

    def job(self, job_file: str) -> Graph:  # noqa: D102
        return load_job(job_file)
