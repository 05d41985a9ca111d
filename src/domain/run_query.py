"""Choosing runs from a listing: by status, tag, age and count."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from runplane.domain.errors import ParameterError, RunLogNotFoundError
from runplane.domain.identifiers import LATEST
from runplane.domain.run_log import RunSummary, Status

_AGE = re.compile(r"^\s*(\d+)\s*([smhdw])\s*$")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


@dataclass(frozen=True)
class RunQuery:
    """Which runs to list; every criterion left as None matches all runs."""

    status: Status | None = None
    tag: str | None = None
    since: str | None = None  # ISO 8601 instant; runs started at or after it match
    limit: int | None = None

    def __post_init__(self) -> None:
        if self.limit is not None and self.limit < 1:
            raise ParameterError(f"limit must be at least 1, got {self.limit}")

    def matches(self, run: RunSummary) -> bool:
        """Whether one run passes the status, tag and age criteria."""
        if self.status is not None and run.status is not self.status:
            return False
        if self.tag is not None and run.tag != self.tag:
            return False
        return self.since is None or _instant(run.start_time) >= _instant(self.since)

    def select(self, runs: Iterable[RunSummary]) -> list[RunSummary]:
        """The matching runs, newest first, at most `limit` of them."""
        chosen = sorted(
            (r for r in runs if self.matches(r)), key=lambda r: r.start_time, reverse=True
        )
        return chosen if self.limit is None else chosen[: self.limit]


def parse_status(text: str | None) -> Status | None:
    """A status by name ('fail', 'success', 'processing'); errors list the valid names."""
    if text is None:
        return None
    try:
        return Status(text.lower())
    except ValueError:
        valid = ", ".join(s.value for s in Status)
        raise ParameterError(f"unknown status {text!r}; valid statuses: {valid}") from None


def since_instant(text: str | None, now: str) -> str | None:
    """The cutoff for `since`: an age such as '2d', '6h', '30m', '1w' before `now`, or a date.

    Args:
        text: '<number><s|m|h|d|w>', or an ISO 8601 date or instant; None for no cutoff.
        now: the current instant, ISO 8601 with a time zone (the caller's clock).
    """
    if text is None:
        return None
    age = _AGE.match(text)
    if age:
        delta = timedelta(**{_UNITS[age.group(2)]: int(age.group(1))})
        return (_instant(now) - delta).isoformat()
    try:
        return _instant(text).isoformat()
    except ValueError:
        raise ParameterError(
            f"since {text!r} is neither an age (such as 2d, 6h, 30m, 1w) "
            "nor an ISO date (such as 2026-01-31)"
        ) from None


def _instant(text: str) -> datetime:
    """Parse an ISO instant; a naive one is taken as UTC so all compare."""
    value = datetime.fromisoformat(text)
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value


def no_latest_run(where: str, *, tag: str | None, status: str | None) -> RunLogNotFoundError:
    """The error for `latest` when no recorded run (with this tag and status) exists."""
    criteria = [f"tag {tag!r}"] * (tag is not None) + [f"status {status!r}"] * (status is not None)
    error = RunLogNotFoundError(LATEST, where)
    matching = f" with {' and '.join(criteria)}" if criteria else ""
    error.args = (f"{error}: 'latest' names the newest run, and no run{matching} is recorded",)
    return error
