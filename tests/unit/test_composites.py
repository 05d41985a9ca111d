from pathlib import Path

import pytest

from runplane import Conditional, Map, Parallel, Pipeline, PythonTask, ShellTask, Stub, Success
from runplane.adapters.executors.local import LocalExecutor, LocalExecutorConfig
from runplane.adapters.run_log_stores.buffered import BufferedRunLogStore
from runplane.adapters.tasks.python import PythonTaskRunner
from runplane.adapters.tasks.shell import ShellTaskRunner
from runplane.app.service import RunService
from runplane.domain.errors import ParameterError, PipelineDefinitionError
from runplane.domain.run_log import Status
from tests.fakes import DictSecrets, MemoryCatalog


@pytest.fixture
def store() -> BufferedRunLogStore:
    return BufferedRunLogStore()


def make_service(store: BufferedRunLogStore, max_workers: int = 1) -> RunService:
    return RunService(
        executor=LocalExecutor(LocalExecutorConfig(max_workers=max_workers)),
        run_log_store=store,
        catalog=MemoryCatalog(),
        secrets=DictSecrets(),
        task_runners={"python": PythonTaskRunner(), "shell": ShellTaskRunner()},
    )


@pytest.fixture
def service(
    store: BufferedRunLogStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> RunService:
    monkeypatch.chdir(tmp_path)
    return make_service(store)


def items() -> list[int]:
    return [1, 2, 3]


def square(item: int, offset: int) -> int:
    return item * item + offset


def label(square_value: int) -> str:
    return f"v{square_value}"


def total(squared: list[int]) -> int:
    return sum(squared)


def square_branch() -> Pipeline:
    return Pipeline(
        [
            PythonTask(square, returns=["square_value"]),
            PythonTask(label, returns=["labelled"]),
        ]
    )


def test_map_collects_each_return_as_a_list_in_iteration_order(service: RunService) -> None:
    pipeline = Pipeline(
        [
            PythonTask(items, returns=["numbers"]),
            Map("fan", iterate_on="numbers", iterate_as="item", branch=square_branch()),
        ]
    )
    (Path.cwd() / "p.yaml").write_text("offset: 10\n")
    run = service.run(pipeline.graph, parameters_file="p.yaml")
    assert run.status is Status.SUCCESS
    assert run.parameters["square_value"] == [11, 14, 19]
    assert run.parameters["labelled"] == ["v11", "v14", "v19"]
    assert run.steps["fan.1.square"].parameters == {"item": 2, "offset": 10}
    assert run.steps["fan"].branches == {"0": "success", "1": "success", "2": "success"}
    assert run.steps["fan"].parameters == {"numbers": [1, 2, 3]}
    paths = list(run.steps)
    assert paths.index("fan") < paths.index("fan.0.square") < paths.index("fan.2.label")


def test_iterations_do_not_see_each_others_returns(service: RunService) -> None:
    seen = []

    def peek(item: int, **rest: object) -> int:
        seen.append(sorted(rest))
        return item

    branch = Pipeline([PythonTask(peek, returns=["value"])])
    pipeline = Pipeline([Map("m", iterate_on="xs", iterate_as="item", branch=branch)])
    (Path.cwd() / "p.yaml").write_text("xs: [1, 2]\n")
    service.run(pipeline.graph, parameters_file="p.yaml")
    assert seen == [["xs"], ["xs"]]


def test_map_reducer_by_name_and_by_function(service: RunService) -> None:
    (Path.cwd() / "p.yaml").write_text("numbers: [1, 2, 3]\noffset: 0\n")
    by_name = Map(
        "a", iterate_on="numbers", iterate_as="item", branch=square_branch(), reducer="max"
    )
    by_function = Map(
        "b",
        iterate_on="numbers",
        iterate_as="item",
        branch=Pipeline([PythonTask(square, returns=["other"])]),
        reducer=lambda values: "+".join(map(str, values)),
    )
    run = service.run(Pipeline([by_name, by_function]).graph, parameters_file="p.yaml")
    assert run.parameters["square_value"] == 9
    assert run.parameters["other"] == "1+4+9"


def test_a_reducer_result_json_would_change_fails_the_map_clearly(service: RunService) -> None:
    (Path.cwd() / "p.yaml").write_text("numbers: [1, 2]\noffset: 0\n")
    tupled = Map(
        "t",
        iterate_on="numbers",
        iterate_as="item",
        branch=Pipeline([PythonTask(square, returns=["other"])]),
        reducer=tuple,
    )
    run = service.run(Pipeline([tupled]).graph, parameters_file="p.yaml")
    assert run.status is Status.FAIL
    assert run.steps["t"].message == (
        "map 't': reducer 'builtins.tuple' returned a tuple for 'other', which JSON cannot "
        "give back exactly; return str, int, finite float, bool, None, or lists and "
        "str-keyed dicts of those"
    )


def test_map_over_empty_list_succeeds_and_returns_empty_lists(service: RunService) -> None:
    (Path.cwd() / "p.yaml").write_text("numbers: []\n")
    pipeline = Pipeline([Map("m", iterate_on="numbers", iterate_as="item", branch=square_branch())])
    run = service.run(pipeline.graph, parameters_file="p.yaml")
    assert run.status is Status.SUCCESS
    assert run.parameters["square_value"] == []
    assert run.parameters["labelled"] == []


def test_map_over_a_non_list_parameter_is_refused_before_any_step(
    service: RunService, store: BufferedRunLogStore
) -> None:
    (Path.cwd() / "p.yaml").write_text("numbers: 5\n")
    pipeline = Pipeline([Map("m", iterate_on="numbers", iterate_as="item", branch=square_branch())])
    with pytest.raises(ParameterError, match="'numbers' must be a list, got int"):
        service.run(pipeline.graph, parameters_file="p.yaml")
    assert store.list_runs() == []


def test_map_over_a_returned_non_list_fails_the_step_clearly(service: RunService) -> None:
    pipeline = Pipeline(
        [
            PythonTask(lambda: 5, name="count", returns=["numbers"]),
            Map("m", iterate_on="numbers", iterate_as="item", branch=square_branch()),
        ]
    )
    run = service.run(pipeline.graph)
    assert run.status is Status.FAIL
    assert "iterate_on parameter 'numbers' must be a list, got int" in run.steps["m"].message


def test_failing_iteration_fails_the_map_and_is_named(service: RunService) -> None:
    def maybe(item: int) -> None:
        if item == 2:
            raise ValueError("two")

    branch = Pipeline([PythonTask(maybe)])
    pipeline = Pipeline(
        [Map("m", iterate_on="xs", iterate_as="item", branch=branch), Stub("after")]
    )
    (Path.cwd() / "p.yaml").write_text("xs: [1, 2, 3]\n")
    run = service.run(pipeline.graph, parameters_file="p.yaml")
    assert run.status is Status.FAIL
    assert run.steps["m"].branches == {"0": "success", "1": "fail", "2": "success"}
    assert run.steps["m"].message == "branches failed: 1"
    assert "after" not in run.steps


def train_a(rate: float) -> float:
    return rate * 2


def train_b(rate: float) -> float:
    return rate * 3


def test_parallel_branches_see_parent_parameters_and_merge_returns(service: RunService) -> None:
    (Path.cwd() / "p.yaml").write_text("rate: 0.5\n")
    pipeline = Pipeline(
        [
            Parallel(
                "train",
                branches={
                    "a": Pipeline([PythonTask(train_a, returns=["score_a"])]),
                    "b": Pipeline([PythonTask(train_b, returns=["score_b"])]),
                },
            ),
            PythonTask(lambda score_a, score_b: score_a + score_b, name="pick", returns=["best"]),
        ]
    )
    run = service.run(pipeline.graph, parameters_file="p.yaml")
    assert run.status is Status.SUCCESS
    assert run.parameters["best"] == 2.5
    assert {"train.a.train_a", "train.b.train_b"} <= set(run.steps)
    assert run.steps["train"].returns == {"score_a": 1.0, "score_b": 1.5}


def test_conditional_runs_the_branch_named_by_the_parameter(service: RunService) -> None:
    (Path.cwd() / "p.yaml").write_text("mode: fast\n")
    pipeline = Pipeline(
        [
            Conditional(
                "choose",
                parameter="mode",
                branches={
                    "fast": Pipeline([PythonTask(lambda: "f", name="quick", returns=["how"])]),
                    "full": Pipeline([PythonTask(lambda: "F", name="slow", returns=["how"])]),
                },
            )
        ]
    )
    run = service.run(pipeline.graph, parameters_file="p.yaml")
    assert run.parameters["how"] == "f"
    assert run.steps["choose"].branches == {"fast": "success"}
    assert "choose.full.slow" not in run.steps


def test_conditional_without_matching_branch_lists_the_branches(service: RunService) -> None:
    (Path.cwd() / "p.yaml").write_text("mode: other\n")
    branches = {"fast": Pipeline([Stub("x")]), "full": Pipeline([Stub("y")])}
    run = service.run(
        Pipeline([Conditional("c", "mode", branches)]).graph, parameters_file="p.yaml"
    )
    assert run.status is Status.FAIL
    assert "'other', which names no branch; branches are: fast, full" in run.steps["c"].message


def test_closing_a_composite_whose_fan_out_failed_keeps_it_failed(service: RunService) -> None:
    # An orchestrator (Argo) runs the fan-in even after a failed fan-out; found by the
    # differential suite, where Argo recorded such a conditional as a success.
    (Path.cwd() / "p.yaml").write_text("mode: other\n")
    graph = Pipeline([Conditional("c", "mode", {"fast": Pipeline([Stub("x")])})]).graph
    run = service.run(graph, parameters_file="p.yaml")
    closed = service.fan_in(graph, run.run_id, "c")
    assert closed.status is Status.FAIL
    assert [a.status for a in closed.attempts] == [Status.FAIL]
    assert "which names no branch" in closed.message


def test_conditional_default_branch(service: RunService) -> None:
    (Path.cwd() / "p.yaml").write_text("mode: other\n")
    branches = {"fast": Pipeline([Stub("x")]), "full": Pipeline([Stub("y")])}
    run = service.run(
        Pipeline([Conditional("c", "mode", branches, default="full")]).graph,
        parameters_file="p.yaml",
    )
    assert run.status is Status.SUCCESS
    assert "c.full.y" in run.steps


def test_conditional_on_missing_parameter_is_refused_before_any_step(service: RunService) -> None:
    branches = {"fast": Pipeline([Stub("x")])}
    pipeline = Pipeline([Stub("first"), Conditional("c", "mode", branches)])
    with pytest.raises(ParameterError, match="step 'c': parameter 'mode' is neither a parameter"):
        service.run(pipeline.graph)


def test_parameters_returned_earlier_or_inside_branches_count_as_provided(
    service: RunService,
) -> None:
    inner = Pipeline(
        [
            PythonTask(lambda item: "fast", name="pick", returns=["mode"]),
            Conditional("c", "mode", {"fast": Pipeline([Stub("x")])}),
        ]
    )
    pipeline = Pipeline(
        [
            PythonTask(lambda: [1], name="make", returns=["xs"]),
            Map("m", "xs", "item", inner),
        ]
    )
    assert service.run(pipeline.graph).status is Status.SUCCESS


def test_composite_on_failure_handler(service: RunService) -> None:
    (Path.cwd() / "p.yaml").write_text("mode: none\n")
    branches = {"fast": Pipeline([Stub("x")])}
    pipeline = Pipeline(
        [Conditional("c", "mode", branches, on_failure=Pipeline([Stub("fallback"), Success()]))]
    )
    run = service.run(pipeline.graph, parameters_file="p.yaml")
    assert run.status is Status.SUCCESS
    assert run.steps["fallback"].status is Status.SUCCESS


def test_nested_map_in_parallel_in_map(service: RunService) -> None:
    inner = Pipeline([PythonTask(lambda outer, inner: outer * inner, name="mul", returns=["prod"])])
    middle = Parallel(
        "par",
        branches={
            "m": Pipeline([Map("inner_map", iterate_on="ys", iterate_as="inner", branch=inner)]),
            "s": Pipeline(
                [
                    ShellTask(
                        'echo "tag=o$RUNPLANE_PRM_outer" > $RUNPLANE_RETURNS',
                        name="sh",
                        returns=["tag"],
                    )
                ]
            ),
        },
    )
    pipeline = Pipeline(
        [Map("outer_map", iterate_on="xs", iterate_as="outer", branch=Pipeline([middle]))]
    )
    (Path.cwd() / "p.yaml").write_text("xs: [1, 2]\nys: [10, 20, 30]\n")
    run = service.run(pipeline.graph, parameters_file="p.yaml")
    assert run.status is Status.SUCCESS
    assert run.steps["outer_map.1.par.m.inner_map.2.mul"].returns == {"prod": 60}
    assert run.parameters["prod"] == [[10, 20, 30], [20, 40, 60]]
    assert run.parameters["tag"] == ["o1", "o2"]


def test_threads_give_the_same_run_log(
    store: BufferedRunLogStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "p.yaml").write_text("numbers: [1, 2, 3, 4, 5, 6]\noffset: 1\n")
    pipeline = Pipeline([Map("m", iterate_on="numbers", iterate_as="item", branch=square_branch())])
    sequential = make_service(store).run(pipeline.graph, parameters_file="p.yaml")
    threaded = make_service(store, max_workers=3).run(pipeline.graph, parameters_file="p.yaml")
    assert threaded.parameters == sequential.parameters
    assert set(threaded.steps) == set(sequential.steps)


def test_execute_step_inside_a_map_in_a_fresh_process(
    store: BufferedRunLogStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "p.yaml").write_text("numbers: [4, 5]\noffset: 0\n")
    pipeline = Pipeline([Map("m", iterate_on="numbers", iterate_as="item", branch=square_branch())])
    make_service(store).run(pipeline.graph, run_id="r1", parameters_file="p.yaml")
    again = make_service(store).execute_step(pipeline.graph, "r1", "m.1.label")
    assert again.returns == {"labelled": "v25"}
    assert again.parameters == {"square_value": 25}


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (
            lambda: Map("m", "xs", "x", branch=Pipeline([Stub("a")]), reducer="median"),
            "unknown reducer",
        ),
        (lambda: Parallel("p", branches={}), "non-empty dict"),
        (lambda: Parallel("p", branches={"a.b": Pipeline([Stub("a")])}), "step name"),
        (lambda: Conditional("c", "x", {"a": Pipeline([Stub("s")])}, default="z"), "default 'z'"),
        (lambda: Map("m", "not valid", "x", branch=Pipeline([Stub("a")])), "iterate_on"),
        (lambda: Map("m", "xs", "x", branch=[Stub("a")]), "must be a Pipeline"),  # type: ignore[arg-type]
    ],
)
def test_bad_composites_are_rejected_at_definition(build, message: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(PipelineDefinitionError, match=message):
        build()


def test_a_run_driven_step_by_step_from_fresh_processes_matches_a_local_run(
    store: BufferedRunLogStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What an orchestrator such as Argo does: every call from a new service, via the store."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "p.yaml").write_text("numbers: [1, 2]\noffset: 5\n")
    pipeline = Pipeline(
        [Map("m", iterate_on="numbers", iterate_as="item", branch=square_branch()), Stub("end")]
    )
    local = make_service(store).run(pipeline.graph, run_id="local", parameters_file="p.yaml")

    def fresh() -> RunService:
        return make_service(store)

    fresh().start_run(pipeline.graph, run_id="remote", parameters_file="p.yaml")
    keys = fresh().fan_out(pipeline.graph, "remote", "m")
    assert keys == ["0", "1"]
    for key in keys:
        fresh().execute_step(pipeline.graph, "remote", f"m.{key}.square")
        fresh().execute_step(pipeline.graph, "remote", f"m.{key}.label")
    fresh().fan_in(pipeline.graph, "remote", "m")
    fresh().execute_step(pipeline.graph, "remote", "end")
    remote = fresh().finish_run(pipeline.graph, "remote")

    assert remote.status is Status.SUCCESS
    assert remote.parameters == local.parameters
    stored = store.get_run("remote")
    assert {p: (s.status, s.returns) for p, s in stored.steps.items()} == {
        p: (s.status, s.returns) for p, s in local.steps.items()
    }
