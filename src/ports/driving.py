"""The driving side as one value: the four use-case ports a driving adapter is handed."""

from __future__ import annotations

from dataclasses import dataclass

from runplane.ports.definitions import PipelineDefinitions
from runplane.ports.deployment import Deployment
from runplane.ports.queries import RunQueries
from runplane.ports.run_commands import RunCommands
from runplane.ports.step_path import StepPath


@dataclass(frozen=True)
class Application:
    """What runplane does, by use case: the CLI takes what each command needs from here."""

    commands: RunCommands
    steps: StepPath
    queries: RunQueries
    deployment: Deployment
    #: How the CLI turns a file into a Graph; the use cases take Graphs.
    definitions: PipelineDefinitions
