from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

from runplane import Conditional, Loop, Map, Parallel, Pipeline, PythonTask, ShellTask, Stub, metric
from runplane.app.wiring import check_pipeline, required_arguments, unread_parameters


def produce() -> int:
    return 1


def needs_a(a: int) -> int:
    return a


def needs_a_b(a: int, b: int = 2, *args: int, **rest: Any) -> int:
    return a + b


def needs_item_and_x(item: int, x: int) -> int:
    return item + x


def needs_loss(loss: float) -> float:
    return loss


def needs_model(model: str) -> str:
    return model


async def needs_async(token: str) -> str:
    return token


def problems(pipeline: Pipeline, environ: Mapping[str, str] | None = None) -> list[str]:
    return [str(p) for p in check_pipeline(pipeline.graph, None, environ or {})]


def test_required_arguments_skip_defaults_and_variadics() -> None:
    assert required_arguments(needs_a_b) == ("a",)
    assert required_arguments(needs_async) == ("token",)
    assert required_arguments(print) == ()


def test_a_clean_pipeline_has_no_problems() -> None:
    pipeline = Pipeline([PythonTask(produce, returns=["a"]), PythonTask(needs_a)])
    assert problems(pipeline) == []


def test_an_argument_nothing_provides_is_reported_with_what_is_available() -> None:
    pipeline = Pipeline([PythonTask(produce, returns=["x"]), PythonTask(needs_a)])
    assert problems(pipeline) == [
        "step 'needs_a': argument 'a' is not provided by the parameters, a map variable or "
        "an earlier step; available: x"
    ]


def test_a_later_step_does_not_provide_for_an_earlier_one() -> None:
    pipeline = Pipeline([PythonTask(needs_a), PythonTask(produce, returns=["a"])])
    assert [p.step for p in check_pipeline(pipeline.graph, None, {})] == ["needs_a"]


def test_a_metric_is_also_a_parameter() -> None:
    pipeline = Pipeline([PythonTask(produce, returns=[metric("loss")]), PythonTask(needs_loss)])
    assert problems(pipeline) == []
    assert len(problems(Pipeline([PythonTask(produce), PythonTask(needs_loss)]))) == 1


def test_parameters_file_and_overrides_provide(tmp_path: Path) -> None:
    params = tmp_path / "p.yaml"
    params.write_text("a: 1\n")
    pipeline = Pipeline([PythonTask(needs_a), PythonTask(needs_async)])
    found = check_pipeline(pipeline.graph, str(params), {"RUNPLANE_PRM_token": "t"})
    assert found == []


def test_map_branch_sees_item_and_what_came_before_and_returns_flow_out() -> None:
    branch = Pipeline([PythonTask(needs_item_and_x, returns=["model"])])
    pipeline = Pipeline(
        [
            PythonTask(produce, returns=["items"]),
            Map("fan", iterate_on="items", iterate_as="item", branch=branch),
            PythonTask(needs_model),
        ]
    )
    found = check_pipeline(pipeline.graph, None, {})
    assert [(p.step, p.input) for p in found] == [("fan.*.needs_item_and_x", "x")]
    assert found[0].available == ("item", "items")


def test_map_iterate_on_and_conditional_parameter_are_inputs() -> None:
    pipeline = Pipeline(
        [
            Map("fan", iterate_on="items", iterate_as="i", branch=Pipeline([Stub("s")])),
            Conditional("pick", parameter="mode", branches={"x": Pipeline([Stub("t")])}),
        ]
    )
    found = check_pipeline(pipeline.graph, None, {})
    assert [(p.step, p.role, p.input) for p in found] == [
        ("fan", "iterate_on", "items"),
        ("pick", "parameter", "mode"),
    ]


def test_parallel_branches_do_not_see_each_other_but_all_flow_out() -> None:
    pipeline = Pipeline(
        [
            Parallel(
                "par",
                branches={
                    "one": Pipeline([PythonTask(produce, returns=["a"])]),
                    "two": Pipeline([PythonTask(needs_a, returns=["model"])]),
                },
            ),
            PythonTask(needs_a, name="after_a"),
            PythonTask(needs_model),
        ]
    )
    assert [p.step for p in check_pipeline(pipeline.graph, None, {})] == ["par.two.needs_a"]


def test_conditional_provides_only_what_every_branch_returns() -> None:
    pipeline = Pipeline(
        [
            PythonTask(produce, returns=["mode"]),
            Conditional(
                "pick",
                parameter="mode",
                branches={
                    "train": Pipeline([PythonTask(produce, name="fit", returns=["model", "a"])]),
                    "reuse": Pipeline([PythonTask(produce, name="load", returns=["model"])]),
                },
            ),
            PythonTask(needs_model),
            PythonTask(needs_a),
        ]
    )
    assert [(p.step, p.input) for p in check_pipeline(pipeline.graph, None, {})] == [
        ("needs_a", "a")
    ]


def test_failure_handlers_see_what_came_before_the_failing_step() -> None:
    handler = Pipeline([PythonTask(needs_model, name="notify")])
    pipeline = Pipeline(
        [PythonTask(produce, returns=["model"], on_failure=handler), PythonTask(needs_model)]
    )
    assert [p.step for p in check_pipeline(pipeline.graph, None, {})] == ["notify"]


@pytest.mark.parametrize("command", ["echo $RUNPLANE_PRM_anything"])
def test_shell_tasks_have_no_known_arguments(command: str) -> None:
    assert problems(Pipeline([ShellTask(command, name="sh")])) == []


def needs_index(iteration: int, model: str) -> bool:
    return iteration > 2


def test_a_loop_branch_sees_its_index_and_must_return_break_on() -> None:
    body = Pipeline([PythonTask(needs_index, returns=["done"])])
    pipeline = Pipeline(
        [
            PythonTask(produce, returns=["model"]),
            Loop("again", branch=body, break_on="converged", max_iterations=3),
            PythonTask(needs_a),
        ]
    )
    found = check_pipeline(pipeline.graph, None, {})
    assert [(p.step, p.role, p.input) for p in found] == [
        ("again", "break_on", "converged"),
        ("needs_a", "argument", "a"),
    ]
    assert "returned by no step of the loop's branch" in str(found[0])
    assert found[0].available == ("done",)


def with_default(a: int, b: int = 2) -> int:
    return a + b


def test_unread_parameters_counts_defaults_and_composite_inputs() -> None:
    graph = Pipeline(
        [
            PythonTask(with_default, returns=["x"]),
            Map("fan", iterate_on="items", iterate_as="item", branch=Pipeline(
                [PythonTask(needs_item_and_x, returns=["y"])]
            )),
            Conditional("pick", parameter="mode", branches={"a": Pipeline([Stub("s")])}),
        ]
    ).graph  # fmt: skip
    given = {"a": 1, "b": 2, "items": [1], "mode": "a", "typo": 0, "other": 1}
    assert unread_parameters(graph, given) == ["other", "typo"]


@pytest.mark.parametrize(
    "step",
    [ShellTask("echo $RUNPLANE_PRM_typo", name="sh"), PythonTask(needs_a_b, name="kw")],
    ids=["shell task", "kwargs"],
)
def test_no_unread_parameters_when_a_step_may_read_any(step: Any) -> None:
    graph = Pipeline([PythonTask(needs_a), step]).graph
    assert unread_parameters(graph, {"a": 1, "typo": 2}) == []


def test_a_checked_run_is_refused_before_anything_is_recorded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from runplane.adapters.executors.local import LocalExecutor  # noqa: PLC0415
    from runplane.adapters.run_log_stores.buffered import BufferedRunLogStore  # noqa: PLC0415
    from runplane.adapters.tasks.python import PythonTaskRunner  # noqa: PLC0415
    from runplane.app.service import RunService  # noqa: PLC0415
    from runplane.domain.wiring import UnwiredPipelineError  # noqa: PLC0415
    from tests.fakes import DictSecrets, MemoryCatalog  # noqa: PLC0415

    monkeypatch.chdir(tmp_path)
    store = BufferedRunLogStore()
    service = RunService(
        executor=LocalExecutor(),
        run_log_store=store,
        catalog=MemoryCatalog(),
        secrets=DictSecrets(),
        task_runners={"python": PythonTaskRunner()},
    )
    graph = Pipeline([PythonTask(needs_a)]).graph
    with pytest.raises(UnwiredPipelineError, match="1 unprovided input") as refused:
        service.run(graph, pipeline_file="p.py", check=True)
    assert refused.value.details == (
        "step 'needs_a': argument 'a' is not provided by the parameters, a map variable or an "
        "earlier step; available: none",
    )
    assert store.list_runs() == []
    assert service.run(graph, parameters={"a": 1}, check=True).status.value == "success"
