"""Capturing what a step prints, per thread, while still echoing it.

`sys.stdout` and `sys.stderr` are replaced (once, on first use) by routers that write to
the stream they replaced and, when the current context is capturing, also to its log.
The log lives in a context variable: threads of a `max_workers` run each capture only
their own step, and a helper thread started with `contextvars.copy_context().run` (as the
shell runner does for stderr) writes to the log of the step that started it.
Output written straight to file descriptor 1 or 2 (C extensions, child processes that
inherit them) is not seen; runplane's shell runner copies its child's output through
`sys.stdout`/`sys.stderr` so it is.

The echo is masked (`app/masking.py`): once a secret is registered, the router holds a
partial line until its newline (or a flush) and writes whole lines masked, so a secret
printed in pieces is still caught within a line. A multi-line secret is caught line by
line (each line of it is a form the masker knows). What a step prints is captured raw and
masked whole when it is kept (`attempts.py`).

While more than one step is capturing at once (branches in threads), each echoed line
starts with `[step path] `, so interleaved output says whose it is; the kept copy is as
printed. Each step's partial line waits for its newline, so lines are not mixed.
"""

from __future__ import annotations

import logging
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import IO, Any, TextIO

from runplane.app import masking

_log: ContextVar[IO[str] | None] = ContextVar("runplane_step_log", default=None)
_step: ContextVar[str | None] = ContextVar("runplane_step_path", default=None)
_install_lock = threading.Lock()
_running: dict[str, int] = {}  # step path -> captures open (a step may start helpers)
_running_lock = threading.Lock()


class _Router:
    """A text stream that echoes to `target` and copies into the thread's capture file."""

    def __init__(self, target: TextIO) -> None:
        self.target = target
        self._pending = ""  # the end of a line not yet echoed (only while masking)
        self._pending_of: dict[str, str] = {}  # per step, while several steps run
        self._lock = threading.Lock()

    def write(self, text: str) -> int:
        log = _log.get()
        if log is not None:
            log.write(text)
        step = _step.get()
        if step is not None and (len(_running) > 1 or step in self._pending_of):
            return self._write_prefixed(step, text)
        masker = masking.masker()
        if not masker and not self._pending:
            return self.target.write(text)
        with self._lock:
            head, newline, self._pending = (self._pending + text).rpartition("\n")
            if newline:
                self.target.write(masker.mask(head + newline))
        return len(text)

    def _write_prefixed(self, step: str, text: str) -> int:
        """Whole lines only, each masked and led by the step's path."""
        with self._lock:
            head, newline, rest = (self._pending_of.pop(step, "") + text).rpartition("\n")
            if rest:
                self._pending_of[step] = rest
            if newline:
                lines = masking.mask(head).split("\n")
                self.target.write("".join(f"[{step}] {line}\n" for line in lines))
        return len(text)

    def flush(self) -> None:
        with self._lock:
            if self._pending:
                self.target.write(masking.mask(self._pending))
                self._pending = ""
            step = _step.get()
            if step is not None and step in self._pending_of:
                self.target.write(f"[{step}] {masking.mask(self._pending_of.pop(step))}\n")
        self.target.flush()

    def __getattr__(self, name: str) -> Any:
        return getattr(self.target, name)


def install() -> None:
    """Route `sys.stdout` and `sys.stderr` through masking routers (once per process).

    Logging handlers made before (`logging.basicConfig()` in a script that then calls
    `pipeline.execute()`) hold the stream the router replaced: they are pointed at the
    router, so what they log is captured per step and masked as prints are, as it is for
    handlers made later (on the command line, routers come before the pipeline's code).
    """
    if isinstance(sys.stdout, _Router) and isinstance(sys.stderr, _Router):
        return  # installed: every step's capture checks, most find nothing to do
    with _install_lock:
        made: dict[int, _Router] = {}  # by the stream each replaces
        if not isinstance(sys.stdout, _Router):
            sys.stdout = made.setdefault(id(sys.stdout), _Router(sys.stdout))
        if not isinstance(sys.stderr, _Router):
            sys.stderr = made.setdefault(id(sys.stderr), _Router(sys.stderr))
        if made:  # handlers made later get the router: only earlier ones need pointing
            _route_logging(made)


def _route_logging(routers: dict[int, _Router]) -> None:
    """Point every stream handler that writes to a routed stream at its router instead."""
    # A copy: another thread may create a logger meanwhile.
    loggers = [logging.getLogger(), *list(logging.Logger.manager.loggerDict.values())]
    for logger in loggers:
        for handler in getattr(logger, "handlers", ()):  # placeholders have none
            if isinstance(handler, logging.StreamHandler):
                router = routers.get(id(handler.stream))
                if router is not None:
                    handler.setStream(router)


@contextmanager
def captured(log: IO[str], step: str | None = None) -> Iterator[None]:
    """Within the block, what this context prints is also written to `log`.

    `step`: the path of the step printing, shown before its lines while others run too.
    """
    install()
    token, step_token = _log.set(log), _step.set(step)
    if step is not None:
        with _running_lock:
            _running[step] = _running.get(step, 0) + 1
    try:
        yield
    finally:
        if step is not None:
            for stream in (sys.stdout, sys.stderr):
                if isinstance(stream, _Router) and step in stream._pending_of:
                    stream.flush()  # its last partial line, still prefixed
            with _running_lock:
                _running[step] -= 1
                if not _running[step]:
                    del _running[step]
        log.flush()
        _step.reset(step_token)
        _log.reset(token)
