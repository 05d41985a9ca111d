"""A run's step records as a tree: composite steps hold branches, branches hold steps."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime

from runplane.domain.errors import RunLogError
from runplane.domain.run_log import RunLog, StepLog


@dataclass
class StepNode:
    """One recorded step and, for a composite step, its branches in the order they appear."""

    name: str
    record: StepLog
    branches: dict[str, list[StepNode]] = field(default_factory=dict)

    @property
    def path(self) -> str:
        """The step's path in the run ('map.3.train')."""
        return self.record.path

    def walk(self) -> Iterator[StepNode]:
        """This node and every node under it, depth first."""
        yield self
        for steps in self.branches.values():
            for child in steps:
                yield from child.walk()


@dataclass
class RunTree:
    """A run log arranged as a tree of steps (what `runs show` draws)."""

    log: RunLog
    roots: list[StepNode]

    def step(self, path: str) -> StepLog:
        """The record of one step. Raises RunLogError listing the recorded paths when absent."""
        record = self.log.steps.get(path)
        if record is None:
            known = ", ".join(self.log.steps) or "none"
            raise RunLogError(
                f"run {self.log.run_id!r} has no step {path!r}; recorded steps: {known}"
            )
        return record


def build_tree(log: RunLog) -> RunTree:
    """Arrange the run's steps by path: 'a.k.b' is step b of branch k of step a."""
    roots: list[StepNode] = []
    by_path: dict[str, StepNode] = {}
    for path in sorted(log.steps, key=lambda p: p.count(".")):  # parents before children
        record = log.steps[path]
        head, _, name = path.rpartition(".")
        node = StepNode(name, record)
        by_path[path] = node
        if not head:
            roots.append(node)
            continue
        parent_path, _, key = head.rpartition(".")
        parent = by_path.get(parent_path)
        if parent is None:  # an orphan record (its composite was never written): keep it visible
            roots.append(node)
            continue
        parent.branches.setdefault(key, []).append(node)
    _order(roots, log)
    return RunTree(log, roots)


def _order(nodes: list[StepNode], log: RunLog) -> None:
    """Steps in start order within each level; branches in the composite's declared order."""
    position = {path: index for index, path in enumerate(log.steps)}
    nodes.sort(key=lambda n: position[n.path])
    for node in nodes:
        rank = {key: index for index, key in enumerate(node.record.branches)}
        node.branches = dict(
            sorted(node.branches.items(), key=lambda kv: rank.get(kv[0], len(rank)))
        )
        for steps in node.branches.values():
            _order(steps, log)


def seconds(start: str | None, end: str | None) -> float | None:
    """Seconds between two ISO instants; None when either is unknown."""
    if not start or not end:
        return None
    return (datetime.fromisoformat(end) - datetime.fromisoformat(start)).total_seconds()
