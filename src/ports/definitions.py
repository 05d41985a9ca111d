"""The definitions port: turning the files users write (pipelines, jobs) into graphs."""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from runplane.domain.graph import Graph


@runtime_checkable
class PipelineDefinitions(Protocol):
    """Loads what a pipeline file or a job file defines; the SDK package implements it.

    The application receives it from whoever builds it (the console script, `runplane.service`)
    so that it never imports the SDK, which imports the application to run what it defines.
    """

    def pipeline(self, pipeline_file: str) -> Graph:
        """The graph a pipeline file (Python or YAML) defines. Raises PipelineDefinitionError.

        Also what a retry loads again: the pipeline file its original run recorded.
        """
        ...

    def job(self, job_file: str) -> Graph:
        """The one-step graph of the `job` a file defines. Raises PipelineDefinitionError."""
        ...
