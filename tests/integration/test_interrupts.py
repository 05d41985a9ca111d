"""SIGTERM through the CLI: exit 143, the running attempt failed with the reason, the run
failed, and `runplane retry` finishes it without running the completed step again."""

from __future__ import annotations

import signal
import subprocess
import time
from pathlib import Path

import pytest

from tests.integration.conftest import RUNPLANE, Cli

pytestmark = pytest.mark.integration


def wait_for(path: Path, process: subprocess.Popen[str], seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while not path.exists():
        assert process.poll() is None, process.communicate()
        assert time.monotonic() < deadline, f"{path} never appeared"
        time.sleep(0.05)


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
@pytest.mark.usefixtures("pipelines")
def test_signal_closes_the_run_as_failed_and_retry_finishes_it(
    cli: Cli, workdir: Path, clean_env: dict[str, str], signum: signal.Signals
) -> None:
    code = 128 + signum  # 143 for SIGTERM, 130 for SIGINT, as shells report them
    process = subprocess.Popen(
        [RUNPLANE, "run", "pipelines/slow.py", "--run-id", "slow"],
        cwd=workdir,
        env=clean_env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    wait_for(workdir / "waiting", process)
    process.send_signal(signum)
    _, stderr = process.communicate(timeout=30)
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
