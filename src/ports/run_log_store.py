"""The run log store port: where the record of every run is kept."""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from runplane.domain.run_log import RunLog, RunSummary, StepLog


@runtime_checkable
class RunLogStore(Protocol):
    """Keeps run headers and step records; a run is assembled from them when read.

    Steps are separate records so that writers of different steps (parallel branches on
    different machines) never overwrite each other, and so that recording a step costs the
    same at the 10,000th step as at the 10th.
    """

    def create_run(self, run: RunLog) -> None:
        """Record a new run's header (its steps are ignored).

        Raises RunAlreadyExistsError when the run id is taken: runs are never merged.
        """
        ...

    def update_run(self, run: RunLog) -> None:
        """Replace the header of an existing run (status, parameters, times); steps untouched.

        Raises RunLogNotFoundError when the run does not exist.
        """
        ...

    def put_step(self, run_id: str, step: StepLog) -> None:
        """Write (or replace) the record of `step.path` in the run, atomically.

        Raises RunLogNotFoundError when the run does not exist.
        """
        ...

    def get_run(self, run_id: str) -> RunLog:
        """The run with all its step records, in the order the steps started.

        Raises RunLogNotFoundError when the run does not exist.
        """
        ...

    def get_step(self, run_id: str, step_path: str) -> StepLog:
        """One step's record. Raises RunLogNotFoundError or StepLogNotFoundError."""
        ...

    def list_runs(self) -> list[RunSummary]:
        """Headers of every run, newest first."""
        ...

    def location(self, run_id: str) -> str:
        """Where a person finds the run's records (a path or a URL)."""
        ...


class Lease(Protocol):
    """Ownership of a run, held until released (or until its process ends)."""

    def release(self) -> None:
        """Let go: the run is no longer driven by this process."""
        ...


@runtime_checkable
class RunLeases(Protocol):
    """What a store that knows who drives a run adds (optional: stores without it work).

    The process running a run, or retrying it, holds the run's lease; the store's reads
    then set `RunLog.live` and `RunSummary.live` of a processing run, so `running` and
    `interrupted` can be told apart.
    """

    def hold(self, run_id: str) -> Lease:
        """Take the run's lease. Raises RunInUseError when another holder is alive."""
        ...
