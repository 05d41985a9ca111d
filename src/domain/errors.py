"""The error hierarchy every layer raises; messages say what, where and what would be valid."""

from __future__ import annotations


class RunplaneError(Exception):
    """Root of every error runplane raises on purpose."""

    headline = "runplane error"


class ConfigurationError(RunplaneError):
    """A configuration file or section is missing, malformed or names an unknown adapter."""

    headline = "invalid configuration"


class PipelineDefinitionError(RunplaneError):
    """A pipeline is malformed: duplicate names, dangling references, bad patterns."""

    headline = "invalid pipeline"


class ParameterError(RunplaneError):
    """A parameter is missing, malformed or cannot be converted for a step."""

    headline = "parameter error"


class SecretError(RunplaneError):
    """A secret could not be provided to a step."""

    headline = "secret error"


class SecretNotFoundError(SecretError):
    """The secrets provider has no secret of that name."""

    def __init__(self, name: str, where: str, step: str | None = None) -> None:
        context = f"step {step!r} needs a secret: " if step else ""
        super().__init__(f"{context}secret '{name}' not found in {where}")
        self.name = name
        self.where = where
        self.step = step


class CatalogError(RunplaneError):
    """Files could not be moved to or from the catalog."""

    headline = "catalog error"


class RunLogError(RunplaneError):
    """A run log could not be read or written."""

    headline = "run log error"


class RunLogNotFoundError(RunLogError):
    """No run log exists for the run id."""

    def __init__(self, run_id: str, where: str) -> None:
        super().__init__(f"run '{run_id}' not found in run log store {where}")
        self.run_id = run_id


class RunAlreadyExistsError(RunLogError):
    """A run with that id is already recorded; runs are never merged."""

    def __init__(self, run_id: str, where: str) -> None:
        super().__init__(
            f"run '{run_id}' already exists in run log store {where}; "
            "choose another --run-id (or omit it to get a fresh one)"
        )
        self.run_id = run_id


class RunInUseError(RunLogError):
    """Another process owns the run (running it, or retrying it): it is left alone."""


class StepLogNotFoundError(RunLogError):
    """The run has no record of that step."""

    def __init__(self, run_id: str, step_path: str) -> None:
        super().__init__(f"run '{run_id}' has no record of step '{step_path}'")
        self.run_id = run_id
        self.step_path = step_path


class ExecutionError(RunplaneError):
    """A step could not be executed, or an executor could not run a pipeline."""

    headline = "execution error"


class RendersOnlyError(ExecutionError):
    """The executor hands pipelines to an orchestrator: nothing runs in this process."""


class Interrupted(BaseException):
    """The process was asked to stop (SIGTERM: a pod eviction, `kill`, a CI timeout)."""
