"""A pipeline graph as nested boxes to draw, optionally annotated with one run's records."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from runplane.adapters.presentation.durations import took
from runplane.domain.graph import (
    ConditionalSpec,
    Graph,
    LoopSpec,
    MapSpec,
    Node,
    ParallelSpec,
    join,
)
from runplane.domain.run_log import RunLog, Status, StepLog

#: The branch key that stands for every iteration of a map or loop.
EACH = "*"


@dataclass
class Item:
    """A step to draw; a composite one holds its branches."""

    id: str
    name: str
    path: str  # step path, with EACH for a map's iterations
    kind: str
    status: str | None = None  # None: no run given, or the step never ran
    note: str = ""
    branches: list[Box] = field(default_factory=list)


@dataclass
class Edge:
    """Where the walk goes from one item to another."""

    source: str
    target: str
    failure: bool = False


@dataclass
class Box:
    """A graph (the pipeline or one branch): its items in walk order and its edges."""

    id: str
    label: str
    items: list[Item]
    edges: list[Edge]


def node_id(path: str) -> str:
    """An identifier safe in Mermaid, DOT and HTML for a step path."""
    return "n_" + re.sub(r"[^A-Za-z0-9_]", lambda m: f"_{ord(m.group()):x}_", path)


def picture(graph: Graph, run: RunLog | None = None, prefix: str = "", label: str = "") -> Box:
    """The boxes of `graph`; with `run`, each item gets its status and duration."""
    order = [n.name for n in graph.walk_order()]
    order += [name for name in graph.nodes if name not in order]
    targets = {t for n in graph.nodes.values() for t in (n.next, n.on_failure) if t}
    order = [n for n in order if n in targets or not graph.nodes[n].is_terminal]  # unused ends
    items = [_item(graph.nodes[name], join(prefix, name), run) for name in order]
    edges = []
    for name in order:
        node = graph.nodes[name]
        source = node_id(join(prefix, name))
        if node.next is not None:
            edges.append(Edge(source, node_id(join(prefix, node.next))))
        if node.on_failure is not None:
            edges.append(Edge(source, node_id(join(prefix, node.on_failure)), failure=True))
    return Box(
        node_id(prefix or "pipeline") + "_box", label or graph.name or "pipeline", items, edges
    )


def _item(node: Node, path: str, run: RunLog | None) -> Item:
    item = Item(node_id(path), node.name, path, node.kind.value)
    spec = node.composite
    if isinstance(spec, MapSpec):
        item.note = f"map over {spec.iterate_on} as {spec.iterate_as}"
        item.branches = [picture(spec.branch, run, join(path, EACH), f"each {spec.iterate_as}")]
    elif isinstance(spec, LoopSpec):
        item.note = f"loop until {spec.break_on} (at most {spec.max_iterations})"
        item.branches = [picture(spec.branch, run, join(path, EACH), f"each {spec.index_as}")]
    elif isinstance(spec, ParallelSpec | ConditionalSpec):
        if isinstance(spec, ConditionalSpec):
            item.note = f"on {spec.parameter}"
        item.branches = [
            picture(branch, run, join(path, key), key) for key, branch in spec.branches.items()
        ]
    if run is not None and not node.is_terminal:
        _annotate(item, _records(run, path))
    return item


def _records(run: RunLog, template: str) -> list[StepLog]:
    if EACH not in template.split("."):
        record = run.steps.get(template)
        return [record] if record is not None else []
    parts = template.split(".")
    return [
        step
        for path, step in run.steps.items()
        if len(split := path.split(".")) == len(parts)
        and all(t in (EACH, s) for t, s in zip(parts, split, strict=True))
    ]


def _annotate(item: Item, records: list[StepLog]) -> None:
    if not records:
        item.status = "not run"
        return
    statuses = {r.status for r in records}
    for status in (Status.FAIL, Status.PROCESSING, Status.SUCCESS):
        if status in statuses:
            item.status = status.value
            break
    note = [item.note] if item.note else []
    if len(records) == 1:
        record = records[0]
        note.append(took(record.start_time, record.end_time))
        if len(record.attempts) > 1:
            note.append(f"{len(record.attempts)} attempts")
        if record.branches:
            note.append(f"{len(record.branches)} branches")
    else:
        failed = sum(r.status is Status.FAIL for r in records)
        note.append(f"{len(records)} runs" + (f", {failed} failed" if failed else ""))
    item.note = ", ".join(note)
