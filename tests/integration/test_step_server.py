"""`local-subprocess` starts each step's process in one of two ways: forked from a step server
(`start: fork-server`) or as a fresh interpreter (`start: fresh`). A step and the run log
must not be able to tell them apart."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.integration.conftest import RUNPLANE, Cli

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(not sys.platform.startswith("linux"), reason="fork-server is Linux-only"),
]

MODES = ["fork-server", "fresh"]


def config(workdir: Path, start: str) -> str:
    """A configuration file running local-subprocess with `start`; its name, relative."""
    name = f"{start}.yaml"
    (workdir / name).write_text(
        f"executor: {{type: local-subprocess, config: {{start: {start}}}}}\n"
    )
    return name


def session_members(session: int) -> list[int]:
    """Live processes (not zombies) of a session, from /proc."""
    members = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue  # ended while we looked
        state, session_id = fields[0], int(fields[3])
        if session_id == session and state != "Z":
            members.append(int(stat.parent.name))
    return members


def parent_of(pid: int) -> int:
    return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])


def wait_until_gone(session: int, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while survivors := session_members(session):
        assert time.monotonic() < deadline, f"still running: {survivors}"
        time.sleep(0.05)


@pytest.mark.parametrize("start", MODES)
@pytest.mark.usefixtures("pipelines")
def test_each_step_has_a_process_of_its_own_that_imports_the_pipeline_itself(
    cli: Cli, workdir: Path, start: str
) -> None:
    result = cli("run", "pipelines/processes.py", "--run-id", "p", "-c", config(workdir, start))
    assert result.code == 0, result.stderr

    steps = cli("runs", "show", "p", "--json").json()["steps"]
    reports = [steps[name]["returns"] for name in ("one", "two", "three")]
    pids = [report["pid"] for report in reports]
    assert len(set(pids)) == 3
    assert [report["seen"] for report in reports] == [1, 1, 1]  # no step saw another's global
    assert len({report["random"] for report in reports}) == 3  # nor its random state
    # The run's process imported the file once, then each step's process once: the step
    # server never did (else its children would have inherited the module, not imported it).
    imports = [int(pid) for pid in (workdir / "imports.log").read_text().split()]
    assert imports[1:] == pids
    assert imports[0] not in pids


@pytest.mark.parametrize("how", ["kill", "exit"])
@pytest.mark.usefixtures("pipelines")
def test_a_step_process_that_dies_fails_its_step_alike_in_both_modes(
    cli: Cli, workdir: Path, how: str
) -> None:
    ended = "was killed by SIGKILL (signal 9)" if how == "kill" else "exited with status 3"
    seen = {}
    for start in MODES:
        result = cli(
            "run",
            "pipelines/dies.py",
            "--run-id",
            start,
            "-c",
            config(workdir, start),
            env={"RUNPLANE_PRM_how": how},
        )
        # What the step wrote to stderr is relayed, and its tail quoted in the record.
        assert "last words 1\nlast words 2\nlast words 3\nlast words 4\n" in result.stderr
        assert result.code == 1, result.stderr  # the run failed; the input was fine
        assert "Traceback" not in result.stderr
        log = cli("runs", "show", start, "--json").json()
        assert log["status"] == "fail"
        step = log["steps"]["dies"]
        assert step["status"] == "fail"  # not left `processing`
        (attempt,) = step["attempts"]
        assert attempt["status"] == "fail"
        assert attempt["end_time"]
        message = (
            f"the step's process (`runplane execute-step`) {ended} without recording the "
            "step: last words 2 / last words 3 / last words 4"
        )
        assert attempt["message"] == message
        assert f"step 'dies' failed: {message}\n" in result.stderr  # one line says it
        seen[start] = (result.code, log["message"], step["status"])
    assert seen["fork-server"] == seen["fresh"]


@pytest.mark.parametrize("start", MODES)
@pytest.mark.usefixtures("pipelines")
def test_quiet_prints_nothing_and_json_keeps_stdout_for_the_run_log(
    cli: Cli, workdir: Path, start: str
) -> None:
    name = config(workdir, start)
    quiet = cli("run", "pipelines/prints.py", "--run-id", "q", "-c", name, "--quiet")
    assert quiet.code == 0, quiet.stderr
    assert (quiet.stdout, quiet.stderr) == ("", "")
    as_json = cli("run", "pipelines/prints.py", "--run-id", "j", "-c", name, "--json")
    assert as_json.code == 0, as_json.stderr
    assert as_json.json()["run_id"] == "j"  # what the step printed went to stderr
    assert "step says hello on stdout" in as_json.stderr
    # Kept in the catalog either way.
    assert "hello on stdout" in cli("runs", "logs", "q", "chatty", "-c", name).stdout


@pytest.mark.parametrize("start", MODES)
@pytest.mark.usefixtures("pipelines")
def test_a_users_module_named_like_the_standard_library_shadows_nothing(
    cli: Cli, workdir: Path, start: str
) -> None:
    for module in ("types", "json", "socket"):
        (workdir / f"{module}.py").write_text(f"raise ImportError('the user {module}.py')\n")
    result = cli("run", "pipelines/processes.py", "--run-id", "p", "-c", config(workdir, start))
    assert result.code == 0, result.stderr
    assert "the user" not in result.stderr


@pytest.mark.usefixtures("pipelines")
def test_a_crashed_step_server_fails_the_step_with_exit_1_and_one_line(
    cli: Cli, workdir: Path, clean_env: dict[str, str]
) -> None:
    process = subprocess.Popen(
        [
            RUNPLANE,
            "run",
            "pipelines/slow.py",
            "--run-id",
            "s",
            "-c",
            config(workdir, "fork-server"),
        ],
        cwd=workdir,
        env=clean_env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    deadline = time.monotonic() + 30
    while not (workdir / "waiting").exists():
        assert process.poll() is None
        assert time.monotonic() < deadline
        time.sleep(0.05)
    (step,) = [
        pid for pid in session_members(process.pid) if parent_of(parent_of(pid)) == process.pid
    ]
    server = parent_of(step)
    os.kill(server, signal.SIGKILL)
    os.kill(step, signal.SIGKILL)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 1, stderr
    assert "Traceback" not in stderr
    failed = [line for line in stderr.splitlines() if line.startswith("step 'wait' failed")]
    assert len(failed) == 1
    assert "the step server (`python -m runplane step-server`) exited unexpectedly" in failed[0]
    log = cli("runs", "show", "s", "--json").json()
    assert log["steps"]["wait"]["status"] == "fail"
    assert log["steps"]["wait"]["attempts"][-1]["status"] == "fail"
    assert "finish" not in log["steps"]


@pytest.mark.usefixtures("pipelines")
def test_a_killed_run_lets_the_step_finish_and_leaves_no_process_behind(
    cli: Cli, workdir: Path, clean_env: dict[str, str]
) -> None:
    process = subprocess.Popen(
        [
            RUNPLANE,
            "run",
            "pipelines/slow.py",
            "--run-id",
            "slow",
            "-c",
            config(workdir, "fork-server"),
        ],
        cwd=workdir,
        env=clean_env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    deadline = time.monotonic() + 30
    while not (workdir / "waiting").exists():
        assert process.poll() is None
        assert time.monotonic() < deadline
        time.sleep(0.05)
    os.kill(process.pid, signal.SIGKILL)
    process.wait()
    # As with a fresh interpreter, the step's process carries on; so does its server, until
    # the step ends. The server has one thread: forking a threaded process is unsafe.
    survivors = session_members(process.pid)
    assert len(survivors) == 2
    (step,) = [pid for pid in survivors if parent_of(pid) in survivors]
    server = parent_of(step)
    assert "Threads:\t1\n" in Path(f"/proc/{server}/status").read_text()
    (workdir / "go").touch()
    wait_until_gone(process.pid)

    steps = cli("runs", "show", "slow", "--json").json()["steps"]
    assert steps["wait"]["status"] == "success"
    assert "finish" not in steps
