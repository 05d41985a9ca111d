"""Which records of a failed run a retry reuses instead of running again."""

from __future__ import annotations

from collections.abc import Mapping

from runplane.domain.errors import PipelineDefinitionError
from runplane.domain.graph import Graph
from runplane.domain.run_log import Status, StepLog


def reusable(graph: Graph, steps: Mapping[str, StepLog], from_step: str | None = None) -> list[str]:
    """Paths of the records a retry copies: what succeeded before the first step to re-run.

    Top-level steps are taken in the order the pipeline runs them. Every one that succeeded
    is reused whole (with its branches), up to the first that failed or never finished;
    of that one, only the branch steps that succeeded are reused, and it runs again from
    there. `from_step` (a top-level step) forces everything from it on to run again.
    """
    order = [node.name for node in graph.walk_order() if not node.is_terminal]
    if from_step is not None and from_step not in order:
        raise PipelineDefinitionError(
            f"--from {from_step!r} is not a top-level step of the pipeline; "
            f"steps are: {', '.join(order)}"
        )
    reuse: list[str] = []
    for name in order:
        if name == from_step:
            break
        inner = [p for p, s in steps.items() if p.startswith(f"{name}.") and _ok(s)]
        record = steps.get(name)
        if record is not None and _ok(record):
            reuse += [name, *inner]
            continue
        if from_step is None:
            reuse += inner
        break
    return reuse


def _ok(step: StepLog) -> bool:
    return step.status is Status.SUCCESS
