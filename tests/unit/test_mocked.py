from pathlib import Path

import pytest

from runplane import Conditional, Loop, Map, Pipeline, PythonTask, ShellTask, Stub, metric
from runplane.adapters.executors.mocked import MockedExecutor, MockedExecutorConfig
from runplane.adapters.run_log_stores.buffered import BufferedRunLogStore
from runplane.adapters.tasks.mocked import MockedTaskRunner
from runplane.adapters.tasks.python import PythonTaskRunner
from runplane.adapters.tasks.shell import ShellTaskRunner
from runplane.app.service import RunService
from runplane.domain.errors import ConfigurationError
from runplane.domain.run_log import Status
from tests.fakes import DictSecrets, MemoryCatalog

CALLS: list[str] = []


def load() -> list[int]:
    CALLS.append("load")
    raise RuntimeError("the real load must not run in a mocked run")


def fake_load() -> list[int]:
    CALLS.append("fake_load")
    return [1, 2]


def route(items: list[int]) -> str:
    CALLS.append("route")
    return "big"


def square(item: int) -> int:
    CALLS.append(f"square {item}")
    return item * item


def fit(squares: list[int]) -> float:
    raise RuntimeError("fit must not run")


def pipeline() -> Pipeline:
    return Pipeline(
        [
            PythonTask(load, returns=["items"], secrets=["token"]),
            PythonTask(route, returns=["size"]),
            Conditional(
                "choose",
                parameter="size",
                branches={
                    "big": Pipeline([PythonTask(fit, returns=["model", metric("loss")])]),
                    "small": Pipeline([Stub("nothing")]),
                },
            ),
            Map(
                "fan",
                iterate_on="items",
                iterate_as="item",
                branch=Pipeline([PythonTask(square, returns=["squares"])]),
            ),
            ShellTask("exit 3", name="publish"),
        ]
    )


def make_service(
    store: BufferedRunLogStore, patches: dict[str, object], secrets: dict[str, str] | None = None
) -> RunService:
    config = MockedExecutorConfig.model_validate({"patches": patches})
    return RunService(
        executor=MockedExecutor(config),
        run_log_store=store,
        catalog=MemoryCatalog(),
        secrets=DictSecrets(secrets),  # none by default: stand-ins need none
        task_runners={
            "python": PythonTaskRunner(),
            "shell": ShellTaskRunner(),
            "mocked": MockedTaskRunner(),
        },
    )


@pytest.fixture(autouse=True)
def _here(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    CALLS.clear()


def test_unpatched_tasks_are_recorded_as_mocked_successes_with_patch_returns() -> None:
    store = BufferedRunLogStore()
    patches = {
        "load": {"returns": {"items": [1, 2, 3]}},
        "route": {"returns": {"size": "small"}},
        "fan.*.square": {"returns": {"squares": 9}},
    }
    run = make_service(store, patches).run(pipeline().graph, run_id="m1")
    assert run.status is Status.SUCCESS
    assert CALLS == []
    load_step = run.steps["load"]
    assert load_step.status is Status.SUCCESS
    assert load_step.returns == {"items": [1, 2, 3]}
    assert load_step.attempts[0].message.startswith("mocked:")
    assert run.steps["choose"].branches == {"small": "success"}
    assert [p for p in run.steps if p.startswith("fan.")] == [f"fan.{i}.square" for i in range(3)]
    assert run.parameters["squares"] == [9, 9, 9]
    assert run.steps["publish"].status is Status.SUCCESS  # `exit 3` never ran
    assert run.pipeline["steps"]["publish"]["command_type"] == "mocked"


def test_patched_tasks_run_their_replacement_command() -> None:
    patches = {
        "load": {"command": f"{__name__}.fake_load"},
        "route": {"returns": {"size": "big"}},
        "choose.big.fit": {"returns": {"model": "m", "loss": 0.5}},
        "fan.*.square": {"command": f"{__name__}.square"},
        "publish": {"command": 'test "$RUNPLANE_PRM_model" = m'},
    }
    # A patched task keeps its secrets (and catalog): only its command changes.
    service = make_service(BufferedRunLogStore(), patches, secrets={"token": "t"})
    run = service.run(pipeline().graph, run_id="m2")
    assert run.status is Status.SUCCESS, run.steps
    assert CALLS == ["fake_load", "square 1", "square 2"]
    assert run.steps["choose.big.fit"].metrics == {"loss": 0.5}
    assert run.parameters["squares"] == [1, 4]
    assert run.steps["load"].attempts[0].message == ""
    assert run.pipeline["steps"]["load"]["command"] == f"{__name__}.fake_load"


def test_unset_returns_fail_the_composite_that_needs_them() -> None:
    run = make_service(BufferedRunLogStore(), {"load": {"returns": {"items": [1]}}}).run(
        pipeline().graph, run_id="m3"
    )
    assert run.status is Status.FAIL
    assert "size" in run.steps["choose"].message
    assert run.steps["route"].returns == {}


def test_a_failing_patched_command_fails_the_run() -> None:
    patches = {"load": {"returns": {"items": []}}, "route": {"command": f"{__name__}.square"}}
    run = make_service(BufferedRunLogStore(), patches).run(pipeline().graph, run_id="m4")
    assert run.status is Status.FAIL
    assert "argument 'item'" in run.steps["route"].message


@pytest.mark.parametrize(
    ("patches", "expected"),
    [
        ({"lod": {"returns": {}}}, "no task at 'lod'.*tasks: load, route"),
        ({"fan.0.square": {"returns": {}}}, r"iteration is '\*'"),
        ({"choose": {"returns": {}}}, "no task at 'choose'"),
        ({"load": {"returns": {"itemz": 1}}}, "itemz are not declared.*declares: items"),
        ({"load": {"command": "no_such_module_xyz.f"}}, "cannot import module"),
        ({"load": {"command": "loadit"}}, "is not `module.function`"),
        ({"load": {"command": f"{__name__}.nothing"}}, "has no function 'nothing'"),
    ],
)
def test_bad_patches_are_refused_before_any_step(patches: dict[str, object], expected: str) -> None:
    store = BufferedRunLogStore()
    with pytest.raises(ConfigurationError, match=expected):
        make_service(store, patches).run(pipeline().graph, run_id="bad")
    assert store.list_runs() == []


def test_a_patch_with_both_command_and_returns_is_invalid_configuration() -> None:
    with pytest.raises(ValueError, match="either `command`"):
        MockedExecutorConfig.model_validate(
            {"patches": {"load": {"command": "m.f", "returns": {"items": 1}}}}
        )


def count(iteration: int) -> bool:
    CALLS.append(f"count {iteration}")
    return iteration >= 1


def test_loops_are_walked_and_patched_with_a_star_for_the_iteration() -> None:
    body = Pipeline([PythonTask(count, returns=["enough"]), PythonTask(fit, returns=["model"])])
    pipeline = Pipeline([Loop("again", branch=body, break_on="enough", max_iterations=5)])
    patches: dict[str, object] = {"again.*.count": {"command": f"{__name__}.count"}}
    run = make_service(BufferedRunLogStore(), patches).run(pipeline.graph, run_id="loop")
    assert run.status is Status.SUCCESS
    assert CALLS == ["count 0", "count 1"]
    assert run.steps["again.1.fit"].attempts[0].message.startswith("mocked:")
