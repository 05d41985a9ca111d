"""Runs a shell command with parameters as environment variables.

Contract with the command:
- the attempt's variables (its secrets, `RUNPLANE_ATTEMPT`) are in its environment;
- every parameter is exported as `RUNPLANE_PRM_<name>` (strings as-is, others as JSON);
- to return values, write lines `name=value` to the file named by `$RUNPLANE_RETURNS`
  (a value is JSON-parsed when it parses, else kept as a string);
- a non-zero exit status fails the step.
"""

from __future__ import annotations

import contextvars
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import IO, Any, TextIO

from runplane.domain.errors import ExecutionError
from runplane.domain.graph import TaskSpec
from runplane.domain.parameters import ENV_PREFIX, split_returns
from runplane.ports.task import TaskResult

RETURNS_VARIABLE = "RUNPLANE_RETURNS"


class ShellTaskRunner:
    """Runs the command with bash (or sh where bash is missing) in a child process."""

    def run(
        self,
        step_path: str,
        task: TaskSpec,
        parameters: Mapping[str, Any],
        env: Mapping[str, str],
    ) -> TaskResult:
        shell = shutil.which("bash") or "/bin/sh"
        with tempfile.TemporaryDirectory(prefix="runplane-") as scratch:
            returns_file = Path(scratch) / "returns"
            returns_file.touch()
            # The command inherits this process's environment, as any command would, plus
            # the attempt's variables and its parameters.
            environment = {**os.environ, **env}
            environment.update({ENV_PREFIX + k: _as_env(v) for k, v in parameters.items()})
            environment[RETURNS_VARIABLE] = str(returns_file)
            code = _run(step_path, [shell, "-c", task.command], environment)
            if code != 0:
                raise ExecutionError(f"step {step_path!r}: command exited with status {code}")
            written = _read_returns(step_path, returns_file.read_text())
        missing = [r.name for r in task.returns if r.name not in written]
        if missing:
            raise ExecutionError(
                f"step {step_path!r}: the command did not write {', '.join(missing)} to "
                f"${RETURNS_VARIABLE} (write lines name=value to that file)"
            )
        values = [written[r.name] for r in task.returns]
        returned, metrics = split_returns(
            step_path, task.returns, values[0] if len(values) == 1 else tuple(values)
        )
        return TaskResult(returns=returned, metrics=metrics, parameters_used=dict(parameters))


def _run(step_path: str, command: list[str], env: dict[str, str]) -> int:
    """Run the command, copying its output through sys.stdout / sys.stderr as it comes.

    Going through the Python streams (not the inherited descriptors) lets the caller
    capture a step's output while it is still shown live.
    """
    try:
        child = subprocess.Popen(
            command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, bufsize=0
        )
    except OSError as exc:
        raise ExecutionError(f"step {step_path!r}: cannot start {command[0]}: {exc}") from exc
    with child:  # closes the pipes and waits for the child
        return _relay(child)


def _relay(child: subprocess.Popen[bytes]) -> int:
    if child.stdout is None or child.stderr is None:  # pragma: no cover  (both piped above)
        raise ExecutionError("the command's output pipes were not opened")
    # The copy runs in the caller's context, so whatever captures the caller's output
    # (runplane's per-step log) captures the child's stderr too.
    context = contextvars.copy_context()
    errors = threading.Thread(
        target=context.run, args=(_copy, child.stderr, sys.stderr), daemon=True
    )
    errors.start()
    _copy(child.stdout, sys.stdout)
    errors.join()
    return child.wait()


def _copy(source: IO[bytes], target: TextIO) -> None:
    for line in iter(source.readline, b""):
        target.write(line.decode(errors="replace"))
    target.flush()


def _as_env(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, allow_nan=False)


def _read_returns(step_path: str, text: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        name, sep, raw = line.partition("=")
        if not sep or not name.strip().isidentifier():
            raise ExecutionError(
                f"step {step_path!r}: line {number} of ${RETURNS_VARIABLE} is {line!r}; "
                "expected name=value"
            )
        try:
            out[name.strip()] = json.loads(raw)
        except ValueError:
            out[name.strip()] = raw
    return out
