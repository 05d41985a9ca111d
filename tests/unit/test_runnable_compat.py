"""The translations of the runnable compatibility layer, without running a pipeline."""

from __future__ import annotations

import inspect
import os
import subprocess
from pathlib import Path

import pytest

from runplane.compat.runnable import (
    Catalog,
    Loop,
    Map,
    Parallel,
    Pipeline,
    PythonTask,
    ShellTask,
    Stub,
)
from runplane.compat.runnable.environment import exporting, shell_command
from runplane.compat.runnable.reducers import runplane_reducer
from runplane.domain.errors import PipelineDefinitionError
from runplane.sdk.loader import load_graph


@pytest.mark.parametrize(
    ("reducer", "expected"),
    [
        ("lambda *x: max(x)", "max"),
        ("lambda  *values :  sum( values )", "sum"),
        ("lambda *x: list(x)", "list"),
        ("lambda *x: x[0]", "first"),
        ("lambda *x: x[-1]", "last"),
        ("mean", "mean"),
        (None, None),
    ],
)
def test_runnable_reducer_strings_become_named_reducers(
    reducer: str | None, expected: str | None
) -> None:
    assert runplane_reducer("m", reducer) == expected


@pytest.mark.parametrize(
    "reducer", ["lambda *x: max(y)", "lambda *x: x[1]", "__import__('os').system('id')"]
)
def test_other_reducer_strings_are_refused_not_evaluated(reducer: str) -> None:
    with pytest.raises(PipelineDefinitionError, match="evaluates no strings"):
        runplane_reducer("m", reducer)


def test_the_loop_index_is_an_environment_variable_during_the_call_only() -> None:
    def task(a: int, b: int = 2) -> tuple[int, int, str | None]:
        return a, b, os.environ.get("counter")

    wrapped = exporting(task, {"counter"})
    assert list(inspect.signature(wrapped).parameters) == ["a", "b", "counter"]
    assert wrapped(1, counter=4) == (1, 2, "4")
    assert "counter" not in os.environ
    assert wrapped(1)[2] is None  # outside a loop nothing is set


def test_a_function_taking_the_index_still_gets_it() -> None:
    def task(counter: int) -> tuple[int, str | None]:
        return counter, os.environ.get("counter")

    wrapped = exporting(task, {"counter"})
    assert list(inspect.signature(wrapped).parameters) == ["counter"]
    assert wrapped(counter=3) == (3, "3")


def test_shell_gets_bare_names_and_returns_what_it_exported(tmp_path: Path) -> None:
    returns = tmp_path / "returns"
    command = shell_command('export shouted="$(echo $word | tr a-z A-Z)"; exit 0', ["shouted"])
    env = {**os.environ, "RUNPLANE_PRM_word": "hi", "RUNPLANE_RETURNS": str(returns)}
    done = subprocess.run(["bash", "-c", command], env=env, check=False)
    assert done.returncode == 0
    assert returns.read_text() == "shouted=HI\n"


def test_a_failing_shell_writes_no_returns(tmp_path: Path) -> None:
    returns = tmp_path / "returns"
    command = shell_command("export x=1; exit 3", ["x"])
    env = {**os.environ, "RUNPLANE_RETURNS": str(returns)}
    assert subprocess.run(["bash", "-c", command], env=env, check=False).returncode == 3
    assert not returns.exists()


def test_steps_stay_mutable_until_the_pipeline_is_built() -> None:
    step = PythonTask(name="step 1", function=print)
    step.on_failure = Stub(name="step 4").as_pipeline()
    graph = Pipeline(steps=[step, Stub(name="step 2")]).graph
    assert graph.nodes["step 1"].on_failure == "step 4"


def test_a_terminate_with_failure_ends_the_pipeline_failed() -> None:
    graph = Pipeline(steps=[ShellTask(name="s", command="true", terminate_with_failure=True)]).graph
    assert graph.nodes[graph.nodes["s"].next or ""].kind.value == "fail"


def test_store_copy_false_puts_nothing() -> None:
    assert Catalog(put=["a.csv"], store_copy=False).to_runplane().spec.put == ()
    assert Catalog(put=["a.csv"]).to_runplane().spec.put == ("a.csv",)


def test_a_branch_must_be_a_compat_pipeline() -> None:
    with pytest.raises(PipelineDefinitionError, match="a branch must be a Pipeline"):
        Pipeline(steps=[Map(name="m", iterate_on="xs", iterate_as="x", branch="nope")])  # type: ignore[arg-type]


def test_the_loop_index_reaches_tasks_nested_in_its_branch() -> None:
    def task() -> None:
        return None

    inner = Parallel(name="fan", branches={"a": PythonTask(name="t", function=task).as_pipeline()})
    loop = Loop(
        name="loop", branch=Pipeline(steps=[inner]), max_iterations=2, break_on="b", index_as="i"
    )
    graph = Pipeline(steps=[loop, PythonTask(name="after", function=task)]).graph
    parallel = graph.nodes["loop"].composite.branch.nodes["fan"]  # type: ignore[union-attr]
    nested = parallel.composite.branches["a"].nodes["t"].task  # type: ignore[union-attr]
    assert nested is not None
    assert nested.function is not None
    assert list(inspect.signature(nested.function).parameters) == ["i"]
    after = graph.nodes["after"].task
    assert after is not None
    assert after.function is task  # outside the loop: the function itself


def test_a_main_script_that_raises_is_a_definition_error_naming_main(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "broken.py").write_text("def main():\n    raise KeyError('chunks')\n")
    with pytest.raises(PipelineDefinitionError, match=r"`main\(\)` raised KeyError: 'chunks'"):
        load_graph("broken.py")
