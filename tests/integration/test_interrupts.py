"""SIGTERM or Ctrl-C through the CLI: exit 143 / 130, the running attempt failed with the
reason, the run failed, no process left behind, and `runplane retry` finishes it without
running the completed step again. For every executor that runs steps here."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.integration.conftest import RUNPLANE, Cli
from tests.integration.test_step_server import session_members

pytestmark = pytest.mark.integration


def wait_for(path: Path, process: subprocess.Popen[str], seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while not path.exists():
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline, f"{path} never appeared"
        time.sleep(0.05)


@contextlib.contextmanager
def _sigint_not_ignored() -> Iterator[None]:
    """What a shell gives a foreground job: pytest may itself run as a background job of a
    script, where SIGINT starts ignored, and children inherit an ignored signal (a handled
    one is reset to the default by exec)."""
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


EXECUTORS = {
    "local": "executor: {type: local}\n",
    "fork-server": "executor: {type: local-subprocess, config: {start: fork-server}}\n",
    "fresh": "executor: {type: local-subprocess, config: {start: fresh}}\n",
}


@pytest.mark.parametrize("executor", sorted(EXECUTORS))
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
@pytest.mark.usefixtures("pipelines")
def test_signal_closes_the_run_as_failed_and_retry_finishes_it(
    cli: Cli, workdir: Path, clean_env: dict[str, str], signum: signal.Signals, executor: str
) -> None:
    code = 128 + signum  # 143 for SIGTERM, 130 for SIGINT, as shells report them
    (workdir / "c.yaml").write_text(EXECUTORS[executor])
    with _sigint_not_ignored():
        process = subprocess.Popen(
            [RUNPLANE, "run", "pipelines/slow.py", "--run-id", "slow", "-c", "c.yaml"],
            cwd=workdir,
            env=clean_env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,
        )
    with process:
        try:
            wait_for(workdir / "waiting", process)
            if signum == signal.SIGINT:
                os.killpg(process.pid, signum)  # Ctrl-C: the terminal signals the whole group
            else:
                process.send_signal(signum)  # `kill PID`: the run's process alone
            _, stderr = process.communicate(timeout=60)
        except BaseException:  # a failure must not leave the run behind for later tests
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            raise
    assert session_members(process.pid) == []  # no step server or step process survives
    assert process.returncode == code, stderr
    assert "interrupted" in stderr
    assert "runplane retry" in stderr
    assert "Traceback" not in stderr

    log = cli("runs", "show", "slow", "--json").json()
    assert log["status"] == "fail"
    assert "interrupted" in log["message"]
    assert log["end_time"]
    assert log["steps"]["prepare"]["status"] == "success"
    waiting = log["steps"]["wait"]
    # Under local-subprocess, `kill PID` reaches the run's process only, which kills the
    # step's process before it could record anything (as subprocess.run does), then closes
    # the attempt it left open; Ctrl-C reaches both, and the step records itself.
    assert waiting["status"] == "fail"
    assert len(waiting["attempts"]) == 1
    attempt = waiting["attempts"][0]
    assert attempt["status"] == "fail"
    assert attempt["message"].startswith("interrupted")
    assert attempt["end_time"]
    assert "finish" not in log["steps"]

    (workdir / "go").touch()
    again = cli("retry", "slow", "--run-id", "slow-retry")
    assert again.code == 0, again.stderr
    final = cli("runs", "show", "slow-retry", "--json").json()
    assert final["status"] == "success"
    assert final["original_run_id"] == "slow"
    assert final["steps"]["prepare"]["reused_from"] == "slow"
    assert final["steps"]["wait"].get("reused_from") is None
    assert final["parameters"]["result"] == 42
