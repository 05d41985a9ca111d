"""Echoing step processes' stdout here, each line led by its step path while several run.

With `max_workers` > 1, branches' step processes run at once; writing straight to the
terminal, their lines would interleave with nothing to say whose they are. Then each step
process writes its stdout to a pipe, and one thread per running step reads it and writes
whole lines to this process's `sys.stdout`: plain while that step runs alone, as
`[step path] line` while more than one step process runs (as `app/capture.py` does for
steps in threads). `sys.stdout` is runplane's masking router, so the echo is masked here as
well as in the step's own process (which masks what it prints before it reaches the pipe).
The copy kept per attempt is written by the step's process and is not touched.

With `max_workers` = 1 steps never overlap: they keep writing straight to this process's
stdout (a terminal stays a terminal for them) and no thread is started.
"""

from __future__ import annotations

import codecs
import locale
import os
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_READ_SIZE = 65536
#: After an interruption, how long the echo may still drain what the step's process wrote.
_INTERRUPTED_JOIN_S = 1.0


class StepEchoes:
    """Counts the step processes running and echoes their stdout when they may overlap."""

    def __init__(self, piped: bool) -> None:
        self._piped = piped
        self._running = 0
        self._lock = threading.Lock()  # also keeps lines of two steps from mixing

    @contextmanager
    def stdout_of(self, step_path: str) -> Iterator[int | None]:
        """Within the block, `step_path`'s process runs; yields the stdout to give it.

        None: the process writes where this process's stdout goes. A file descriptor: the
        write end of a pipe this process echoes from; the block must end only after the
        step's process has (the pipe's end of file ends the echo).
        """
        with self._lock:
            self._running += 1
        try:
            if not self._piped:
                yield None
                return
            read_end, write_end = os.pipe()
            echo = threading.Thread(
                target=self._echo, args=(read_end, step_path), name=f"echo {step_path}"
            )
            echo.daemon = True  # a left-over grandchild holding the pipe must not hold the exit
            echo.start()
            try:
                yield write_end
            except BaseException:
                os.close(write_end)
                echo.join(_INTERRUPTED_JOIN_S)  # the step's process was killed; do not hang
                raise
            os.close(write_end)  # the step's process (and what it started) hold the rest
            echo.join()
        finally:
            with self._lock:
                self._running -= 1

    def led(self, step_path: str, text: str) -> str:
        """`text` with each line led by `[step_path] ` while other step processes run."""
        with self._lock:
            return self._lead(step_path, text)

    def _lead(self, step_path: str, text: str) -> str:
        if self._running < 2 or not text:  # noqa: PLR2004
            return text
        lines = text.removesuffix("\n").split("\n")
        return "".join(f"[{step_path}] {line}\n" for line in lines)

    def _echo(self, read_end: int, step_path: str) -> None:
        # The child encodes with the same locale; a stray byte must not stop the echo.
        decoder = codecs.getincrementaldecoder(locale.getpreferredencoding(False))("replace")
        pending = ""  # the end of a line not yet echoed
        with open(read_end, "rb", buffering=0) as pipe:
            while data := pipe.read(_READ_SIZE):
                head, newline, pending = (pending + decoder.decode(data)).rpartition("\n")
                if newline:
                    self._write(step_path, head + newline)
        rest = pending + decoder.decode(b"", final=True)
        if rest:
            self._write(step_path, rest + "\n")

    def _write(self, step_path: str, lines: str) -> None:
        with self._lock:
            try:
                sys.stdout.write(self._lead(step_path, lines))
                sys.stdout.flush()
            except (OSError, ValueError):  # stdout closed (a closed pipe): keep draining
                pass
