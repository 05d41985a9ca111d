"""Runs a shell command with parameters as environment variables.

Contract with the command:
- every parameter is exported as `RUNPLANE_PRM_<name>` (strings as-is, others as JSON);
- to return values, write lines `name=value` to the file named by `$RUNPLANE_RETURNS`
  (a value is JSON-parsed when it parses, else kept as a string);
- a non-zero exit status fails the step.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from runplane.domain.errors import ExecutionError
from runplane.domain.graph import TaskSpec
from runplane.domain.parameters import ENV_PREFIX, split_returns
from runplane.ports.task import TaskResult

RETURNS_VARIABLE = "RUNPLANE_RETURNS"


class ShellTaskRunner:
    """Runs the command with bash (or sh where bash is missing) in a child process."""

    def run(self, step_path: str, task: TaskSpec, parameters: Mapping[str, Any]) -> TaskResult:
        shell = shutil.which("bash") or "/bin/sh"
        with tempfile.TemporaryDirectory(prefix="runplane-") as scratch:
            returns_file = Path(scratch) / "returns"
            returns_file.touch()
            env = dict(os.environ)
            env.update({ENV_PREFIX + k: _as_env(v) for k, v in parameters.items()})
            env[RETURNS_VARIABLE] = str(returns_file)
            try:
                completed = subprocess.run([shell, "-c", task.command], env=env, check=False)
            except OSError as exc:
                raise ExecutionError(f"step {step_path!r}: cannot start {shell}: {exc}") from exc
            if completed.returncode != 0:
                raise ExecutionError(
                    f"step {step_path!r}: command exited with status {completed.returncode}"
                )
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


def _as_env(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value)


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
