"""What the application does with pipeline definitions: load them through the port, record them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from runplane.domain.errors import PipelineDefinitionError
from runplane.domain.graph import Graph
from runplane.ports.definitions import PipelineDefinitions


class NoDefinitions:
    """Stands in when an application is built without a loader: it can run graphs, not files."""

    def pipeline(self, pipeline_file: str) -> Graph:  # noqa: D102  (the port says it)
        raise _unloadable("pipeline", pipeline_file)

    def job(self, job_file: str) -> Graph:  # noqa: D102
        raise _unloadable("job", job_file)


def _unloadable(what: str, file: str) -> PipelineDefinitionError:
    return PipelineDefinitionError(
        f"cannot load {what} file '{file}': this application was built without pipeline "
        "definitions (build it with runplane.service(), or pass definitions=...)"
    )


def recorded_graph(
    definitions: PipelineDefinitions, run_id: str, pipeline_file: str | None
) -> Graph:
    """The graph of the pipeline file a run recorded (what `retry` runs again)."""
    if not pipeline_file:
        raise PipelineDefinitionError(
            f"run {run_id!r} does not record its pipeline file; pass the pipeline "
            "explicitly (runplane retry RUN_ID --pipeline FILE)"
        )
    return definitions.pipeline(pipeline_file)


def recorded_pipeline(graph: Graph, pipeline_file: str | None) -> dict[str, Any]:
    """The graph as a run log records it; an unnamed pipeline named after its file's stem."""
    recorded = graph.to_dict()
    if not recorded.get("name") and pipeline_file:
        recorded["name"] = Path(pipeline_file).stem
    return recorded
