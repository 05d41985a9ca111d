"""The graph a run log recorded (`RunLog.pipeline`), rebuilt for drawing only.

The UI draws a run from its log alone: loading the pipeline file would run the user's code
in the web server, and the file may have changed or moved since the run. The recorded form
keeps the shape (steps, edges, composites) but no callables, so tasks become shapes only.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from runplane.domain.errors import PipelineDefinitionError
from runplane.domain.graph import (
    Composite,
    ConditionalSpec,
    Graph,
    LoopSpec,
    MapSpec,
    Node,
    NodeKind,
    ParallelSpec,
    TaskSpec,
)

_SHAPE_ONLY = TaskSpec(kind="recorded", command="")


def recorded_graph(pipeline: Mapping[str, Any]) -> Graph | None:
    """The drawable graph of a recorded pipeline; None when the record is missing or malformed."""
    if not pipeline:
        return None
    try:
        return _graph(pipeline)
    except (KeyError, TypeError, ValueError, PipelineDefinitionError):
        return None


def _graph(data: Mapping[str, Any]) -> Graph:
    nodes = {name: _node(name, spec) for name, spec in data["steps"].items()}
    return Graph(start_at=data["start_at"], nodes=nodes, name=data.get("name"))


def _node(name: str, spec: Mapping[str, Any]) -> Node:
    kind = NodeKind(spec["type"])
    return Node(
        name=name,
        kind=kind,
        next=spec.get("next"),
        on_failure=spec.get("on_failure"),
        task=_SHAPE_ONLY if kind in (NodeKind.TASK, NodeKind.STUB) else None,
        composite=_composite(kind, spec),
    )


def _composite(kind: NodeKind, spec: Mapping[str, Any]) -> Composite | None:
    if kind is NodeKind.MAP:
        return MapSpec(
            iterate_on=spec["iterate_on"],
            iterate_as=spec["iterate_as"],
            branch=_graph(spec["branch"]),
            reducer=spec.get("reducer", "list"),
        )
    if kind is NodeKind.LOOP:
        return LoopSpec(
            branch=_graph(spec["branch"]),
            break_on=spec["break_on"],
            max_iterations=spec.get("max_iterations", 10),
            index_as=spec.get("index_as", "iteration"),
            on_max_iterations=spec.get("on_max_iterations", "fail"),
        )
    branches = {key: _graph(value) for key, value in spec.get("branches", {}).items()}
    if kind is NodeKind.PARALLEL:
        return ParallelSpec(branches=branches)
    if kind is NodeKind.CONDITIONAL:
        return ConditionalSpec(
            parameter=spec["parameter"], branches=branches, default=spec.get("default")
        )
    return None
