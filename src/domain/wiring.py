"""Static wiring check: every input a step needs is provided before the step runs.

A step's inputs are the arguments its function needs (given as data, read elsewhere from
the function's signature), a map's `iterate_on` and a conditional's `parameter`. An input
is provided by the parameters (file and overrides), by the declared JSON returns of a step
that runs earlier on the same path, or inside a branch by a map's `iterate_as` or a loop's
`index_as` (a loop is checked as its first iteration; its `break_on` must be returned by
its branch). A branch
starts with everything known before its composite step; after the composite step its
branches' returns are known (for a conditional only those every branch returns, since only
one branch runs). A failure handler sees what was known before the step that failed.

Steps are named by static paths: a map's or loop's branch is `*` (`fan.*.train`), since
the same graph runs for every item or iteration.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field

from runplane.domain.composites import declared_returns
from runplane.domain.errors import ParameterError
from runplane.domain.graph import (
    ConditionalSpec,
    Graph,
    LoopSpec,
    MapSpec,
    Node,
    join,
)

#: The branch segment of a static path inside a map (or any composite with one branch).
ANY_ITERATION = "*"


@dataclass(frozen=True)
class WiringProblem:
    """An input of a step that nothing provides before the step runs."""

    step: str
    input: str
    role: str  # "argument", "iterate_on", "parameter" or "break_on"
    available: tuple[str, ...]

    def __str__(self) -> str:
        available = ", ".join(self.available) or "none"
        if self.role == "break_on":
            return (
                f"step {self.step!r}: break_on {self.input!r} is returned by no step of the "
                f"loop's branch, so the loop always runs to max_iterations; the branch "
                f"returns: {available}"
            )
        return (
            f"step {self.step!r}: {self.role} {self.input!r} is not provided by the "
            f"parameters, a map variable or an earlier step; available: {available}"
        )


class UnwiredPipelineError(ParameterError):
    """Inputs of steps that nothing provides: a run would fail half-way, so it does not start.

    `details` holds one line per problem (the command line prints them before the headline).
    """

    def __init__(self, where: str, problems: Sequence[WiringProblem]) -> None:
        super().__init__(
            f"{where}: {len(problems)} unprovided input(s), so the run was not started "
            "(--no-check runs it anyway)"
        )
        self.problems = list(problems)
        self.details = tuple(str(problem) for problem in problems)


def branches_of(node: Node) -> list[tuple[str, Graph]]:
    """The branches of a composite node with their path segment (`*` for a single branch)."""
    spec = node.composite
    if spec is None:
        return []
    branch = getattr(spec, "branch", None)
    if isinstance(branch, Graph):
        return [(ANY_ITERATION, branch)]
    branches: Mapping[str, Graph] = getattr(spec, "branches", {})
    return list(branches.items())


def task_paths(graph: Graph, prefix: str = "") -> Iterator[tuple[str, Node]]:
    """Every task node of the graph and its branches, by static step path."""
    for node in graph.nodes.values():
        path = join(prefix, node.name)
        if node.task is not None:
            yield path, node
        for key, branch in branches_of(node):
            yield from task_paths(branch, join(path, key))


def check_wiring(
    graph: Graph, provided: Iterable[str], needs: Mapping[str, Sequence[str]]
) -> list[WiringProblem]:
    """Every input that nothing provides, in walk order.

    Args:
        graph: The pipeline.
        provided: Names of the run's parameters (parameters file and overrides).
        needs: Static step path -> names of the arguments the step's function requires.

    Returns:
        One problem per unprovided input; empty when the wiring is complete.
    """
    problems: list[WiringProblem] = []
    _walk(graph, "", frozenset(provided), needs, problems)
    return problems


@dataclass
class _Cursor:
    """Where a walk along one path is: its node, what it saw and what is known there."""

    node: Node
    known: frozenset[str]
    seen: set[str] = field(default_factory=set)
    handled: bool = False  # the node's inputs are checked and its handler walked


def _walk(
    graph: Graph,
    prefix: str,
    known: frozenset[str],
    needs: Mapping[str, Sequence[str]],
    problems: list[WiringProblem],
) -> frozenset[str]:
    """Check the path from the start to a terminal; return what is known at its end."""
    # A handler's path is walked before the path it left goes on, as recursion would, but
    # on a stack of cursors: a chain of 3,000 on_failure handlers is 3,000 levels deep.
    cursors = [_Cursor(graph[graph.start_at], known)]
    while True:
        cursor = cursors[-1]
        node = cursor.node
        if not cursor.handled:
            if node.is_terminal or node.name in cursor.seen:
                if len(cursors) == 1:
                    return cursor.known
                cursors.pop()  # a handler's path ended; what it knew is not passed on
                continue
            cursor.seen.add(node.name)
            path = join(prefix, node.name)
            for role, name in _inputs(node, needs.get(path, ())):
                if name not in cursor.known:
                    problems.append(WiringProblem(path, name, role, tuple(sorted(cursor.known))))
            cursor.handled = True
            if node.on_failure is not None:
                cursors.append(_Cursor(graph[node.on_failure], cursor.known))
                continue
        path = join(prefix, node.name)
        cursor.known = cursor.known | _produced(node, path, cursor.known, needs, problems)
        cursor.node, cursor.handled = graph[node.next or node.name], False


def _inputs(node: Node, arguments: Sequence[str]) -> list[tuple[str, str]]:
    spec = node.composite
    if isinstance(spec, MapSpec):
        return [("iterate_on", spec.iterate_on)]
    if isinstance(spec, ConditionalSpec):
        return [("parameter", spec.parameter)]
    return [("argument", name) for name in arguments]


def _produced(
    node: Node,
    path: str,
    known: frozenset[str],
    needs: Mapping[str, Sequence[str]],
    problems: list[WiringProblem],
) -> frozenset[str]:
    if node.task is not None:
        return frozenset(r.name for r in node.task.returns)  # metrics are passed on too
    spec = node.composite
    variables = _variables(node)
    outcomes = [
        _walk(branch, join(path, key), known | variables, needs, problems) - (variables - known)
        for key, branch in branches_of(node)
    ]
    if not outcomes:
        return frozenset()
    if isinstance(spec, ConditionalSpec):
        return frozenset.intersection(*outcomes)
    produced = frozenset.union(*outcomes)
    if isinstance(spec, LoopSpec):
        returned = declared_returns(spec.branch)
        if spec.break_on not in returned:
            problems.append(WiringProblem(path, spec.break_on, "break_on", tuple(returned)))
    return produced


def _variables(node: Node) -> frozenset[str]:
    """What a composite step gives its branches besides the parameters (item, index)."""
    spec = node.composite
    if isinstance(spec, MapSpec):
        return frozenset([spec.iterate_as])
    if isinstance(spec, LoopSpec):
        return frozenset([spec.index_as])
    return frozenset()
