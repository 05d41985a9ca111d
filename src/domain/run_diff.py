"""What differs between two runs: parameters, metrics and catalog file hashes."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from runplane.domain.run_log import RunLog


class _Missing:
    """The type of MISSING."""

    def __repr__(self) -> str:
        return "<missing>"


#: Stands for "absent in this run" in a Change.
MISSING: Any = _Missing()


@dataclass(frozen=True)
class Change:
    """One key whose value differs; MISSING on the side that lacks it."""

    key: str
    before: Any
    after: Any

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form; a missing side is null with its `*_missing` flag set."""
        return {
            "key": self.key,
            "before": None if self.before is MISSING else self.before,
            "after": None if self.after is MISSING else self.after,
            "before_missing": self.before is MISSING,
            "after_missing": self.after is MISSING,
        }


@dataclass(frozen=True)
class RunDiff:
    """The differences from run `before` to run `after`, each list sorted by key."""

    before: str
    after: str
    parameters: list[Change] = field(default_factory=list)
    metrics: list[Change] = field(default_factory=list)
    catalog: list[Change] = field(default_factory=list)

    @property
    def same(self) -> bool:
        """Whether nothing compared differs."""
        return not (self.parameters or self.metrics or self.catalog)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form, as `runs diff --json` prints it."""
        return {
            "before": self.before,
            "after": self.after,
            "parameters": [c.to_dict() for c in self.parameters],
            "metrics": [c.to_dict() for c in self.metrics],
            "catalog": [c.to_dict() for c in self.catalog],
        }


def diff_runs(before: RunLog, after: RunLog) -> RunDiff:
    """Compare final parameters, step metrics (`step:metric`) and catalog hashes (`step:file`)."""
    return RunDiff(
        before=before.run_id,
        after=after.run_id,
        parameters=_changes(before.parameters, after.parameters),
        metrics=_changes(_metrics(before), _metrics(after)),
        catalog=_changes(_hashes(before), _hashes(after)),
    )


def _metrics(run: RunLog) -> dict[str, Any]:
    return {f"{s.path}:{name}": v for s in run.steps.values() for name, v in s.metrics.items()}


def _hashes(run: RunLog) -> dict[str, str]:
    """sha256 of every file a step put into the catalog (gets only repeat those)."""
    return {
        f"{s.path}:{e.name}": e.sha256
        for s in run.steps.values()
        for e in s.data_catalog
        if e.stage == "put"
    }


def _changes(before: dict[str, Any], after: dict[str, Any]) -> list[Change]:
    keys = sorted(set(before) | set(after))
    return [
        Change(key, before.get(key, MISSING), after.get(key, MISSING))
        for key in keys
        if before.get(key, MISSING) != after.get(key, MISSING)
    ]
