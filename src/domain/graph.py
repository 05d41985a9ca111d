"""A pipeline as a graph of named nodes, and the rules for walking it."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from runplane.domain.catalog_spec import CatalogSpec
from runplane.domain.errors import PipelineDefinitionError
from runplane.domain.notebook_output import check_executed_as

#: Names of the implicit terminal nodes every graph ends in.
SUCCESS = "success"
FAIL = "fail"

_NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_ \-]*$")
_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class NodeKind(StrEnum):
    """What a node does when the walk reaches it."""

    TASK = "task"
    STUB = "stub"
    SUCCESS = "success"
    FAIL = "fail"
    PARALLEL = "parallel"
    MAP = "map"
    CONDITIONAL = "conditional"
    LOOP = "loop"


#: Reducers a map accepts by name; each takes the list of one return's values, in order.
REDUCERS: dict[str, Callable[[list[Any]], Any]] = {
    "list": list,
    "sum": sum,
    "max": max,
    "min": min,
    "first": lambda values: values[0] if values else None,
    "last": lambda values: values[-1] if values else None,
    "mean": lambda values: sum(values) / len(values) if values else None,
}


class ReturnKind(StrEnum):
    """How a returned value is recorded."""

    JSON = "json"
    METRIC = "metric"


@dataclass(frozen=True)
class ReturnSpec:
    """One named value a task returns."""

    name: str
    kind: ReturnKind = ReturnKind.JSON

    def __post_init__(self) -> None:
        if not self.name.isidentifier():
            raise PipelineDefinitionError(
                f"return name {self.name!r} is not a valid identifier; "
                "returns are passed to later steps as keyword arguments"
            )


@dataclass(frozen=True)
class TaskSpec:
    """The work of a task node: a command of some kind plus what flows in and out."""

    kind: str
    command: str
    function: Callable[..., Any] | None = None
    returns: tuple[ReturnSpec, ...] = ()
    secrets: tuple[str, ...] = ()
    catalog: CatalogSpec = field(default_factory=CatalogSpec)
    max_attempts: int = 1
    #: Executor type -> name of a settings override that executor defines (`{"argo": "gpu"}`).
    overrides: Mapping[str, str] = field(default_factory=dict)
    #: A notebook task's executed copy, relative to the working directory (see
    #: domain.notebook_output); None: the adapter's own name.
    executed_as: str | None = None

    def __post_init__(self) -> None:
        if self.executed_as is not None:
            check_executed_as(self.kind, self.executed_as)
        if self.max_attempts < 1:
            raise PipelineDefinitionError(
                f"max_attempts must be at least 1, got {self.max_attempts}"
            )
        for secret in self.secrets:
            if not isinstance(secret, str) or not _ENV_NAME.match(secret):
                raise PipelineDefinitionError(
                    f"secret name {secret!r} is not a valid environment variable name (a "
                    "secret is set as one while the task runs): use letters, digits and '_', "
                    "not starting with a digit"
                )
        names = [r.name for r in self.returns]
        duplicates = sorted({n for n in names if names.count(n) > 1})
        if duplicates:
            raise PipelineDefinitionError(f"returns name {duplicates} more than once")


@dataclass(frozen=True)
class ParallelSpec:
    """Branches that all run; the node succeeds when every branch does."""

    branches: Mapping[str, Graph]

    def __post_init__(self) -> None:
        _check_branch_keys(self.branches)


@dataclass(frozen=True)
class MapSpec:
    """One run of `branch` per item of the list parameter `iterate_on`."""

    iterate_on: str
    iterate_as: str
    branch: Graph
    reducer: str = "list"
    reduce: Callable[[list[Any]], Any] = list

    def __post_init__(self) -> None:
        for label, name in (("iterate_on", self.iterate_on), ("iterate_as", self.iterate_as)):
            if not name.isidentifier():
                raise PipelineDefinitionError(f"map {label} {name!r} is not a valid identifier")


@dataclass(frozen=True)
class ConditionalSpec:
    """One branch, chosen by the value of `parameter` (or `default` when none matches)."""

    parameter: str
    branches: Mapping[str, Graph]
    default: str | None = None

    def __post_init__(self) -> None:
        _check_branch_keys(self.branches)
        if self.default is not None and self.default not in self.branches:
            raise PipelineDefinitionError(
                f"conditional default {self.default!r} is not one of its branches: "
                f"{', '.join(self.branches)}"
            )


@dataclass(frozen=True)
class LoopSpec:
    """Runs `branch` again and again (do-while) until `break_on` is true or a limit is hit."""

    branch: Graph
    break_on: str
    max_iterations: int = 10
    index_as: str = "iteration"
    on_max_iterations: str = "fail"

    def __post_init__(self) -> None:
        for label, name in (("break_on", self.break_on), ("index_as", self.index_as)):
            if not name.isidentifier():
                raise PipelineDefinitionError(f"loop {label} {name!r} is not a valid identifier")
        if self.max_iterations < 1:
            raise PipelineDefinitionError(
                f"loop max_iterations must be at least 1, got {self.max_iterations}"
            )
        if self.on_max_iterations not in ("fail", "succeed"):
            raise PipelineDefinitionError(
                f"loop on_max_iterations must be 'fail' or 'succeed', "
                f"got {self.on_max_iterations!r}"
            )


Composite = ParallelSpec | MapSpec | ConditionalSpec | LoopSpec


def _check_branch_keys(branches: Mapping[str, Graph]) -> None:
    if not branches:
        raise PipelineDefinitionError("a composite step needs at least one branch")
    for key in branches:
        check_node_name(key)


@dataclass(frozen=True)
class Node:
    """A node of a graph: where the walk goes on success (`next`) and on failure."""

    name: str
    kind: NodeKind
    next: str | None = None
    on_failure: str | None = None
    task: TaskSpec | None = None
    composite: Composite | None = None

    @property
    def is_terminal(self) -> bool:
        """Whether reaching this node ends the walk."""
        return self.kind in (NodeKind.SUCCESS, NodeKind.FAIL)

    @property
    def is_composite(self) -> bool:
        """Whether this node runs branches of its own."""
        return self.composite is not None

    def branch(self, key: str) -> Graph:
        """The graph of one branch (for a map: the one branch, whatever the iteration)."""
        spec = self.composite
        if isinstance(spec, MapSpec | LoopSpec):
            return spec.branch
        if spec is not None and key in spec.branches:
            return spec.branches[key]
        valid = ", ".join(spec.branches) if spec is not None else "none"
        raise PipelineDefinitionError(
            f"step {self.name!r} has no branch {key!r}; branches are: {valid}"
        )


def check_node_name(name: str) -> None:
    """Reject names that cannot be a segment of a step path."""
    if not _NAME.match(name):
        raise PipelineDefinitionError(
            f"step name {name!r} is invalid: use letters, digits, '_', '-' or spaces, "
            "not starting with '-' or a space ('.' separates step paths)"
        )


@dataclass(frozen=True)
class Graph:
    """Named nodes plus where the walk starts; always ends in a terminal node."""

    start_at: str
    nodes: Mapping[str, Node]
    name: str | None = None

    def __post_init__(self) -> None:
        self._validate()

    def __getitem__(self, name: str) -> Node:
        try:
            return self.nodes[name]
        except KeyError:
            raise PipelineDefinitionError(
                f"pipeline has no step {name!r}; steps are: {', '.join(self.step_names())}"
            ) from None

    def find(self, step_path: str) -> Node:
        """The node at a step path such as `map_step.3.inner` or `par.a.train`."""
        parts = step_path.split(".")
        graph, node = self, self[parts[0]]
        for index in range(1, len(parts) - 1, 2):
            graph = node.branch(parts[index])
            node = graph[parts[index + 1]]
        if len(parts) % 2 == 0:
            raise PipelineDefinitionError(
                f"step path {step_path!r} ends at a branch, not a step; "
                "paths alternate step and branch: 'step.branch.step'"
            )
        return node

    def step_names(self) -> list[str]:
        """Names of the nodes that are recorded as steps (all but terminals)."""
        return [n.name for n in self.nodes.values() if not n.is_terminal]

    def walk_order(self) -> Iterator[Node]:
        """Nodes on the success path from the start, in order, ending at a terminal."""
        node = self[self.start_at]
        while True:
            yield node
            if node.is_terminal or node.next is None:
                return
            node = self[node.next]

    def next_node(self, name: str, *, succeeded: bool) -> Node:
        """Where the walk goes after `name` ends: its `next` on success, else its handler."""
        node = self[name]
        if succeeded:
            return self[node.next or SUCCESS]
        return self[node.on_failure or FAIL]

    def _validate(self) -> None:
        if self.start_at not in self.nodes:
            raise PipelineDefinitionError(f"pipeline starts at {self.start_at!r}, which it lacks")
        for node in self.nodes.values():
            for label, target in (("next", node.next), ("on_failure", node.on_failure)):
                if target is not None and target not in self.nodes:
                    raise PipelineDefinitionError(
                        f"step {node.name!r}: {label} names {target!r}, which is not a step"
                    )
            if not node.is_terminal and node.next is None:
                raise PipelineDefinitionError(f"step {node.name!r} has no next step")
        self._check_acyclic()

    def _check_acyclic(self) -> None:
        # Iterative colouring: a 10,000-step chain must not hit the recursion limit.
        state: dict[str, int] = {}
        for root in self.nodes:
            if root in state:
                continue
            stack = [(root, self._edges(root))]
            state[root] = 1
            while stack:
                name, edges = stack[-1]
                child = next(edges, None)
                if child is None:
                    state[name] = 2
                    stack.pop()
                elif state.get(child) == 1:
                    raise PipelineDefinitionError(f"pipeline has a cycle through step {child!r}")
                elif child not in state:
                    state[child] = 1
                    stack.append((child, self._edges(child)))

    def _edges(self, name: str) -> Iterator[str]:
        node = self.nodes[name]
        return iter([t for t in (node.next, node.on_failure) if t is not None])

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready description of the graph, recorded in each run log."""
        return {
            "name": self.name,
            "start_at": self.start_at,
            "steps": {name: _node_dict(node) for name, node in self.nodes.items()},
        }


def _node_dict(node: Node) -> dict[str, Any]:
    out: dict[str, Any] = {"type": node.kind.value}
    if node.next is not None:
        out["next"] = node.next
    if node.on_failure is not None:
        out["on_failure"] = node.on_failure
    spec = node.composite
    if isinstance(spec, MapSpec):
        out.update(
            iterate_on=spec.iterate_on,
            iterate_as=spec.iterate_as,
            reducer=spec.reducer,
            branch=spec.branch.to_dict(),
        )
    elif isinstance(spec, LoopSpec):
        out.update(
            break_on=spec.break_on,
            max_iterations=spec.max_iterations,
            index_as=spec.index_as,
            on_max_iterations=spec.on_max_iterations,
            branch=spec.branch.to_dict(),
        )
    elif isinstance(spec, ParallelSpec | ConditionalSpec):
        out["branches"] = {key: graph.to_dict() for key, graph in spec.branches.items()}
        if isinstance(spec, ConditionalSpec):
            out.update(parameter=spec.parameter, default=spec.default)
    if node.task is not None:
        task = node.task
        out.update(
            command_type=task.kind,
            command=task.command,
            returns=[{"name": r.name, "kind": r.kind.value} for r in task.returns],
            secrets=list(task.secrets),
            catalog={"get": list(task.catalog.get), "put": list(task.catalog.put)},
            max_attempts=task.max_attempts,
        )
    return out


def walk(graph: Graph, run_step: Callable[[Node], bool]) -> Node:
    """Run steps from the start until a terminal node; `run_step` says if a step succeeded."""
    node = graph[graph.start_at]
    while not node.is_terminal:
        node = graph.next_node(node.name, succeeded=run_step(node))
    return node


def join(prefix: str, name: str) -> str:
    """The step path of `name` inside the branch at `prefix` ('' at the top)."""
    return f"{prefix}.{name}" if prefix else name


def scope_of(step_path: str) -> str:
    """The branch a step path is in: 'map.3' for 'map.3.train', '' at the top."""
    head, _, _ = step_path.rpartition(".")
    return head


def scope_chain(step_path: str) -> list[str]:
    """Every branch enclosing a step, outermost first: ['', 'a.1', 'a.1.b.x'] for 'a.1.b.x.c'."""
    parts = step_path.split(".")
    return [".".join(parts[:i]) for i in range(0, len(parts), 2)]
