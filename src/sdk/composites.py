"""The composite steps users put in a pipeline: Parallel, Map, Conditional and Loop."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from runplane.domain.errors import PipelineDefinitionError
from runplane.domain.graph import (
    REDUCERS,
    Composite,
    ConditionalSpec,
    Graph,
    LoopSpec,
    MapSpec,
    Node,
    NodeKind,
    ParallelSpec,
    check_node_name,
)
from runplane.sdk.pipeline import Pipeline
from runplane.sdk.steps import _Step


class _CompositeStep(_Step):
    kind: NodeKind
    spec: Composite

    def __init__(self, name: str, on_failure: Pipeline | _Step | None) -> None:
        check_node_name(name)
        self.name = name
        self.on_failure = on_failure

    def node(self, next_name: str | None, on_failure: str | None) -> Node:
        return Node(self.name, self.kind, next_name, on_failure, composite=self.spec)


class Parallel(_CompositeStep):
    """Branches that all run; succeeds when every branch succeeds.

    Each branch sees the parameters produced before this step; afterwards, the branches'
    returns are merged into the pipeline's parameters in branch order.
    """

    kind = NodeKind.PARALLEL

    def __init__(
        self, name: str, branches: dict[str, Pipeline], on_failure: Pipeline | _Step | None = None
    ) -> None:
        super().__init__(name, on_failure)
        self.spec = ParallelSpec(_graphs(name, branches))


class Map(_CompositeStep):
    """Runs `branch` once per item of the list parameter `iterate_on`.

    Each iteration sees the item as parameter `iterate_as`. Afterwards each return of the
    branch is a list ordered by iteration, or what `reducer` makes of that list: a function
    of one list, or one of the names "list", "sum", "max", "min", "first", "last", "mean".
    """

    kind = NodeKind.MAP

    def __init__(  # noqa: PLR0917  (the issue's signature: Map(name, iterate_on, iterate_as, ...))
        self,
        name: str,
        iterate_on: str,
        iterate_as: str,
        branch: Pipeline,
        reducer: str | Callable[[list[Any]], Any] | None = None,
        on_failure: Pipeline | _Step | None = None,
    ) -> None:
        super().__init__(name, on_failure)
        label, reduce = _reducer(name, reducer)
        self.spec = MapSpec(iterate_on, iterate_as, _graph(name, branch), label, reduce)


class Conditional(_CompositeStep):
    """Runs the branch named by the value of `parameter`, or `default` when none matches."""

    kind = NodeKind.CONDITIONAL

    def __init__(
        self,
        name: str,
        parameter: str,
        branches: dict[str, Pipeline],
        default: str | None = None,
        on_failure: Pipeline | _Step | None = None,
    ) -> None:
        super().__init__(name, on_failure)
        self.spec = ConditionalSpec(parameter, _graphs(name, branches), default)


class Loop(_CompositeStep):
    """Runs `branch` again and again (do-while) until the parameter `break_on` is true.

    Each iteration sees its index as the parameter `index_as` (shell tasks get it as
    `RUNPLANE_PRM_<index_as>`) and everything the previous iteration had and returned.
    Step paths name iterations: `loop.0.train`, `loop.1.train`. After the loop, the last
    iteration's returns are the pipeline's parameters. At `max_iterations` without
    `break_on` the loop fails, unless `on_max_iterations="succeed"`.
    """

    kind = NodeKind.LOOP

    def __init__(
        self,
        name: str,
        branch: Pipeline,
        *,
        break_on: str,
        max_iterations: int = 10,
        index_as: str = "iteration",
        on_max_iterations: str = "fail",
        on_failure: Pipeline | _Step | None = None,
    ) -> None:
        super().__init__(name, on_failure)
        self.spec = LoopSpec(
            _graph(name, branch), break_on, max_iterations, index_as, on_max_iterations
        )


def _graph(name: str, branch: object) -> Graph:
    if not isinstance(branch, Pipeline):
        raise PipelineDefinitionError(
            f"step {name!r}: a branch must be a Pipeline, got {type(branch).__name__}"
        )
    return branch.graph


def _graphs(name: str, branches: object) -> dict[str, Graph]:
    if not isinstance(branches, dict) or not branches:
        raise PipelineDefinitionError(
            f"step {name!r}: branches must be a non-empty dict of name -> Pipeline"
        )
    return {key: _graph(f"{name}.{key}", branch) for key, branch in branches.items()}


def _reducer(
    name: str, reducer: str | Callable[[list[Any]], Any] | None
) -> tuple[str, Callable[[list[Any]], Any]]:
    if reducer is None:
        return "list", list
    if callable(reducer):
        return f"{reducer.__module__}.{reducer.__qualname__}", reducer
    if reducer in REDUCERS:
        return reducer, REDUCERS[reducer]
    raise PipelineDefinitionError(
        f"map {name!r}: unknown reducer {reducer!r}; give a function of one list or one of "
        f"{', '.join(REDUCERS)}"
    )
