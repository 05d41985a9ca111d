"""The driving side as one value: the four use-case ports a driving adapter is handed."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from runplane.domain.graph import Graph
from runplane.ports.deployment import Deployment
from runplane.ports.queries import RunQueries
from runplane.ports.run_commands import RunCommands
from runplane.ports.step_path import StepPath


@runtime_checkable
class PipelineFiles(Protocol):
    """Loads what a pipeline file or a job file defines (a driving-side concern)."""

    def pipeline(self, pipeline_file: str) -> Graph:
        """The graph a pipeline file defines. Raises PipelineDefinitionError."""
        ...

    def job(self, job_file: str) -> Graph:
        """The one-step graph of the `job` a file defines. Raises PipelineDefinitionError."""
        ...


@dataclass(frozen=True)
class Application:
    """What runplane does, by use case: the CLI takes what each command needs from here."""

    commands: RunCommands
    steps: StepPath
    queries: RunQueries
    deployment: Deployment
    #: How the CLI turns a file into a Graph; the use cases take Graphs.
    definitions: PipelineFiles
