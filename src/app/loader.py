"""Loading what users write: pipeline files and parameters files."""

from __future__ import annotations

import hashlib
import importlib.util
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from runplane.app.definition_mode import capturing
from runplane.app.yaml_files import read_yaml
from runplane.domain.errors import ParameterError, PipelineDefinitionError
from runplane.domain.fingerprints import PIPELINE_MODULE_PREFIX
from runplane.domain.graph import Graph
from runplane.domain.parameters import check_initial, env_overrides


def load_graph(pipeline_file: str) -> Graph:
    """Import a Python pipeline file and return the graph of its `pipeline`.

    A `.yaml`/`.yml` file is a YAML pipeline instead (see `app.yaml_pipeline`).

    The file defines a module-level `pipeline` (a Pipeline) or a function `pipeline()`
    that returns one, or (runnable's convention) a `main()` that builds a pipeline and
    calls its `execute()`: `main()` is called in definition mode, where `execute()` only
    hands the pipeline over. The file's folder is put on sys.path so it can import its
    siblings.
    """
    from runplane.app.sdk import Pipeline  # noqa: PLC0415  (sdk imports this module's users)

    if Path(pipeline_file).suffix in (".yaml", ".yml"):
        from runplane.app.yaml_pipeline import load_yaml_pipeline  # noqa: PLC0415

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


def recorded_pipeline(graph: Graph, pipeline_file: str | None) -> dict[str, Any]:
    """The graph as a run log records it; an unnamed pipeline named after its file's stem."""
    recorded = graph.to_dict()
    if not recorded.get("name") and pipeline_file:
        recorded["name"] = Path(pipeline_file).stem
    return recorded


def load_recorded_graph(run_id: str, pipeline_file: str | None) -> Graph:
    """The graph of the pipeline file a run recorded (what `retry` runs again)."""
    if not pipeline_file:
        raise PipelineDefinitionError(
            f"run {run_id!r} does not record its pipeline file; pass the pipeline "
            "explicitly (runplane retry RUN_ID --pipeline FILE)"
        )
    return load_graph(pipeline_file)


def load_job(job_file: str) -> Graph:
    """Import a Python job file and return the one-step graph of its module-level `job`."""
    from runplane.app.jobs import is_job  # noqa: PLC0415  (jobs imports the sdk)

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


def load_parameters(parameters_file: str | None) -> dict[str, Any]:
    """Read a YAML parameters file (a mapping of name to value); errors name file and line."""
    if parameters_file is None:
        return {}
    path = Path(parameters_file)
    if not path.is_file():
        raise ParameterError(f"parameters file '{path}' not found")
    try:
        data = read_yaml(path, "parameters file", ParameterError)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f" at line {mark.line + 1}" if mark else ""
        raise ParameterError(
            f"parameters file '{path}' is not valid YAML{where}: {exc.problem}"
        ) from None
    except yaml.YAMLError as exc:
        raise ParameterError(f"parameters file '{path}' is not valid YAML: {exc}") from None
    return check_initial(data, f"parameters file '{path}'")


def initial_parameters(
    parameters_file: str | None, environ: Mapping[str, str], base: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """What a run starts with: `base` or the parameters file, then `RUNPLANE_PRM_*` on top.

    Environment values are initial values (runnable's rule), recorded with the run so a
    retry keeps them; a step that returns the same name replaces them.
    """
    start = dict(base) if base is not None and parameters_file is None else {}
    return {**start, **load_parameters(parameters_file), **env_overrides(environ)}
