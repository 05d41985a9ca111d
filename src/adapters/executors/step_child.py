"""The step server's child: becomes the `execute-step` process a fresh interpreter would be.

Forked by the step server (step_server.py) once per step; it never returns into the
server's loop.
"""

from __future__ import annotations

import atexit
import os
import signal
import sys
import threading
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import NoReturn

#: `execute-step ARGV -> exit status`, the function `runplane execute-step` runs.
StepCommand = Callable[[Sequence[str]], int]

#: Python exits with this status when flushing stdout at exit fails.
_FLUSH_FAILED = 120


@dataclass(frozen=True)
class StepRequest:
    """What the parent sent for one step: as `subprocess.run` would have started it."""

    argv: list[str]
    cwd: str
    env: dict[str, str]
    stdout_fd: int
    stderr_fd: int
    #: stdout is a pipe the parent echoes line by line: flush each line as printed.
    line_buffered: bool = False


def run_child(request: StepRequest, run_step: StepCommand) -> NoReturn:
    """Become the `execute-step` process a fresh interpreter would be, run it, exit."""
    status = 1
    try:
        _become_step_process(request)
        status = _run_like_an_interpreter(run_step, request.argv)
    except BaseException:  # noqa: BLE001  (set-up failed: say why, as an interpreter would)
        traceback.print_exc()
    finally:
        os._exit(status)  # never back into the server's loop, whatever happened


def _become_step_process(request: StepRequest) -> None:
    # Undo what the server changed, and take what the parent has now (as subprocess.run
    # would): Ctrl-C raises KeyboardInterrupt again; stdout is the parent's, stderr the pipe.
    # Not needed: `random` reseeds itself after fork (os.register_at_fork), tempfile's names
    # notice the new pid, and the server configured no logging. Still shared with the server:
    # str hashes (the server's PYTHONHASHSEED) and whatever runplane itself imported.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    for fd, target in ((request.stdout_fd, 1), (request.stderr_fd, 2)):
        os.dup2(fd, target)
        os.close(fd)
    reconfigure = getattr(sys.stdout, "reconfigure", None)
    if request.line_buffered and reconfigure is not None:
        # The server's stdout was buffered for the stdout it started with, not for a pipe.
        reconfigure(line_buffering=True)
    os.chdir(request.cwd)
    os.environ.clear()
    os.environ.update(request.env)
    sys.argv = [sys.argv[0], "execute-step", *request.argv]


def _run_like_an_interpreter(run_step: StepCommand, argv: Sequence[str]) -> int:
    """Run the command and shut down as `python -m runplane execute-step` would."""
    try:
        status = run_step(argv)
    except SystemExit as exc:
        status = _system_exit_status(exc)
    except KeyboardInterrupt:
        traceback.print_exc()
        _finalize(1)
        # An interpreter stopped by Ctrl-C ends by SIGINT, so its parent sees that.
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        os.kill(os.getpid(), signal.SIGINT)
        return 128 + signal.SIGINT  # not reached: the signal ends the process
    except BaseException:  # noqa: BLE001  (an interpreter prints what nothing caught)
        traceback.print_exc()
        status = 1
    return _finalize(status)


def _system_exit_status(exc: SystemExit) -> int:
    if exc.code is None:
        return 0
    if isinstance(exc.code, int):
        return exc.code
    sys.stderr.write(f"{exc.code}\n")
    return 1


def _finalize(status: int) -> int:
    # The interpreter's exit, in its order: join non-daemon threads the step started, run
    # atexit callbacks (span exporters flush there), flush stdio. os._exit then skips the
    # server's own teardown, which belongs to the server.
    shutdown_threads = getattr(threading, "_shutdown", None)
    if shutdown_threads is not None:
        shutdown_threads()
    atexit._run_exitfuncs()
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):
        return _FLUSH_FAILED
    return status
