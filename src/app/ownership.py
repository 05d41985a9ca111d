"""Run ownership: the process driving a run (or retrying it) holds the run's lease.

Stores that keep leases (`ports.run_log_store.RunLeases`) refuse a second holder, so a
live run is never retried and of two retries of one run only one proceeds; their reads
tell a `running` run from an `interrupted` one. Stores without leases work as before.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from runplane.ports.run_log_store import RunLeases, RunLogStore


@contextmanager
def owning(store: RunLogStore, run_id: str) -> Iterator[None]:
    """Hold the run's lease for the block (RunInUseError if another process holds it)."""
    if not isinstance(store, RunLeases):
        yield
        return
    lease = store.hold(run_id)
    try:
        yield
    finally:
        lease.release()
