"""Capturing what a step prints, per thread, while still echoing it.

`sys.stdout` and `sys.stderr` are replaced (once, on first use) by routers that write to
the stream they replaced and, when the current context is capturing, also to its log.
The log lives in a context variable: threads of a `max_workers` run each capture only
their own step, and a helper thread started with `contextvars.copy_context().run` (as the
shell runner does for stderr) writes to the log of the step that started it.
Output written straight to file descriptor 1 or 2 (C extensions, child processes that
inherit them) is not seen; runplane's shell runner copies its child's output through
`sys.stdout`/`sys.stderr` so it is.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import IO, Any, TextIO

_log: ContextVar[IO[str] | None] = ContextVar("runplane_step_log", default=None)
_install_lock = threading.Lock()


class _Router:
    """A text stream that echoes to `target` and copies into the thread's capture file."""

    def __init__(self, target: TextIO) -> None:
        self.target = target

    def write(self, text: str) -> int:
        log = _log.get()
        if log is not None:
            log.write(text)
        return self.target.write(text)

    def flush(self) -> None:
        self.target.flush()

    def __getattr__(self, name: str) -> Any:
        return getattr(self.target, name)


def _install() -> None:
    with _install_lock:
        if not isinstance(sys.stdout, _Router):
            sys.stdout = _Router(sys.stdout)
        if not isinstance(sys.stderr, _Router):
            sys.stderr = _Router(sys.stderr)


@contextmanager
def captured(log: IO[str]) -> Iterator[None]:
    """Within the block, what this context prints is also written to `log`."""
    _install()
    token = _log.set(log)
    try:
        yield
    finally:
        log.flush()
        _log.reset(token)
