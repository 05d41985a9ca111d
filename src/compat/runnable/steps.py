"""What every runnable step shares: a name, how it ends the pipeline, its failure handler.

runnable's step objects are mutable (`step.on_failure = pipeline` after construction,
as its examples do), so a step keeps its settings and becomes runplane steps only when a
`Pipeline` is built from it, as in runnable.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from runplane import sdk
from runplane.domain.errors import PipelineDefinitionError

if TYPE_CHECKING:
    from runplane.compat.runnable.pipeline import Pipeline

#: Names of loop indexes a step runs under: runnable exports them as environment variables.
Exported = frozenset[str]


class BaseTraversal:
    """A step of a runnable pipeline, before it becomes a runplane step."""

    def __init__(
        self,
        name: str,
        *,
        terminate_with_success: bool = False,
        terminate_with_failure: bool = False,
        on_failure: Pipeline | None = None,
    ) -> None:
        if terminate_with_success and terminate_with_failure:
            raise PipelineDefinitionError(
                f"step {name!r}: terminate_with_success and terminate_with_failure are both set; "
                "choose one"
            )
        self.name = name
        self.terminate_with_success = terminate_with_success
        self.terminate_with_failure = terminate_with_failure
        self.on_failure = on_failure

    def as_pipeline(self) -> Pipeline:
        """A pipeline of this one step (runnable's shorthand for a branch)."""
        from runplane.compat.runnable.pipeline import Pipeline  # noqa: PLC0415  (cycle)

        return Pipeline(steps=[self])

    def to_runplane(self, exported: Exported) -> sdk._Step:
        """The runplane step this step stands for (its handler converted too)."""
        raise NotImplementedError

    def _handler(self, exported: Exported) -> sdk.Pipeline | None:
        return self.on_failure.handler(exported) if self.on_failure is not None else None


def plain_overrides(name: str, overrides: Mapping[str, Any] | None) -> dict[str, str]:
    """The `overrides` of a runnable step as runplane takes them: executor -> settings name."""
    out: dict[str, str] = {}
    for key, value in (overrides or {}).items():
        if not isinstance(value, str):
            raise PipelineDefinitionError(
                f"step {name!r}: override {key!r} must name a settings block of the executor "
                f"(a string, as in overrides={{'argo': 'gpu'}}), got {type(value).__name__}"
            )
        out[key] = value
    return out
