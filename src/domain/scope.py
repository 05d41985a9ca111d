"""What a step inside branches sees, and how a branch's outcome is read from step records.

A branch (a parallel branch `par.a`, a map iteration `map.3`, a conditional's chosen branch)
sees everything its enclosing branches saw when it started, plus its own variables (a
map's `iterate_as`) and the returns of steps before it in the same branch. Returns stay in
their branch until the composite step gathers them at fan-in.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from runplane.domain.graph import Graph, MapSpec, NodeKind, join, scope_chain, scope_of
from runplane.domain.run_log import Status, StepLog


@dataclass
class _Scope:
    variables: dict[str, Any] = field(default_factory=dict)
    returns: dict[str, Any] = field(default_factory=dict)


class ScopedParameters:
    """Parameters of a run, kept per branch so that sibling branches never see each other."""

    def __init__(self, initial: Mapping[str, Any]) -> None:
        self._scopes: dict[str, _Scope] = {"": _Scope(dict(initial))}

    def open(self, scope: str, variables: Mapping[str, Any]) -> None:
        """Start a branch with its own variables (a map's item)."""
        self._scopes[scope] = _Scope(dict(variables))

    def close(self, scope: str) -> None:
        """Forget a finished branch (its returns were gathered by the composite step)."""
        self._scopes.pop(scope, None)

    def record(self, step_path: str, returns: Mapping[str, Any]) -> None:
        """Add a successful step's returns to the branch it ran in."""
        self._scope(scope_of(step_path)).returns.update(returns)

    def for_step(self, step_path: str) -> dict[str, Any]:
        """Everything a step at `step_path` sees, outer branches first, its own branch last."""
        out: dict[str, Any] = {}
        for scope in scope_chain(step_path):
            found = self._scope(scope)
            out.update(found.variables)
            out.update(found.returns)
        return out

    def branch_returns(self, scope: str) -> dict[str, Any]:
        """What the steps of one branch returned (not its variables)."""
        return dict(self._scope(scope).returns)

    def top(self) -> dict[str, Any]:
        """The run-level parameters: initial ones plus top-level returns."""
        return {**self._scopes[""].variables, **self._scopes[""].returns}

    def _scope(self, scope: str) -> _Scope:
        return self._scopes.setdefault(scope, _Scope())

    @classmethod
    def replay(
        cls, initial: Mapping[str, Any], graph: Graph, steps: Iterable[StepLog]
    ) -> ScopedParameters:
        """Rebuild the parameters of a run from its step records (in the order they started)."""
        state = cls(initial)
        for step in steps:
            spec = graph.find(step.path).composite if step.kind == NodeKind.MAP.value else None
            if isinstance(spec, MapSpec):
                items = step.parameters.get(spec.iterate_on, [])
                for index, item in enumerate(items if isinstance(items, list) else []):
                    state.open(join(step.path, str(index)), {spec.iterate_as: item})
            elif step.kind == NodeKind.LOOP.value:
                # A loop records the variables each iteration started with.
                for key, variables in step.parameters.items():
                    state.open(join(step.path, key), variables)
            if step.status is Status.SUCCESS:
                state.record(step.path, step.returns)
        return state


def outcome(graph: Graph, prefix: str, status_of: Callable[[str], Status | None]) -> Status:
    """How a branch ended, read from its step records by walking its graph.

    A step with no record, or one still processing, means the branch did not finish: fail.
    """
    node = graph[graph.start_at]
    while not node.is_terminal:
        status = status_of(join(prefix, node.name))
        if status is None or status is Status.PROCESSING:
            return Status.FAIL
        node = graph.next_node(node.name, succeeded=status is Status.SUCCESS)
    return Status.SUCCESS if node.kind is NodeKind.SUCCESS else Status.FAIL
