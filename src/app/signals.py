"""SIGTERM is handled like Ctrl-C while a run executes, so the run is closed, not abandoned."""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

from runplane.domain.errors import Interrupted


def _raise_interrupted(signum: int, frame: FrameType | None) -> None:
    raise Interrupted(f"received signal {signal.Signals(signum).name}")


@contextmanager
def interrupts_as_exceptions() -> Iterator[None]:
    """Within the block, SIGTERM raises Interrupted (SIGINT already raises KeyboardInterrupt).

    Only the main thread can install handlers; elsewhere this does nothing. The previous
    handler is restored afterwards.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGTERM, _raise_interrupted)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
