"""Which records of a failed run a retry reuses instead of running again."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from runplane.domain.composites import fan_out
from runplane.domain.errors import PipelineDefinitionError, RunplaneError
from runplane.domain.fingerprints import consumed, definition, fingerprint
from runplane.domain.graph import Graph, Node, NodeKind, join
from runplane.domain.run_log import Status, StepLog
from runplane.domain.scope import ScopedParameters


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


def confirmed(
    graph: Graph,
    candidates: Sequence[str],
    steps: Mapping[str, StepLog],
    initial: Mapping[str, Any],
) -> list[str]:
    """The candidates (from `reusable`) whose inputs would be the same in the retry.

    Replays the candidates' records in the order things happened (each step's start, when
    it read its parameters and got its files; its end, when its returns and files became
    visible), with the retry's initial parameters. A task whose fingerprint differs now,
    or a composite step that would open other branches, is not reused, nor is any
    candidate after it (everything downstream runs again) or any composite around it.
    Records without a fingerprint (runs from before fingerprints) are taken as they are.
    """
    wanted = set(candidates)
    opened = {scope for path in wanted for scope in _enclosing(path) if scope in steps}
    events: list[tuple[str, int, str]] = []
    for path in wanted | opened:
        record = steps[path]
        events.append((_read_at(record), 1, path))
        if path in wanted:
            events.append((record.end_time or "", 0, path))
    replay = _Replay(graph, initial)
    changed: list[str] = []
    for _, kind, path in sorted(events):
        record = steps[path]
        if kind == 0:
            replay.ended(record)
        elif not replay.started(record) and path in wanted:
            changed.append(path)
    if not changed:
        return list(candidates)
    position = {path: index for index, path in enumerate(candidates)}
    cut = min(position[path] for path in changed)
    around = {scope for path in changed for scope in _enclosing(path)}
    return [path for path in candidates[:cut] if path not in around]


class _Replay:
    """The parameters and catalog a retry's steps would see, rebuilt record by record."""

    def __init__(self, graph: Graph, initial: Mapping[str, Any]) -> None:
        self._graph = graph
        self._scopes = ScopedParameters(initial)
        self._files: dict[str, str] = {}  # name -> sha256 of the latest version put

    def started(self, step: StepLog) -> bool:
        """Whether the step would read what it read then (composites: open the same branches)."""
        node = self._graph.find(step.path)
        visible = self._scopes.for_step(step.path)
        if node.is_composite:
            return self._open(node, step, visible)
        if step.fingerprint is None:
            return True
        got = [
            (entry.name, self._files.get(entry.name))
            for entry in step.data_catalog
            if entry.stage == "get"
        ]
        now = fingerprint(definition(node), consumed(step.parameters, visible), got)
        return now == step.fingerprint

    def ended(self, step: StepLog) -> None:
        if step.status is Status.SUCCESS:
            self._scopes.record(step.path, step.returns)
        self._files.update((e.name, e.sha256) for e in step.data_catalog if e.stage == "put")

    def _open(self, node: Node, step: StepLog, visible: Mapping[str, Any]) -> bool:
        try:
            plan = fan_out(node, visible)
        except RunplaneError:
            return False
        if node.kind is NodeKind.LOOP:
            # Later iterations start from what the one before returned: recorded per key.
            same = plan.parameters.get("0") == step.parameters.get("0")
            variables = {key: dict(value) for key, value in step.parameters.items()}
        else:
            same = plan.parameters == step.parameters and plan.keys == list(step.branches)
            variables = plan.variables
        for key in plan.keys if node.kind is not NodeKind.LOOP else variables:
            self._scopes.open(join(step.path, key), variables.get(key, {}))
        return same


def _read_at(step: StepLog) -> str:
    """When the step read its inputs: the start of its last attempt."""
    return step.attempts[-1].start_time if step.attempts else ""


def _enclosing(path: str) -> list[str]:
    """The composite steps around a step: 'a' and 'a.1.b' for 'a.1.b.x.c'."""
    parts = path.split(".")
    return [".".join(parts[:i]) for i in range(1, len(parts) - 1, 2)]
