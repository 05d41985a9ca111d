import os
import sys
import threading
from pathlib import Path

import pytest

from runplane import Map, Pipeline, PythonTask, ShellTask
from runplane.adapters.executors.local import LocalExecutor, LocalExecutorConfig
from runplane.adapters.run_log_stores.buffered import BufferedRunLogStore
from runplane.adapters.tasks.python import PythonTaskRunner
from runplane.adapters.tasks.shell import ShellTaskRunner
from runplane.app.service import RunService
from runplane.domain.errors import ExecutionError
from tests.fakes import DictSecrets, MemoryCatalog


def make_service(workers: int = 1) -> RunService:
    return RunService(
        executor=LocalExecutor(LocalExecutorConfig(max_workers=workers)),
        run_log_store=BufferedRunLogStore(),
        catalog=MemoryCatalog(),
        secrets=DictSecrets({"token": "hush-hush-42"}),
        task_runners={"python": PythonTaskRunner(), "shell": ShellTaskRunner()},
    )


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)


def chatty() -> None:
    print("hello from the step")
    print("a warning", file=sys.stderr)


def test_what_a_step_prints_is_kept_per_attempt_and_still_shown(
    capsys: pytest.CaptureFixture[str],
) -> None:
    service = make_service()
    run = service.run(Pipeline([PythonTask(chatty), PythonTask(lambda: None, name="quiet")]).graph)
    assert run.steps["chatty"].attempts[0].log == "logs/chatty/attempt-1.log"
    assert run.steps["quiet"].attempts[0].log is None
    assert service.step_output(run.run_id, "chatty") == "hello from the step\na warning\n"
    shown = capsys.readouterr()
    assert "hello from the step" in shown.out
    assert "a warning" in shown.err


def test_each_failed_attempt_keeps_its_own_output() -> None:
    calls = []

    def flaky() -> None:
        calls.append(1)
        print(f"try {len(calls)}")
        if len(calls) == 1:
            raise RuntimeError("first try fails")

    service = make_service()
    run = service.run(Pipeline([PythonTask(flaky, max_attempts=2)]).graph)
    assert service.step_output(run.run_id, "flaky", attempt=1) == "try 1\n"
    assert service.step_output(run.run_id, "flaky", attempt=2) == "try 2\n"
    with pytest.raises(ExecutionError, match="no attempt 3; attempts: 1, 2"):
        service.step_output(run.run_id, "flaky", attempt=3)


def test_shell_output_is_captured_too() -> None:
    service = make_service()
    run = service.run(Pipeline([ShellTask("echo out; echo err >&2", name="sh")]).graph)
    assert sorted(service.step_output(run.run_id, "sh").splitlines()) == ["err", "out"]


def test_secrets_are_masked_in_kept_output() -> None:
    def leaky() -> None:
        print(f"connecting with {os.environ['token']}")

    service = make_service()
    run = service.run(Pipeline([PythonTask(leaky, secrets=["token"])]).graph)
    assert service.step_output(run.run_id, "leaky") == "connecting with ***\n"


def test_threads_capture_only_their_own_step() -> None:
    def speak(item: int) -> None:
        for _ in range(50):
            print(f"item {item}")

    service = make_service(workers=3)
    pipeline = Pipeline(
        [
            PythonTask(lambda: [0, 1, 2, 3], name="items", returns=["xs"]),
            Map("m", "xs", "item", Pipeline([PythonTask(speak)])),
        ]
    )
    run = service.run(pipeline.graph)
    for item in range(4):
        lines = set(service.step_output(run.run_id, f"m.{item}.speak").splitlines())
        assert lines == {f"item {item}"}


def talk_in_pieces(item: int) -> None:
    _meet.wait(timeout=10)  # both branches are running before either prints
    print(f"item {item}", end="")
    _meet.wait(timeout=10)  # the other branch prints in between
    print(" done")


_meet = threading.Barrier(2)


def test_lines_of_steps_running_at_once_carry_their_step_path(
    capsys: pytest.CaptureFixture[str],
) -> None:
    _meet.reset()
    service = make_service(workers=2)
    Path("p.yaml").write_text("items: [1, 2]\n")
    branch = Pipeline([PythonTask(talk_in_pieces, name="say")])
    graph = Pipeline([Map("fan", iterate_on="items", iterate_as="item", branch=branch)]).graph
    run = service.run(graph, parameters_file="p.yaml")
    shown = capsys.readouterr().out.splitlines()
    assert "[fan.0.say] item 1 done" in shown
    assert "[fan.1.say] item 2 done" in shown
    assert service.step_output(run.run_id, "fan.0.say") == "item 1 done\n"  # kept as printed


def test_a_step_running_alone_is_not_prefixed(capsys: pytest.CaptureFixture[str]) -> None:
    make_service(workers=2).run(Pipeline([PythonTask(chatty)]).graph)
    assert "hello from the step\n" in capsys.readouterr().out
