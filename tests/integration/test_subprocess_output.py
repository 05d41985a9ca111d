"""Steps of `local-subprocess` running at once: each echoed line says whose it is.

Their processes write to pipes that the run's process echoes line by line, led by the
step path while more than one runs, and masked; the copy kept per attempt is as printed.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import runplane
from tests.integration.conftest import RUNPLANE

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(not sys.platform.startswith("linux"), reason="fork-server is Linux-only"),
]

SECRET = "tok-S3CR3T-91c2e7"


@pytest.mark.parametrize("start", ["fork-server", "fresh"])
@pytest.mark.usefixtures("pipelines")
def test_lines_of_steps_running_at_once_are_led_by_their_step_path_and_masked(
    workdir: Path, clean_env: dict[str, str], monkeypatch: pytest.MonkeyPatch, start: str
) -> None:
    (workdir / "c.yaml").write_text(
        f"executor: {{type: local-subprocess, config: {{start: {start}, max_workers: 2}}}}\n"
    )
    command = [RUNPLANE, "run", "pipelines/two_talkers.py", "--run-id", "r", "-c", "c.yaml"]
    env = {**clean_env, "team_token": SECRET}
    with subprocess.Popen(
        command, cwd=workdir, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    ) as run:
        assert run.stdout is not None  # stdout=PIPE
        seen: list[str] = []
        # While both steps still run (they wait for `go`), their lines must come through.
        while sum("line 3" in line for line in seen) < 2:
            line = run.stdout.readline()
            assert line, f"the run ended early: {seen}"
            seen.append(line)
        (workdir / "go").touch()
        rest, errors = run.communicate(timeout=120)
    assert run.returncode == 0, errors
    shown = "".join(seen) + rest
    monkeypatch.chdir(workdir)  # the run log store's folder is relative
    run_client = runplane.Run("r", configuration_file="c.yaml")

    for path, me in (("both.a.left", "left"), ("both.b.right", "right")):
        assert f"[{path}] {me} line 1\n" in shown
        assert f"[{path}] {me} says ***\n" in shown
        assert f"[{path}] {me} line 3, in two pieces\n" in shown  # printed in two writes
        assert f"{me} ends without a newline\n" in shown  # prefixed or not: the other may be done
        assert f"\n{me} line" not in shown  # nothing of theirs unprefixed while both ran
        kept = run_client.steps[path].attempts[-1].output
        assert kept == (
            f"{me} line 1\n{me} says ***\n{me} line 3, in two pieces\n"
            f"{me} warns\n{me} ends without a newline"
        )
    assert SECRET not in shown + errors
    # stderr is written when a step ends: the first to end still has the other running.
    assert "[both.a.left] left warns\n" in errors or "[both.b.right] right warns\n" in errors
