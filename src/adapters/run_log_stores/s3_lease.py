"""Run ownership on S3: a heartbeat in the run header, renewed while the owner lives.

S3 has no locks that die with a process, so the holder writes `lease: {holder, heartbeat,
seconds}` into the header and renews the heartbeat every third of `lease_seconds`. A run
whose heartbeat is older than that is no longer driven (`interrupted`). Taking the lease
is a conditional PUT (`If-Match` on the header's ETag): of two processes taking it at
once, one finds the header changed and is refused. Clocks of the machines involved must
agree to well within `lease_seconds`.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from secrets import token_hex
from typing import Any

from runplane.domain.errors import RunInUseError

logger = logging.getLogger(__name__)

LEASE = "lease"  # the header key


def now() -> datetime:
    """The time heartbeats are written and judged by (UTC)."""
    return datetime.now(UTC)


def is_live(header: dict[str, Any], at: datetime | None = None) -> bool | None:
    """Whether the header's lease is renewed recently enough; None if it has none."""
    lease = header.get(LEASE)
    if not isinstance(lease, dict):
        return None
    try:
        beat = datetime.fromisoformat(str(lease["heartbeat"]))
        seconds = float(lease["seconds"])
    except (KeyError, ValueError, TypeError):
        return None
    return (at or now()) - beat < timedelta(seconds=seconds)


def check_free(run_id: str, header: dict[str, Any], where: str) -> None:
    """Raise RunInUseError when another holder's lease on the run is still live."""
    if is_live(header):
        holder = header[LEASE].get("holder", "another process")
        raise RunInUseError(
            f"run '{run_id}' is in use: {holder} holds its lease ({where}, heartbeat "
            f"{header[LEASE].get('heartbeat')}), running or retrying it; wait for that to "
            "end (or stop it, then wait for the lease to expire) and try again"
        )


class HeartbeatLease:
    """A held S3 lease: renews the heartbeat in a thread until released."""

    def __init__(
        self,
        header: dict[str, Any],
        seconds: float,
        write: Callable[[dict[str, Any]], None],
        holder: str,
    ) -> None:
        self.token = token_hex(8)
        self._seconds = seconds
        self._write = write
        self._holder = holder
        self._header = dict(header)
        self._lock = threading.RLock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._renew, name="runplane-lease", daemon=True)

    def stamped(self) -> dict[str, Any]:
        """The header last written, with a fresh heartbeat (to take the lease with)."""
        with self._lock:
            return self._stamp(None)

    def start(self) -> None:
        self._thread.start()

    def write(self, header: dict[str, Any]) -> None:
        """Write a new header (an update by the owner) with the lease, never racing a renewal.

        Stamping and writing happen under one lock: a renewal can never write an older
        header over the owner's newer one (a final status, say).
        """
        with self._lock:
            self._write(self._stamp(header))

    def _stamp(self, header: dict[str, Any] | None) -> dict[str, Any]:
        if header is not None:
            self._header = dict(header)
        self._header[LEASE] = {
            "holder": self._holder,
            "token": self.token,
            "heartbeat": now().isoformat(timespec="microseconds"),
            "seconds": self._seconds,
        }
        return dict(self._header)

    def release(self) -> None:
        """Stop renewing and mark the lease ended (expired at once): the run is not driven now.

        Kept rather than removed, so a run left processing reads `interrupted`, not unknown.
        """
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()
        with self._lock:
            ended = self._stamp(None)
            ended[LEASE]["seconds"] = 0
            try:
                self._write(ended)
            except Exception:  # noqa: BLE001  (then the lease just expires by itself)
                logger.warning("could not end the lease of a run; it expires by itself")

    def _renew(self) -> None:
        while not self._stop.wait(self._seconds / 3):
            with self._lock:
                if self._stop.is_set():
                    return
                try:
                    self._write(self._stamp(None))
                except Exception:
                    logger.warning("could not renew a run's lease heartbeat", exc_info=True)
