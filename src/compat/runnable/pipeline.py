"""runnable's Pipeline: steps in list order, `execute()` runs them on runplane's engine."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from runplane import sdk
from runplane.compat.runnable.steps import BaseTraversal, Exported
from runplane.domain.errors import PipelineDefinitionError
from runplane.domain.graph import Graph
from runplane.domain.parameters import ENV_PREFIX
from runplane.sdk.definition_mode import hand_over

#: runnable's names for what runplane reads as RUNPLANE_PRM_* and RUNPLANE_CONFIGURATION_FILE.
RUNNABLE_PRM = "RUNNABLE_PRM_"
RUNNABLE_CONFIGURATION = "RUNNABLE_CONFIGURATION_FILE"


class Pipeline:
    """Steps that run in list order, checked when built, as runnable's Pipeline.

    The last step ends the pipeline successfully unless it says
    `terminate_with_failure=True`.
    """

    def __init__(
        self,
        steps: Sequence[BaseTraversal],
        name: str = "",
        description: str = "",
        add_terminal_nodes: bool = True,
        internal_branch_name: str = "",
    ) -> None:
        # add_terminal_nodes and internal_branch_name: older runnable examples pass them;
        # a pipeline always ends in success and fail here, so they change nothing.
        self.steps = list(steps)
        self.name = name
        self.description = description
        self._check()
        self.runplane = sdk.Pipeline(self._runplane_steps(frozenset()), name=name or None)

    @property
    def graph(self) -> Graph:
        """The runplane graph of the pipeline."""
        return self.runplane.graph

    def branch(self, exported: Exported) -> sdk.Pipeline:
        """This pipeline as a branch of a composite step (loop indexes `exported`)."""
        return sdk.Pipeline(self._runplane_steps(exported))

    def handler(self, exported: Exported) -> sdk.Pipeline:
        """This pipeline as a failure handler: like runnable, reaching its end is a success."""
        steps = self._runplane_steps(exported)
        if not self.steps[-1].terminate_with_failure:
            steps.append(sdk.Success())
        return sdk.Pipeline(steps)

    def execute(
        self,
        configuration_file: str = "",
        run_id: str = "",
        tag: str = "",
        parameters_file: str = "",
        log_level: str | None = None,
    ) -> Any:
        """Run the pipeline; return its run log, raise RunFailedError if it fails."""
        caller = sys._getframe(1).f_globals.get("__file__")
        return run(self, self.runplane, caller, configuration_file, run_id, tag, parameters_file)

    def _check(self) -> None:
        if not self.steps:
            raise PipelineDefinitionError("a pipeline needs at least one step")
        for step in self.steps[:-1]:
            if step.terminate_with_success or step.terminate_with_failure:
                raise PipelineDefinitionError(
                    f"step {step.name!r} terminates the pipeline but is not its last step; "
                    "as in runnable, only the last step may set terminate_with_success or "
                    "terminate_with_failure"
                )

    def _runplane_steps(self, exported: Exported) -> list[sdk._Step]:
        steps = [step.to_runplane(exported) for step in self.steps]
        if self.steps[-1].terminate_with_failure:
            steps.append(sdk.Fail())
        return steps


def run(  # noqa: PLR0917  (runnable's execute() arguments, passed through)
    handed: object,
    pipeline: sdk.Pipeline,
    caller: str | None,
    configuration_file: str,
    run_id: str,
    tag: str,
    parameters_file: str,
) -> Any:
    """Run `pipeline` for `handed` (a pipeline or job) as runnable's `execute()` would.

    Called while runplane reads the file's pipeline (a step process, `runplane run`), it
    only hands `handed` over, as runnable's `execute()` returns early "for definition".
    `caller` is the file whose main() called `execute()`: step processes rebuild the
    pipeline from there. runnable's environment variables are read as runplane's.
    """
    if hand_over(handed):
        return {}
    pipeline.source_file = caller
    _project_root_importable()
    with _runnable_parameters_as_runplanes():
        return pipeline.execute(
            configuration_file=configuration_file or os.environ.get(RUNNABLE_CONFIGURATION),
            parameters_file=parameters_file or None,
            run_id=run_id or None,
            tag=tag or None,
        )


@contextmanager
def _runnable_parameters_as_runplanes() -> Iterator[None]:
    """`RUNNABLE_PRM_x` read as `RUNPLANE_PRM_x` (which wins), for this run only.

    A script that runs several pipelines must not see one run's translated values in the next.
    """
    added = []
    for key, value in list(os.environ.items()):
        name = ENV_PREFIX + key[len(RUNNABLE_PRM) :]
        if key.startswith(RUNNABLE_PRM) and len(key) > len(RUNNABLE_PRM) and name not in os.environ:
            os.environ[name] = value
            added.append(name)
    try:
        yield
    finally:
        for name in added:
            os.environ.pop(name, None)


def _project_root_importable() -> None:
    """Make the working directory importable here and in step processes, as runnable does.

    runnable's commands and examples import from the project root (`examples.common.
    functions`); a step process imports the pipeline file from its own folder, so the root
    travels in PYTHONPATH.
    """
    root = os.getcwd()
    if root not in sys.path:
        sys.path.insert(0, root)
    paths = [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]
    if root not in paths:
        os.environ["PYTHONPATH"] = os.pathsep.join([root, *paths])
