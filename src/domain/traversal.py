"""Walking a graph with composite steps: shared by every executor that runs steps."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial
from typing import Protocol

from runplane.domain.graph import Graph, Node, NodeKind, join, walk


class TraversalHooks(Protocol):
    """What a walk needs from whoever runs the steps."""

    def step(self, step_path: str) -> bool:
        """Run a task or stub; say whether it succeeded."""
        ...

    def fan_out(self, step_path: str) -> list[str] | None:
        """Open a composite step; its branch keys, or None when it failed to open."""
        ...

    def fan_in(self, step_path: str) -> bool:
        """Close a composite step after its branches ran; say whether it succeeded."""
        ...

    def loop_next(self, step_path: str) -> str | None:
        """After a loop iteration: the key of the next one, or None when the loop is done."""
        ...

    def run_branches(self, branches: Sequence[Callable[[], object]]) -> None:
        """Run the branches of one composite step (in order, or some at once)."""
        ...


def traverse(graph: Graph, hooks: TraversalHooks, prefix: str = "") -> Node:
    """Walk `graph` (a branch at `prefix`) to a terminal node, descending into composites."""

    def run_node(node: Node) -> bool:
        path = join(prefix, node.name)
        if not node.is_composite:
            return hooks.step(path)
        keys = hooks.fan_out(path)
        if keys is None:
            return False
        if node.kind is NodeKind.LOOP:
            key: str | None = keys[0]
            while key is not None:
                traverse(node.branch(key), hooks, join(path, key))
                key = hooks.loop_next(path)
            return hooks.fan_in(path)
        hooks.run_branches(
            [partial(traverse, node.branch(key), hooks, join(path, key)) for key in keys]
        )
        return hooks.fan_in(path)

    return walk(graph, run_node)
