"""Mocked runs: the same graph with stand-ins for tasks, except those given a replacement.

A stand-in is a task of kind `mocked`: it runs nothing, fetches and puts no files, needs
no secrets, and returns only the values its patch gives (declared returns left out stay
unset). A patched task keeps everything (secrets, catalog, retries) but its command.
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from runplane.domain.errors import ConfigurationError
from runplane.domain.graph import Graph, Node, TaskSpec, join
from runplane.domain.wiring import ANY_ITERATION, task_paths

#: The task kind of a stand-in; its runner returns the patch's values without running anything.
MOCKED = "mocked"


@dataclass(frozen=True)
class Patch:
    """What a mocked run does at one task: run `command` instead, or stand in with `returns`.

    `function` is the callable `command` names, for task kinds that call functions.
    """

    command: str | None = None
    function: Callable[..., Any] | None = None
    returns: Mapping[str, Any] = field(default_factory=dict)


def mock_graph(graph: Graph, patches: Mapping[str, Patch]) -> Graph:
    """The graph a mocked run walks; patches are keyed by static step path (`map.*.task`).

    Raises ConfigurationError for a patch of a step that is not a task, or that both
    replaces the command and gives returns, or gives returns the task does not declare.
    """
    tasks = dict(task_paths(graph))
    for path, patch in patches.items():
        _check_patch(path, patch, tasks)
    return _rewrite(graph, "", patches)


def _check_patch(path: str, patch: Patch, tasks: Mapping[str, Node]) -> None:
    where = f"executor.config.patches.{path}"
    node = tasks.get(path)
    if node is None or node.task is None:
        valid = ", ".join(tasks) or "none"
        raise ConfigurationError(
            f"{where}: the pipeline has no task at {path!r} (a map's iteration is "
            f"{ANY_ITERATION!r}); tasks: {valid}"
        )
    if patch.command is not None and patch.returns:
        raise ConfigurationError(
            f"{where}: give either `command` (run it instead) or `returns` (stand in with "
            "these values), not both"
        )
    declared = [r.name for r in node.task.returns]
    unknown = sorted(set(patch.returns) - set(declared))
    if unknown:
        raise ConfigurationError(
            f"{where}: returns {', '.join(unknown)} are not declared by the task; "
            f"it declares: {', '.join(declared) or 'none'}"
        )


def _rewrite(graph: Graph, prefix: str, patches: Mapping[str, Patch]) -> Graph:
    nodes = {name: _node(node, join(prefix, name), patches) for name, node in graph.nodes.items()}
    return Graph(start_at=graph.start_at, nodes=nodes, name=graph.name)


def _node(node: Node, path: str, patches: Mapping[str, Patch]) -> Node:
    if node.task is not None:
        return dataclasses.replace(node, task=_task(node.task, patches.get(path)))
    if node.composite is None:
        return node
    return dataclasses.replace(node, composite=_composite(node.composite, path, patches))


def _composite(spec: Any, path: str, patches: Mapping[str, Patch]) -> Any:
    """The spec with its branches rewritten (any composite kind: one branch or several)."""
    branch = getattr(spec, "branch", None)
    if isinstance(branch, Graph):
        inner = _rewrite(branch, join(path, ANY_ITERATION), patches)
        return dataclasses.replace(spec, branch=inner)
    branches = {
        key: _rewrite(graph, join(path, key), patches)
        for key, graph in getattr(spec, "branches", {}).items()
    }
    return dataclasses.replace(spec, branches=branches)


def _task(task: TaskSpec, patch: Patch | None) -> TaskSpec:
    if patch is not None and patch.command is not None:
        return dataclasses.replace(task, command=patch.command, function=patch.function)
    values = dict(patch.returns) if patch is not None else {}
    return TaskSpec(
        kind=MOCKED,
        command=task.command,
        function=functools.partial(dict, values),
        returns=task.returns,
    )
