"""Limits checked before a run, so that a run never breaks half-way on them.

- A step path names files (a `chunked-fs` record `steps/<path>.json`, the catalog's
  `logs/<path>/...` and `objects/<path>/...`), and a file name holds at most 255 bytes on
  the usual file systems; temporary names add a prefix and suffix. Paths are checked when
  the pipeline is built, with a map's iteration index counted as `MAP_INDEX_DIGITS` digits.
- The nesting of a return recorded as JSON: the run log takes JSON nested to about 1,000
  levels, but a later step's parameters are rebuilt by code that visits every level
  (object references are looked for there), so what the run log holds is bounded when it
  is recorded, not found unreadable by the next step. (A value that travels as a pickled
  object is recorded as a shallow reference and is not limited here.)
"""

from __future__ import annotations

from typing import Any

from runplane.domain.errors import ExecutionError, PipelineDefinitionError
from runplane.domain.graph import Graph, LoopSpec, MapSpec, join

#: Bytes (UTF-8) of a step path; leaves room for `.json` and temporary-file decorations.
MAX_STEP_PATH_BYTES = 200
#: Digits a map's iteration index is assumed to take (maps of up to a million items).
MAP_INDEX_DIGITS = 6
#: Levels of lists and dicts in a return recorded as JSON.
MAX_RETURN_DEPTH = 200


def check_step_paths(graph: Graph) -> None:
    """Refuse a pipeline whose longest step path would not fit in a file name."""
    pending: list[tuple[Graph, str]] = [(graph, "")]
    while pending:
        branch, prefix = pending.pop()
        for node in branch.nodes.values():
            if node.is_terminal:
                continue
            path = join(prefix, node.name)
            size = len(path.encode())
            if size > MAX_STEP_PATH_BYTES:
                raise PipelineDefinitionError(
                    f"step path {_shortened(path)!r} is {size} bytes long; a step path (names "
                    f"of steps and branches joined by '.') may have at most "
                    f"{MAX_STEP_PATH_BYTES}, as it names files; use shorter step names"
                )
            spec = node.composite
            if isinstance(spec, MapSpec):
                pending.append((spec.branch, f"{path}.{'9' * MAP_INDEX_DIGITS}"))
            elif isinstance(spec, LoopSpec):
                pending.append((spec.branch, f"{path}.{max(spec.max_iterations - 1, 0)}"))
            elif spec is not None:
                pending.extend((sub, f"{path}.{key}") for key, sub in spec.branches.items())


def check_return_depth(step_path: str, name: str, value: Any) -> None:
    """Refuse a recorded return nested deeper than `MAX_RETURN_DEPTH` lists and dicts."""
    pending: list[tuple[Any, int]] = [(value, 1)]
    while pending:
        item, depth = pending.pop()
        if isinstance(item, dict):
            children: Any = item.values()
        elif isinstance(item, list | tuple):
            children = item
        else:
            continue
        if depth > MAX_RETURN_DEPTH:
            raise ExecutionError(
                f"step {step_path!r}: return {name!r} is nested more than {MAX_RETURN_DEPTH} "
                "levels deep (lists and dicts), more than the run log records; flatten it, or "
                "return it as a string of JSON"
            )
        pending.extend((child, depth + 1) for child in children)


def _shortened(path: str, keep: int = 80) -> str:
    """A path short enough to quote in a one-line error."""
    return path if len(path) <= keep else f"{path[: keep // 2]}...{path[-keep // 3 :]}"
