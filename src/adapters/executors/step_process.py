"""What both ways of starting a step's process share: the command, its stdio, how it ended.

`local-subprocess` starts `python -m runplane execute-step` per step, either as a fresh
interpreter or forked from a step server (step_server.py); either way the process must be
started and read alike, so a step cannot tell the two apart.
"""

from __future__ import annotations

import io
import locale
import signal
import sys
from collections.abc import Sequence
from dataclasses import dataclass


def runplane_command(python: str, *arguments: str) -> list[str]:
    """`python -P -m runplane ARGUMENTS`.

    -P (Python 3.11+) keeps the working directory off `sys.path`: a user's `types.py` or
    `json.py` there must not replace the standard library or runplane's own imports. The
    pipeline's folder is still put on the path when the pipeline is loaded, as for `run`.
    """
    return [python, "-P", "-m", "runplane", *arguments]


def stdout_fd() -> int:
    """Where a step's process should write its stdout: where this process's `sys.stdout` goes.

    `runplane run --quiet` points sys.stdout at /dev/null and `--json` at stderr; a child
    given file descriptor 1 instead would print past both.
    """
    try:
        return sys.stdout.fileno()
    except (AttributeError, OSError, ValueError, io.UnsupportedOperation):
        return 1


@dataclass(frozen=True)
class StepOutcome:
    """How one `execute-step` process ended: its exit status and everything it wrote to stderr."""

    returncode: int
    stderr: str


def stderr_text(data: bytes) -> str:
    """Decode a child's stderr as `subprocess.run(..., text=True)` does."""
    text = data.decode(locale.getpreferredencoding(False))
    return text.replace("\r\n", "\n").replace("\r", "\n")


def unrecorded_end(outcome: StepOutcome) -> str:
    """Why a step's process ended without recording its step, in one line.

    A negative status is a signal (as subprocess reports it): SIGKILL is what the OOM
    killer sends. The last lines of the process's stderr say what it was doing.
    """
    code = outcome.returncode
    if code < 0:
        try:
            name = signal.Signals(-code).name
        except ValueError:
            name = "an unknown signal"
        how = f"was killed by {name} (signal {-code})"
    else:
        how = f"exited with status {code}"
    tail: Sequence[str] = outcome.stderr.strip().splitlines()[-3:]
    said = f": {' / '.join(tail)}" if tail else ""
    return f"the step's process (`runplane execute-step`) {how} without recording the step{said}"
