"""The record of a run: the single source of truth every executor writes the same way."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from runplane.domain.errors import RunLogError


class Status(StrEnum):
    """Status of a run, a step or an attempt."""

    PROCESSING = "processing"
    SUCCESS = "success"
    FAIL = "fail"


@dataclass
class Attempt:
    """One try at running a step."""

    number: int
    status: Status
    start_time: str
    end_time: str | None = None
    message: str = ""
    traceback: str = ""
    log: str | None = None  # catalog name of what the attempt printed, if it printed
    # A failed attempt's outputs, kept for debugging under failed/<step>/attempt-<n>/: never
    # given to later steps, so they are not the step's data_catalog.
    failed_files: list[CatalogEntry] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (`failed_files` only when there are some)."""
        out: dict[str, Any] = {
            "log": self.log,
            "number": self.number,
            "status": self.status.value,
            "start_time": self.start_time,
            "end_time": self.end_time,
            "message": self.message,
            "traceback": self.traceback,
        }
        if self.failed_files:
            out["failed_files"] = [entry.to_dict() for entry in self.failed_files]
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Attempt:
        """Inverse of `to_dict`."""
        return cls(
            number=data["number"],
            status=Status(data["status"]),
            start_time=data["start_time"],
            end_time=data.get("end_time"),
            message=data.get("message", ""),
            traceback=data.get("traceback", ""),
            log=data.get("log"),
            failed_files=[CatalogEntry.from_dict(e) for e in data.get("failed_files", [])],
        )


@dataclass(frozen=True)
class CatalogEntry:
    """A file moved between the working directory and the catalog."""

    name: str
    stage: str  # "get" or "put"
    sha256: str
    size: int

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {"name": self.name, "stage": self.stage, "sha256": self.sha256, "size": self.size}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CatalogEntry:
        """Inverse of `to_dict`."""
        return cls(data["name"], data["stage"], data["sha256"], data["size"])


@dataclass
class StepLog:
    """Everything recorded about one step of a run."""

    path: str
    kind: str
    status: Status = Status.PROCESSING
    attempts: list[Attempt] = field(default_factory=list)
    parameters: dict[str, Any] = field(default_factory=dict)
    returns: dict[str, Any] = field(default_factory=dict)
    metrics: dict[str, Any] = field(default_factory=dict)
    data_catalog: list[CatalogEntry] = field(default_factory=list)
    branches: dict[str, str] = field(default_factory=dict)  # composite steps: key -> status
    reused_from: str | None = None  # a retry's copy of a step that succeeded in this run id
    fingerprint: str | None = None  # hash of what it consumed (domain.fingerprints)

    @property
    def start_time(self) -> str | None:
        """When the first attempt started."""
        return self.attempts[0].start_time if self.attempts else None

    @property
    def end_time(self) -> str | None:
        """When the last attempt ended."""
        return self.attempts[-1].end_time if self.attempts else None

    @property
    def message(self) -> str:
        """The last attempt's message."""
        return self.attempts[-1].message if self.attempts else ""

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "path": self.path,
            "kind": self.kind,
            "status": self.status.value,
            "start_time": self.start_time,
            "end_time": self.end_time,
            "attempts": [a.to_dict() for a in self.attempts],
            "parameters": self.parameters,
            "returns": self.returns,
            "metrics": self.metrics,
            "data_catalog": [c.to_dict() for c in self.data_catalog],
            "branches": self.branches,
            "reused_from": self.reused_from,
            "fingerprint": self.fingerprint,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> StepLog:
        """Inverse of `to_dict`."""
        try:
            return cls(
                path=data["path"],
                kind=data["kind"],
                status=Status(data["status"]),
                attempts=[Attempt.from_dict(a) for a in data["attempts"]],
                parameters=data["parameters"],
                returns=data["returns"],
                metrics=data["metrics"],
                data_catalog=[CatalogEntry.from_dict(c) for c in data["data_catalog"]],
                branches=data.get("branches", {}),
                reused_from=data.get("reused_from"),
                fingerprint=data.get("fingerprint"),
            )
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise RunLogError(f"malformed step record: {exc!r}") from exc


@dataclass(frozen=True)
class RunSummary:
    """The header of a run, for listings."""

    run_id: str
    tag: str | None
    status: Status
    start_time: str
    end_time: str | None
    pipeline_name: str | None
    live: bool | None = None  # a processing run: its owner holds the lease; None: unknown
    original_run_id: str | None = None  # a retry: the run it continues

    @property
    def state(self) -> str:
        """The status as a person needs it: `running` or `interrupted` (see `state_of`)."""
        return state_of(self.status, self.live)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "run_id": self.run_id,
            "tag": self.tag,
            "status": self.status.value,
            "state": self.state,
            "start_time": self.start_time,
            "end_time": self.end_time,
            "pipeline_name": self.pipeline_name,
            "original_run_id": self.original_run_id,
        }


@dataclass
class RunLog:
    """A run: its header (identity, status, parameters) and one record per step."""

    run_id: str
    status: Status
    start_time: str
    tag: str | None = None
    end_time: str | None = None
    pipeline: dict[str, Any] = field(default_factory=dict)
    pipeline_file: str | None = None
    initial_parameters: dict[str, Any] = field(default_factory=dict)
    parameters: dict[str, Any] = field(default_factory=dict)
    code_identity: dict[str, Any] = field(default_factory=dict)
    configuration: dict[str, Any] = field(default_factory=dict)
    message: str = ""
    original_run_id: str | None = None  # set on a retry: the run it continues
    parameters_from: str = ""  # where the initial parameters came from
    steps: dict[str, StepLog] = field(default_factory=dict)
    live: bool | None = None  # read from the store's lease, never written in the header

    @property
    def state(self) -> str:
        """The status as a person needs it: `running` or `interrupted` (see `state_of`)."""
        return state_of(self.status, self.live)

    def summary(self) -> RunSummary:
        """The header of this run."""
        return RunSummary(
            run_id=self.run_id,
            tag=self.tag,
            status=self.status,
            start_time=self.start_time,
            end_time=self.end_time,
            pipeline_name=self.pipeline.get("name"),
            live=self.live,
            original_run_id=self.original_run_id,
        )

    def files(self) -> dict[str, tuple[str, CatalogEntry]]:
        """Each catalog name's last version put (what a later `get` brings), by step path."""
        latest: dict[str, tuple[str, CatalogEntry]] = {}
        for step in self.steps.values():
            for entry in step.data_catalog:
                if entry.stage == "put":
                    latest[entry.name] = (step.path, entry)
        return latest

    def header_dict(self) -> dict[str, Any]:
        """JSON-ready form without the steps (stores keep steps as separate records)."""
        return {
            "run_id": self.run_id,
            "tag": self.tag,
            "status": self.status.value,
            "start_time": self.start_time,
            "end_time": self.end_time,
            "message": self.message,
            "pipeline_file": self.pipeline_file,
            "initial_parameters": self.initial_parameters,
            "parameters": self.parameters,
            "code_identity": self.code_identity,
            "configuration": self.configuration,
            "pipeline": self.pipeline,
            "original_run_id": self.original_run_id,
            "parameters_from": self.parameters_from,
        }

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form, as `runs show --json` prints it."""
        out = self.header_dict()
        out["state"] = self.state
        out["steps"] = {path: step.to_dict() for path, step in self.steps.items()}
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any], steps: list[StepLog] | None = None) -> RunLog:
        """Inverse of `to_dict`; `steps` replaces the dict's own when the store keeps them apart."""
        try:
            if steps is None:
                steps = [StepLog.from_dict(s) for s in data.get("steps", {}).values()]
            return cls(
                run_id=data["run_id"],
                tag=data.get("tag"),
                status=Status(data["status"]),
                start_time=data["start_time"],
                end_time=data.get("end_time"),
                message=data.get("message", ""),
                pipeline_file=data.get("pipeline_file"),
                initial_parameters=data.get("initial_parameters", {}),
                parameters=data.get("parameters", {}),
                code_identity=data.get("code_identity", {}),
                configuration=data.get("configuration", {}),
                pipeline=data.get("pipeline", {}),
                original_run_id=data.get("original_run_id"),
                parameters_from=data.get("parameters_from", ""),
                steps={s.path: s for s in steps},
            )
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise RunLogError(f"malformed run record: {exc!r}") from exc


def state_of(status: Status, live: bool | None) -> str:
    """What a person is told a run's status is.

    A processing run is `running` while its owner holds the lease and `interrupted` once
    that owner is gone; otherwise (or when the store cannot tell) the status itself.
    """
    if status is not Status.PROCESSING or live is None:
        return status.value
    return "running" if live else "interrupted"


def order_steps(steps: list[StepLog]) -> list[StepLog]:
    """Steps in the order they started (records read back from a store come unordered)."""
    return sorted(steps, key=lambda s: s.start_time or "")
