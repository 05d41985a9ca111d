"""The composition root: typed dependencies, overridable providers, injected environment."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
from dependency_injector import errors, providers

from runplane import Pipeline, PythonTask
from runplane.adapters.executors.local import LocalExecutor
from runplane.adapters.run_log_stores.buffered import BufferedRunLogStore
from runplane.adapters.tasks.python import PythonTaskRunner
from runplane.app.bootstrap import adapters
from runplane.app.bootstrap.root import create_root
from runplane.app.bootstrap.use_cases import UseCaseContainer
from runplane.domain.graph import TaskSpec
from runplane.domain.run_log import Status
from runplane.ports.task import TaskResult
from tests.fakes import DictSecrets, MemoryCatalog


def answer() -> int:
    raise AssertionError("the fake runner runs instead")


class FakeRunner:
    """A task runner that runs nothing and says which steps it was asked to run."""

    def __init__(self) -> None:
        self.ran: list[str] = []

    def run(
        self,
        step_path: str,
        task: TaskSpec,
        parameters: Mapping[str, Any],
        env: Mapping[str, str],
    ) -> TaskResult:
        self.ran.append(step_path)
        return TaskResult(returns={"x": 42})


def ports(**given: Any) -> dict[str, Any]:
    return {
        "executor": LocalExecutor(),
        "run_log_store": BufferedRunLogStore(),
        "catalog": MemoryCatalog(),
        "secrets": DictSecrets(),
        "task_runners": {"python": PythonTaskRunner()},
        **given,
    }


def test_a_provider_overridden_with_a_fake_is_what_the_use_cases_get(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    config = tmp_path / "c.yaml"
    config.write_text("run_log_store: {type: buffered}\n")
    root = create_root(str(config))
    fake = FakeRunner()
    with root.task_runners.override(providers.Object({"python": fake})):
        pipeline = Pipeline([PythonTask(answer, returns=["x"])])
        run = root.use_cases.commands().run(pipeline.graph)
    assert run.status is Status.SUCCESS
    assert fake.ran == ["answer"]
    assert run.parameters["x"] == 42


@pytest.mark.parametrize(
    ("port", "kind"),
    [
        ("executor", "Executor"),
        ("run_log_store", "RunLogStore"),
        ("catalog", "Catalog"),
        ("secrets", "Secrets"),
        ("task_runners", "Mapping"),
    ],
)
def test_a_port_of_the_wrong_type_is_refused(port: str, kind: str) -> None:
    cases = UseCaseContainer(**ports(**{port: "not an adapter"}))
    with pytest.raises(errors.Error, match=f"not an adapter is not an instance of .*{kind}"):
        cases.commands()


def test_the_root_refuses_an_override_of_the_wrong_type() -> None:
    root = create_root()
    with root.executor.override(providers.Object(object())), pytest.raises(errors.Error):
        root.use_cases.commands()


def test_task_runners_come_from_their_entry_point_group() -> None:
    def heard(event: dict[str, Any]) -> None:
        pass

    runners = adapters.task_runners(heard)
    assert {"python", "shell", "mocked", "notebook"} <= set(runners)
    python = runners["python"]
    assert isinstance(python, PythonTaskRunner)
    assert python._on_event is heard


def read(x: int) -> int:
    return x


def test_parameters_come_from_the_environment_given_not_the_process(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("RUNPLANE_PRM_x", "1")
    cases = UseCaseContainer(**ports(), environ=providers.Object({"RUNPLANE_PRM_x": "5"}))
    run = cases.commands().run(Pipeline([PythonTask(read, returns=["y"])]).graph)
    assert run.initial_parameters == {"x": 5}
    assert run.parameters["y"] == 5


def test_new_run_ids_and_code_identity_come_from_what_is_given(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    cases = UseCaseContainer(
        **ports(),
        clock=providers.Object(lambda: "2030-01-02T03:04:05.000000+00:00"),
        code_identity=providers.Object(lambda: {"type": "test"}),
    )
    run = cases.commands().run(
        Pipeline([PythonTask(read, returns=["y"])]).graph, parameters={"x": 1}
    )
    assert run.run_id.startswith("20300102-030405-")
    assert run.start_time == "2030-01-02T03:04:05.000000+00:00"
    assert run.code_identity == {"type": "test"}
