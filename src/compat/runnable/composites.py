"""runnable's composite steps: Parallel, Map, Conditional and Loop."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from runplane import sdk
from runplane.compat.runnable.reducers import runplane_reducer
from runplane.compat.runnable.steps import BaseTraversal, Exported
from runplane.domain.errors import PipelineDefinitionError

if TYPE_CHECKING:
    from runplane.compat.runnable.pipeline import Pipeline


def _branch(owner: str, branch: object, exported: Exported) -> sdk.Pipeline:
    from runplane.compat.runnable.pipeline import Pipeline  # noqa: PLC0415  (cycle)

    if not isinstance(branch, Pipeline):
        raise PipelineDefinitionError(
            f"step {owner!r}: a branch must be a Pipeline of runplane.compat.runnable, "
            f"got {type(branch).__name__}"
        )
    return branch.branch(exported)


class Parallel(BaseTraversal):
    """Branches that all run; their returns are merged afterwards."""

    def __init__(self, *, name: str, branches: dict[str, Pipeline], **termination: Any) -> None:
        super().__init__(name, **termination)
        self.branches = branches

    def to_runplane(self, exported: Exported) -> sdk._Step:  # noqa: D102
        return sdk.Parallel(
            self.name,
            branches={k: _branch(self.name, b, exported) for k, b in self.branches.items()},
            on_failure=self._handler(exported),
        )


class Map(BaseTraversal):
    """Runs `branch` once per item of the list parameter `iterate_on`.

    `reducer`: runnable's source-string forms (`"lambda *x: max(x)"`) are translated, not
    evaluated; a function takes the list of values in iteration order.
    """

    def __init__(
        self,
        *,
        name: str,
        branch: Pipeline,
        iterate_on: str,
        iterate_as: str,
        reducer: str | Callable[[list[Any]], Any] | None = None,
        overrides: dict[str, Any] | None = None,
        **termination: Any,
    ) -> None:
        super().__init__(name, **termination)
        self.branch = branch
        self.iterate_on = iterate_on
        self.iterate_as = iterate_as
        self.reducer = runplane_reducer(name, reducer)

    def to_runplane(self, exported: Exported) -> sdk._Step:  # noqa: D102
        return sdk.Map(
            self.name,
            self.iterate_on,
            self.iterate_as,
            _branch(self.name, self.branch, exported),
            reducer=self.reducer,
            on_failure=self._handler(exported),
        )


class Conditional(BaseTraversal):
    """Runs the branch named by the value of `parameter`."""

    def __init__(
        self, *, name: str, branches: dict[str, Pipeline], parameter: str, **termination: Any
    ) -> None:
        super().__init__(name, **termination)
        self.branches = branches
        self.parameter = parameter

    def to_runplane(self, exported: Exported) -> sdk._Step:  # noqa: D102
        return sdk.Conditional(
            self.name,
            self.parameter,
            {k: _branch(self.name, b, exported) for k, b in self.branches.items()},
            on_failure=self._handler(exported),
        )


class Loop(BaseTraversal):
    """Runs `branch` until the parameter `break_on` is true, at most `max_iterations` times.

    As in runnable, the index (from 0) is the environment variable `index_as` while the
    branch's Python tasks run, and reaching `max_iterations` ends the loop successfully
    with the last iteration's returns.
    """

    def __init__(
        self,
        *,
        name: str,
        branch: Pipeline,
        max_iterations: int,
        break_on: str,
        index_as: str,
        **termination: Any,
    ) -> None:
        super().__init__(name, **termination)
        self.branch = branch
        self.max_iterations = max_iterations
        self.break_on = break_on
        self.index_as = index_as

    def to_runplane(self, exported: Exported) -> sdk._Step:  # noqa: D102
        return sdk.Loop(
            self.name,
            _branch(self.name, self.branch, exported | {self.index_as}),
            break_on=self.break_on,
            max_iterations=self.max_iterations,
            index_as=self.index_as,
            on_max_iterations="succeed",
            on_failure=self._handler(exported),
        )
