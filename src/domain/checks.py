"""Checks a pipeline's definition allows before any step runs."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from runplane.domain.composites import declared_returns
from runplane.domain.errors import ParameterError
from runplane.domain.graph import ConditionalSpec, Graph, MapSpec, Node, ParallelSpec


def check_composite_inputs(graph: Graph, parameters: Mapping[str, Any]) -> None:
    """Fail early when a map or conditional reads a parameter nothing can provide.

    `parameters` are the run's initial parameters and overrides. A name counts as provided
    when it is among them or declared in the `returns` of a step that runs before, on the
    path to the composite step (branches see what their parents saw). A map's list that
    comes straight from the parameters must be a list.
    """
    problems: list[str] = []
    _check(graph, "", dict.fromkeys(parameters), parameters, problems)
    if problems:
        raise ParameterError("; ".join(problems))


Walk = Iterator["Walk"]  # a walk yields the walks (handlers, branches) to finish first


def _check(
    graph: Graph,
    prefix: str,
    known: dict[str, None],
    parameters: Mapping[str, Any],
    problems: list[str],
) -> None:
    # Depth first, as recursion would be, but on an explicit stack: a chain of 3,000
    # on_failure handlers (each the handler of the one before) is 3,000 levels deep.
    stack: list[Walk] = [
        _walk(graph, graph.start_at, prefix, known, parameters=parameters, problems=problems)
    ]
    while stack:
        inner = next(stack[-1], None)
        if inner is None:
            stack.pop()
        else:
            stack.append(inner)


def _walk(
    graph: Graph,
    start: str,
    prefix: str,
    known: dict[str, None],
    *,
    parameters: Mapping[str, Any],
    problems: list[str],
) -> Walk:
    seen: set[str] = set()
    node = graph[start]
    while not node.is_terminal and node.name not in seen:
        seen.add(node.name)
        path = f"{prefix}{node.name}"
        yield from _check_node(node, path, known, parameters, problems)
        if node.on_failure is not None:
            yield _walk(
                graph,
                node.on_failure,
                prefix,
                dict(known),
                parameters=parameters,
                problems=problems,
            )
        known.update(dict.fromkeys(_declared(node)))
        node = graph[node.next] if node.next else node


def _check_node(
    node: Node,
    path: str,
    known: dict[str, None],
    parameters: Mapping[str, Any],
    problems: list[str],
) -> Walk:
    spec = node.composite
    if isinstance(spec, MapSpec):
        _need(path, "iterate_on", spec.iterate_on, known, problems)
        value = parameters.get(spec.iterate_on)
        produced_later = spec.iterate_on not in parameters
        if not produced_later and not isinstance(value, list):
            problems.append(
                f"map {path!r}: iterate_on parameter {spec.iterate_on!r} must be a list, "
                f"got {type(value).__name__}"
            )
        inner = {**known, spec.iterate_as: None}
        yield _walk(
            spec.branch,
            spec.branch.start_at,
            f"{path}.<item>.",
            inner,
            parameters=parameters,
            problems=problems,
        )
    elif isinstance(spec, ConditionalSpec):
        _need(path, "parameter", spec.parameter, known, problems)
        for key, branch in spec.branches.items():
            yield _walk(
                branch,
                branch.start_at,
                f"{path}.{key}.",
                dict(known),
                parameters=parameters,
                problems=problems,
            )
    elif isinstance(spec, ParallelSpec):
        for key, branch in spec.branches.items():
            yield _walk(
                branch,
                branch.start_at,
                f"{path}.{key}.",
                dict(known),
                parameters=parameters,
                problems=problems,
            )


def _need(path: str, label: str, name: str, known: dict[str, None], problems: list[str]) -> None:
    if name not in known:
        available = ", ".join(sorted(known)) or "none"
        problems.append(
            f"step {path!r}: {label} {name!r} is neither a parameter nor returned by an "
            f"earlier step; available: {available}"
        )


def _declared(node: Node) -> list[str]:
    if node.task is not None:
        return [r.name for r in node.task.returns]  # metrics are passed on too
    spec = node.composite
    if isinstance(spec, MapSpec):
        return declared_returns(spec.branch)
    if isinstance(spec, ParallelSpec | ConditionalSpec):
        return [n for g in spec.branches.values() for n in declared_returns(g)]
    return []
