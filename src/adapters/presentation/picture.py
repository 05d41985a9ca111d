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
#: With `expand`, at most this many iterations of one map or loop are drawn (failed first).
MAX_DRAWN = 8


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


def picture(
    graph: Graph,
    run: RunLog | None = None,
    prefix: str = "",
    label: str = "",
    *,
    expand: bool = False,
) -> Box:
    """The boxes of `graph`; with `run`, each item gets its status and duration.

    `expand` (with `run`): a map or loop gets a box per iteration the run recorded (at most
    MAX_DRAWN, failed ones first), not one box standing for them all.
    """
    order = [n.name for n in graph.walk_order()]
    order += [name for name in graph.nodes if name not in order]
    targets = {t for n in graph.nodes.values() for t in (n.next, n.on_failure) if t}
    order = [n for n in order if n in targets or not graph.nodes[n].is_terminal]  # unused ends
    items = [_item(graph.nodes[name], join(prefix, name), run, expand) for name in order]
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


def _item(node: Node, path: str, run: RunLog | None, expand: bool) -> Item:
    item = Item(node_id(path), node.name, path, node.kind.value)
    spec = node.composite
    if isinstance(spec, MapSpec | LoopSpec):
        name = spec.iterate_as if isinstance(spec, MapSpec) else spec.index_as
        if isinstance(spec, MapSpec):
            item.note = f"map over {spec.iterate_on} as {name}"
        else:
            item.note = f"loop until {spec.break_on} (at most {spec.max_iterations})"
        keys = _drawn_iterations(run, path) if expand and run is not None else []
        recorded = len(run.steps[path].branches) if keys and run is not None else 0
        if len(keys) < recorded:
            item.note += f"; drawn: {len(keys)} of {recorded} iterations"
        item.branches = [
            picture(spec.branch, run, join(path, key), f"{name} {key}", expand=expand)
            for key in keys
        ] or [picture(spec.branch, run, join(path, EACH), f"each {name}")]
    elif isinstance(spec, ParallelSpec | ConditionalSpec):
        if isinstance(spec, ConditionalSpec):
            item.note = f"on {spec.parameter}"
        item.branches = [
            picture(branch, run, join(path, key), key, expand=expand)
            for key, branch in spec.branches.items()
        ]
    if run is not None and not node.is_terminal:
        _annotate(item, _records(run, path))
    return item


def _drawn_iterations(run: RunLog, path: str) -> list[str]:
    """The iterations of a map or loop to draw, in their order: failed ones, then the first."""
    record = run.steps.get(path)
    if record is None or not record.branches:
        return []
    keys = list(record.branches)
    failed = [k for k in keys if record.branches[k] == Status.FAIL.value]
    chosen = set(failed[:MAX_DRAWN])
    chosen.update([k for k in keys if k not in chosen][: MAX_DRAWN - len(chosen)])
    return [k for k in keys if k in chosen]


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
