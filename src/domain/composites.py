"""The rules of composite steps: which branches a fan-out opens, what a fan-in gathers."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from runplane.domain.errors import ExecutionError, ParameterError
from runplane.domain.graph import (
    ConditionalSpec,
    Graph,
    LoopSpec,
    MapSpec,
    Node,
    NodeKind,
    ParallelSpec,
)
from runplane.domain.run_log import Status
from runplane.domain.values import exact_json_copy


@dataclass(frozen=True)
class FanOut:
    """The branches a composite step opens, their variables, and what it recorded deciding."""

    keys: list[str]
    variables: dict[str, dict[str, Any]] = field(default_factory=dict)
    parameters: dict[str, Any] = field(default_factory=dict)


def fan_out(node: Node, parameters: Mapping[str, Any]) -> FanOut:
    """Decide the branches of `node` from the parameters it sees.

    Raises ParameterError when a map's list or a conditional's parameter is missing or
    wrong, naming the step, the parameter and what would be valid.
    """
    spec = node.composite
    if isinstance(spec, ParallelSpec):
        return FanOut(list(spec.branches))
    if isinstance(spec, MapSpec):
        items = _required(node, spec.iterate_on, parameters)
        if not isinstance(items, list):
            raise ParameterError(
                f"map {node.name!r}: iterate_on parameter {spec.iterate_on!r} must be a list, "
                f"got {type(items).__name__} {items!r:.80}"
            )
        keys = [str(i) for i in range(len(items))]
        variables = {k: {spec.iterate_as: item} for k, item in zip(keys, items, strict=True)}
        return FanOut(keys, variables, {spec.iterate_on: items})
    if isinstance(spec, LoopSpec):
        first: dict[str, Any] = {spec.index_as: 0}
        return FanOut(["0"], {"0": first}, {"0": first})
    if isinstance(spec, ConditionalSpec):
        value = _required(node, spec.parameter, parameters)
        key = str(value).lower() if isinstance(value, bool) else str(value)
        if key not in spec.branches:
            if spec.default is None:
                raise ParameterError(
                    f"conditional {node.name!r}: parameter {spec.parameter!r} is {value!r}, "
                    f"which names no branch; branches are: {', '.join(spec.branches)}"
                )
            key = spec.default
        return FanOut([key], {}, {spec.parameter: value})
    raise ExecutionError(f"step {node.name!r} is not a composite step")


def next_iteration(
    node: Node,
    key: str,
    status: Status,
    variables: Mapping[str, Any],
    returns: Mapping[str, Any],
) -> tuple[str, dict[str, Any]] | None:
    """A loop's next iteration (key and starting variables) after iteration `key`, or None.

    The loop stops when the iteration failed, when it left `break_on` true, or at
    `max_iterations`. The next iteration starts with everything the previous one had and
    returned, and its own index.
    """
    spec = node.composite
    if not isinstance(spec, LoopSpec):
        raise ExecutionError(f"step {node.name!r} is not a loop")
    index = int(key) + 1
    if status is not Status.SUCCESS or returns.get(spec.break_on) or index >= spec.max_iterations:
        return None
    return str(index), {**variables, **returns, spec.index_as: index}


def loop_outcome(
    node: Node, statuses: Mapping[str, Status], last_returns: Mapping[str, Any]
) -> str:
    """Why a loop failed ('' when it succeeded): a failed iteration or too many of them."""
    spec = node.composite
    if not isinstance(spec, LoopSpec):
        raise ExecutionError(f"step {node.name!r} is not a loop")
    failed = [key for key, status in statuses.items() if status is not Status.SUCCESS]
    if failed:
        return f"iteration {failed[-1]} failed"
    if last_returns.get(spec.break_on) or spec.on_max_iterations == "succeed":
        return ""
    return (
        f"loop {node.name!r} reached max_iterations={spec.max_iterations} without "
        f"{spec.break_on!r} becoming true (set on_max_iterations='succeed' to accept that)"
    )


def gather(node: Node, branch_returns: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
    """What a composite step returns from its branches' returns (keys in fan-out order)."""
    spec = node.composite
    if isinstance(spec, LoopSpec):
        last = list(branch_returns.values())[-1:] or [{}]
        return dict(last[0])
    if isinstance(spec, MapSpec):
        names = declared_returns(spec.branch)
        for values in branch_returns.values():
            names += [n for n in values if n not in names]
        out = {}
        for name in names:
            collected = [values.get(name) for values in branch_returns.values()]
            try:
                reduced = spec.reduce(collected)
            except Exception as exc:
                raise ExecutionError(
                    f"map {node.name!r}: reducer {spec.reducer!r} failed on {name!r}: "
                    f"{type(exc).__name__}: {exc}"
                ) from exc
            exact, out[name] = exact_json_copy(reduced)
            if not exact:
                # A fan-in keeps no objects: the value must survive the run log as it is.
                raise ExecutionError(
                    f"map {node.name!r}: reducer {spec.reducer!r} returned a "
                    f"{type(reduced).__name__} for {name!r}, which JSON cannot give back "
                    "exactly; return str, int, finite float, bool, None, or lists and "
                    "str-keyed dicts of those"
                )
        return out
    merged: dict[str, Any] = {}
    for values in branch_returns.values():
        merged.update(values)
    return merged


def declared_returns(graph: Graph) -> list[str]:
    """Names a branch's steps declare they return (what a map collects even when empty)."""
    names: list[str] = []
    for node in graph.nodes.values():
        if node.task is not None:
            found = [r.name for r in node.task.returns]  # metrics are passed on too
        elif isinstance(node.composite, MapSpec | LoopSpec):
            found = declared_returns(node.composite.branch)
        elif isinstance(node.composite, ParallelSpec | ConditionalSpec):
            found = [n for g in node.composite.branches.values() for n in declared_returns(g)]
        else:
            found = []
        names += [n for n in found if n not in names]
    return names


def composite_status(node: Node, statuses: Mapping[str, Status]) -> Status:
    """A composite step succeeds when every branch it opened succeeded."""
    if node.kind not in (NodeKind.PARALLEL, NodeKind.MAP, NodeKind.CONDITIONAL, NodeKind.LOOP):
        raise ExecutionError(f"step {node.name!r} is not a composite step")
    ok = all(status is Status.SUCCESS for status in statuses.values())
    return Status.SUCCESS if ok else Status.FAIL


def _required(node: Node, name: str, parameters: Mapping[str, Any]) -> Any:
    if name not in parameters:
        available = ", ".join(sorted(parameters)) or "none"
        raise ParameterError(
            f"step {node.name!r} needs parameter {name!r}, which does not exist; "
            f"parameters available: {available}"
        )
    return parameters[name]
