"""Limits checked before a run, so that a run never breaks half-way on them.

- A step path names files (a `chunked-fs` record `steps/<path>.json`, the catalog's
  `logs/<path>/...` and `objects/<path>/...`), and a file name holds at most 255 bytes on
  the usual file systems; temporary names add a prefix and suffix. Paths are checked when
  the pipeline is built, with a map's iteration index counted as `MAP_INDEX_DIGITS` digits.

(How deep a recorded return may be is the values rule's business: past
`domain.values.MAX_JSON_DEPTH` a value travels pickled, as a shallow reference.)
"""

from __future__ import annotations

from runplane.domain.errors import PipelineDefinitionError
from runplane.domain.graph import Graph, LoopSpec, MapSpec, join

#: Bytes (UTF-8) of a step path; leaves room for `.json` and temporary-file decorations.
MAX_STEP_PATH_BYTES = 200
#: Digits a map's iteration index is assumed to take (maps of up to a million items).
MAP_INDEX_DIGITS = 6


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


def _shortened(path: str, keep: int = 80) -> str:
    """A path short enough to quote in a one-line error."""
    return path if len(path) <= keep else f"{path[: keep // 2]}...{path[-keep // 3 :]}"
