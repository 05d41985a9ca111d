"""The step server: forks each step's process from an interpreter that imported runplane once.

`local-subprocess` would otherwise pay ~250 ms of imports (pydantic, yaml, the adapters)
per step in a fresh interpreter.

Both ends live here (the forked child's part is step_child.py). `serve` runs in the helper,
started as `python -P -m runplane step-server` (runplane/console.py wires it to the very
`execute-step` function the command runs); `StepServers` runs in the executor's process.
The two talk over a Unix socketpair, one step at a time:

- parent -> server: a request (8-byte length, then JSON `{argv, cwd, env, line_buffered}`)
  carrying two file descriptors: the step's stdout (the parent's, or a pipe it echoes
  from, see step_echo.py) and the write end of a pipe for the step's stderr;
- server -> parent: the child's pid, then its exit status (signed: -N when signal N ended
  it, as `subprocess` reports it);
- parent -> server, while a child runs: one byte asks the server to kill it (the parent was
  interrupted); end of file means the parent is gone: the child finishes its step, as a
  fresh process would, and the server exits.

The server stays single-threaded (forking a threaded process is unsafe) and imports no
user code: each child imports the pipeline file itself, as a new interpreter would.
"""

from __future__ import annotations

import argparse
import json
import os
import select
import signal
import socket
import struct
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Sequence
from contextlib import suppress
from types import TracebackType
from typing import Any, NoReturn

from runplane.adapters.executors.step_child import StepCommand, StepRequest, run_child
from runplane.adapters.executors.step_process import (
    StepOutcome,
    runplane_command,
    stderr_text,
    stdout_fd,
)
from runplane.domain.errors import ExecutionError

_INT = struct.Struct("!q")
_KILL = b"k"
#: On Ctrl-C the step's process got the signal too (the terminal signals the whole group):
#: it has this long to record the interrupted attempt before it is killed. Recording takes
#: milliseconds; the margin is for a loaded machine.
CTRL_C_GRACE_S = 1.0
_STOP_TIMEOUT_S = 5.0


def fork_server_supported() -> bool:
    """Forking without exec is safe on Linux (not macOS); the server waits with pidfds."""
    return sys.platform.startswith("linux") and hasattr(os, "fork") and hasattr(os, "pidfd_open")


# -- the executor's side -----------------------------------------------------------------


class StepServers:
    """Step servers for one run: started when a step needs one, stopped by `close`.

    Each serves one step at a time, so there are as many as steps run at once (`max_workers`
    branches; nested parallel steps may add more). Use as a context manager.
    """

    def __init__(self, python: str, configuration_file: str | None) -> None:
        self._python = python
        self._configuration_file = configuration_file
        self._idle: list[StepServer] = []
        self._started: list[StepServer] = []
        self._lock = threading.Lock()

    def run(self, argv: Sequence[str], stdout: int | None = None) -> StepOutcome:
        """Run `execute-step ARGV` in a process forked by an idle server (see `StepServer.run`)."""
        server = self._take()
        try:
            outcome = server.run(argv, stdout)
        except BaseException:
            server.close()  # its state is unknown: never hand it another step
            raise
        with self._lock:
            self._idle.append(server)
        return outcome

    def close(self) -> None:
        """Stop every server (an idle one exits at once); no helper outlives the run."""
        with self._lock:
            servers, self._started, self._idle = self._started, [], []
        for server in servers:
            server.hang_up()  # all of them first, so they exit side by side
        for server in servers:
            server.close()

    def __enter__(self) -> StepServers:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.close()

    def _take(self) -> StepServer:
        with self._lock:
            if self._idle:
                return self._idle.pop()
        server = StepServer(self._python, self._configuration_file)
        with self._lock:
            self._started.append(server)
        return server


class StepServer:
    """One helper process and the parent's end of its socket."""

    def __init__(self, python: str, configuration_file: str | None) -> None:
        self._channel, theirs = socket.socketpair()
        command = runplane_command(python, "step-server", "--socket-fd", str(theirs.fileno()))
        if configuration_file:
            command += ["--config", configuration_file]
        with theirs:
            # Same interpreter, working directory, environment and stdio as the parent.
            self._process = subprocess.Popen(command, pass_fds=[theirs.fileno()])
        self._unanswered = 0  # replies (pid, status) still due for the current step

    def run(self, argv: Sequence[str], stdout: int | None = None) -> StepOutcome:
        """Run one step; on an interruption the child is killed before this re-raises.

        `stdout`: where the child writes its stdout, line-buffered (a pipe echoed line by
        line); None: where this process's stdout goes, buffered as the server's own.
        """
        read_end, write_end = os.pipe()
        with open(read_end, "rb") as stderr:
            try:
                self._send(argv, write_end, stdout)
            finally:
                os.close(write_end)  # the child's copy is the only writer left
            try:
                self._reply()  # the child's pid: it is running
                output = stderr.read()
                status = self._reply()
            except BaseException as exc:
                self._stop_child(CTRL_C_GRACE_S if isinstance(exc, KeyboardInterrupt) else 0)
                raise
        return StepOutcome(status, stderr_text(output))

    def hang_up(self) -> None:
        """End of file on the server's socket: it exits (after killing a running child)."""
        if self._channel.fileno() < 0:
            return
        if self._unanswered:  # hung up under a running step: that step must not survive
            with suppress(OSError):
                self._channel.sendall(_KILL)
        with suppress(OSError):
            self._channel.shutdown(socket.SHUT_RDWR)  # wakes a thread blocked on it, if any
        self._channel.close()

    def close(self) -> None:
        """Stop the helper: hang up, then wait for it (killing it if it hangs)."""
        self.hang_up()
        try:
            self._process.wait(timeout=_STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()

    def _send(self, argv: Sequence[str], stderr_fd: int, stdout: int | None) -> None:
        # subprocess.run would give the child the parent's current directory, environment
        # and stdout, so the request carries them rather than the server's.
        fields = {
            "argv": list(argv),
            "cwd": os.getcwd(),
            "env": dict(os.environ),
            "line_buffered": stdout is not None,
        }
        # ASCII: lone surrogates are escaped, not encoded.
        body = json.dumps(fields, allow_nan=False).encode()
        message = _INT.pack(len(body)) + body
        try:
            sent = socket.send_fds(
                self._channel, [message], [stdout_fd() if stdout is None else stdout, stderr_fd]
            )
            if sent < len(message):
                self._channel.sendall(message[sent:])
        except OSError as exc:
            raise self._gone() from exc
        self._unanswered = 2

    def _reply(self) -> int:
        data = _receive_exactly(self._channel, _INT.size)
        if data is None:
            raise self._gone()
        self._unanswered -= 1
        value: int = _INT.unpack(data)[0]
        return value

    def _stop_child(self, grace_s: float) -> None:
        """After an interruption: let the child end within `grace_s`, else have it killed."""
        deadline = time.monotonic() + grace_s
        with suppress(OSError, ExecutionError):
            while self._unanswered:
                remaining = deadline - time.monotonic()
                if remaining <= 0 or not select.select([self._channel], [], [], remaining)[0]:
                    break
                self._reply()
            if self._unanswered:
                # The server kills it: it has not reaped the child, so the pid is still its.
                self._channel.sendall(_KILL)
                while self._unanswered:
                    self._reply()

    def _gone(self) -> ExecutionError:
        with suppress(subprocess.TimeoutExpired):
            self._process.wait(timeout=_STOP_TIMEOUT_S)
        return ExecutionError(
            "the step server (`python -m runplane step-server`) exited unexpectedly with "
            f"status {self._process.returncode}; its error output is above. Set the "
            "executor's `start: fresh` to start a new interpreter per step instead"
        )


def _receive_exactly(channel: socket.socket, size: int) -> bytes | None:
    """`size` bytes from a stream socket, or None at end of file."""
    data = b""
    while len(data) < size:
        chunk = channel.recv(size - len(data))
        if not chunk:
            return None
        data += chunk
    return data


# -- the server's side ---------------------------------------------------------------------


def serve(
    argv: Sequence[str], run_step: StepCommand, preload: Callable[[str | None], None]
) -> NoReturn:
    """The server's loop: `runplane step-server --socket-fd N [--config FILE]`; exits at EOF.

    `preload(config_file)` imports what a step will need without building anything;
    `run_step` is what `runplane execute-step` runs, called in each forked child.
    """
    parser = argparse.ArgumentParser(prog="runplane step-server")
    parser.add_argument("--socket-fd", type=int, required=True)
    parser.add_argument("--config", default=None)
    args = parser.parse_args(list(argv))
    # Ctrl-C reaches the whole process group: the child records the interruption and exits
    # 1, which the executor reads; the server must live on to report that status.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    with suppress(Exception):  # a bad configuration is reported by the step, in its words
        preload(args.config)
    channel = socket.socket(fileno=args.socket_fd)
    while (request := _next_request(channel)) is not None:
        if not _serve_one(channel, request, run_step):
            break
    # The server holds nothing to flush or release: skip the interpreter's teardown (tens
    # of ms of module cleanup), which the run would otherwise wait for at its end.
    os._exit(0)


def _next_request(channel: socket.socket) -> StepRequest | None:
    """The next request, or None at end of file (the parent finished or died)."""
    try:
        header, fds, _, _ = socket.recv_fds(channel, _INT.size, 2)
        if 0 < len(header) < _INT.size:
            header += _receive_exactly(channel, _INT.size - len(header)) or b""
        body = (
            _receive_exactly(channel, _INT.unpack(header)[0]) if len(header) == _INT.size else None
        )
    except OSError:
        return None
    if body is None or len(fds) != 2:  # noqa: PLR2004
        for fd in fds:
            os.close(fd)
        return None
    fields: dict[str, Any] = json.loads(body)
    return StepRequest(
        fields["argv"], fields["cwd"], fields["env"], fds[0], fds[1], fields["line_buffered"]
    )


def _serve_one(channel: socket.socket, request: StepRequest, run_step: StepCommand) -> bool:
    """Fork the step's process, report its pid and status; False once the parent is gone."""
    for stream in (sys.stdout, sys.stderr):  # nothing buffered here may be written twice
        if stream is not None:
            stream.flush()
    try:
        pid = os.fork()
        if pid == 0:
            channel.close()
            run_child(request, run_step)
    finally:
        # The server's copies: the child holds the stderr pipe's only write end now.
        os.close(request.stdout_fd)
        os.close(request.stderr_fd)
    with suppress(OSError):
        channel.sendall(_INT.pack(pid))
    status, parent_alive = _wait_for(pid, channel)
    with suppress(OSError):
        channel.sendall(_INT.pack(status))
    return parent_alive


def _wait_for(pid: int, channel: socket.socket) -> tuple[int, bool]:
    """The child's exit status (as subprocess reports it), and whether the parent is alive."""
    child = os.pidfd_open(pid)
    parent_alive = True
    try:
        while True:
            watched = [child, channel.fileno()] if parent_alive else [child]
            if child in select.select(watched, [], [])[0]:
                break
            try:
                asked = channel.recv(1)
            except OSError:
                asked = b""
            if asked:
                os.kill(pid, signal.SIGKILL)  # not reaped yet, so the pid is still the child's
            else:
                parent_alive = False  # let the step finish and record itself, then exit
    finally:
        os.close(child)
    _, wait_status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(wait_status), parent_alive
