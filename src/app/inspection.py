"""Looking at recorded runs: listing with filters, the step tree, differences between runs."""

from __future__ import annotations

from runplane.app import masking
from runplane.domain.identifiers import check_run_id
from runplane.domain.run_diff import RunDiff, diff_runs
from runplane.domain.run_log import RunSummary
from runplane.domain.run_query import RunQuery, parse_status, since_instant
from runplane.domain.step_tree import RunTree, build_tree
from runplane.ports.run_log_store import RunLogStore
from runplane.ports.secrets import Secrets


def list_runs(
    store: RunLogStore,
    now: str,
    *,
    status: str | None = None,
    tag: str | None = None,
    since: str | None = None,
    limit: int | None = None,
) -> list[RunSummary]:
    """Run headers, newest first, filtered (see RunQuery); `since` is an age or an ISO date."""
    query = RunQuery(
        status=parse_status(status), tag=tag, since=since_instant(since, now), limit=limit
    )
    return query.select(store.list_runs())


def show(store: RunLogStore, run_id: str, secrets: Secrets) -> RunTree:
    """A run as a tree of steps, secrets masked. Raises RunLogNotFoundError."""
    run = store.get_run(check_run_id(run_id))
    # This process ran nothing: mask the secrets the run's steps declared, where found
    # (records are masked when written; this covers values that became secret later).
    masking.fetch_for_masking(secrets, masking.named_in(run.pipeline))
    return build_tree(masking.mask_run(run))


def diff(store: RunLogStore, before: str, after: str) -> RunDiff:
    """Parameters, metrics and catalog hashes that differ from run `before` to run `after`."""
    return diff_runs(store.get_run(check_run_id(before)), store.get_run(check_run_id(after)))
