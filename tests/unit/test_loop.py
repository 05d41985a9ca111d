from pathlib import Path

import pytest

from runplane import Loop, Pipeline, PythonTask, ShellTask
from runplane.adapters.executors.local import LocalExecutor
from runplane.adapters.run_log_stores.buffered import BufferedRunLogStore
from runplane.adapters.tasks.python import PythonTaskRunner
from runplane.adapters.tasks.shell import ShellTaskRunner
from runplane.app.service import RunService
from runplane.domain.errors import PipelineDefinitionError
from runplane.domain.run_log import Status
from tests.fakes import DictSecrets, MemoryCatalog


@pytest.fixture
def store() -> BufferedRunLogStore:
    return BufferedRunLogStore()


def make_service(store: BufferedRunLogStore) -> RunService:
    return RunService(
        executor=LocalExecutor(),
        run_log_store=store,
        catalog=MemoryCatalog(),
        secrets=DictSecrets(),
        task_runners={"python": PythonTaskRunner(), "shell": ShellTaskRunner()},
    )


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)


def improve(iteration: int, loss: float = 1.0) -> tuple[float, bool]:
    loss = loss / 2
    return loss, loss < 0.1


def training_loop(**options: object) -> Loop:
    branch = Pipeline([PythonTask(improve, returns=["loss", "converged"])])
    return Loop("train", branch, break_on="converged", **options)  # type: ignore[arg-type]


def test_loop_runs_until_break_on_and_carries_returns(store: BufferedRunLogStore) -> None:
    run = make_service(store).run(Pipeline([training_loop()]).graph)
    assert run.status is Status.SUCCESS
    assert run.parameters["loss"] == 1 / 16
    assert run.parameters["converged"] is True
    assert [p for p in run.steps if p.startswith("train.")] == [
        f"train.{i}.improve" for i in range(4)
    ]
    assert run.steps["train.2.improve"].parameters == {"iteration": 2, "loss": 0.25}
    assert run.steps["train"].branches == {str(i): "success" for i in range(4)}


def test_loop_at_max_iterations_fails_with_the_reason(store: BufferedRunLogStore) -> None:
    run = make_service(store).run(Pipeline([training_loop(max_iterations=2)]).graph)
    assert run.status is Status.FAIL
    assert (
        "reached max_iterations=2 without 'converged' becoming true" in run.steps["train"].message
    )


def test_loop_may_succeed_at_max_iterations(store: BufferedRunLogStore) -> None:
    loop = training_loop(max_iterations=2, on_max_iterations="succeed")
    run = make_service(store).run(Pipeline([loop]).graph)
    assert run.status is Status.SUCCESS
    assert run.parameters["loss"] == 0.25


def test_failed_iteration_fails_the_loop(store: BufferedRunLogStore) -> None:
    def sometimes(iteration: int) -> bool:
        if iteration == 1:
            raise RuntimeError("diverged")
        return False

    loop = Loop("l", Pipeline([PythonTask(sometimes, returns=["done"])]), break_on="done")
    run = make_service(store).run(Pipeline([loop]).graph)
    assert run.status is Status.FAIL
    assert run.steps["l"].message == "iteration 1 failed"
    assert "l.2.sometimes" not in run.steps


def test_shell_tasks_see_the_index(store: BufferedRunLogStore) -> None:
    branch = Pipeline(
        [
            ShellTask(
                'echo "done=$([ $RUNPLANE_PRM_i -ge 2 ] && echo true || echo false)" '
                '> "$RUNPLANE_RETURNS"',
                name="sh",
                returns=["done"],
            )
        ]
    )
    run = make_service(store).run(
        Pipeline([Loop("l", branch, break_on="done", index_as="i")]).graph
    )
    assert run.status is Status.SUCCESS
    assert list(run.steps["l"].branches) == ["0", "1", "2"]


def test_a_step_inside_a_loop_in_a_fresh_process_sees_its_iteration(
    store: BufferedRunLogStore,
) -> None:
    graph = Pipeline([training_loop()]).graph
    make_service(store).run(graph, run_id="r")
    again = make_service(store).execute_step(graph, "r", "train.3.improve")
    assert again.parameters == {"iteration": 3, "loss": 0.125}


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"max_iterations": 0}, "max_iterations"),
        ({"on_max_iterations": "maybe"}, "on_max_iterations"),
        ({"index_as": "not valid"}, "index_as"),
    ],
)
def test_bad_loops_are_rejected(options: dict[str, object], message: str) -> None:
    with pytest.raises(PipelineDefinitionError, match=message):
        training_loop(**options)
