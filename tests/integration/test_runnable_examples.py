"""runnable-style pipelines, with only the import line changed, give runnable 0.50's results.

Each case writes a pipeline in the style of one of runnable's examples
(`runnable_ported.py`), calls its `main()` in this process, and checks the run log:
status, step statuses, final parameters, metrics and catalog files, as runnable 0.50 gives
them (checked against runnable itself; docs/from-runnable.md lists what differs). Under
`local-subprocess` every task runs in a step process, which rebuilds the pipeline by
calling the file's `main()` in definition mode.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

import runplane
from runplane.compat.runnable import ExecutionFailedError, Map, Pipeline, Stub
from runplane.domain.errors import PipelineDefinitionError
from runplane.domain.run_log import RunLog
from tests.integration import runnable_ported as ported
from tests.integration.conftest import Cli

EXECUTORS = ["local", "local-subprocess"]

Example = Callable[..., RunLog]


@pytest.fixture(params=EXECUTORS)
def example(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Example]:
    """Write a ported example, run its main(), give back the run log of the run it made."""
    monkeypatch.chdir(tmp_path)
    for key in [k for k in os.environ if k.startswith("RUNPLANE_")]:
        monkeypatch.delenv(key)
    (tmp_path / "config.yaml").write_text(f"executor: {{type: {request.param}}}\n")
    monkeypatch.setenv("RUNNABLE_CONFIGURATION_FILE", "config.yaml")  # runnable's variable
    (tmp_path / "initial_parameters.yaml").write_text(ported.INITIAL_PARAMETERS)
    names: list[str] = []

    # The compat layer puts the project root on PYTHONPATH for step processes: undo after.
    monkeypatch.setenv("PYTHONPATH", os.environ.get("PYTHONPATH", ""))

    def run(source: str, *, fails: bool = False, folder: str = ".", **env: str) -> RunLog:
        for key, value in env.items():
            monkeypatch.setenv(key, value)
        name = f"ported_{len(names)}_{abs(hash(str(tmp_path)))}"
        names.append(name)
        file = tmp_path / folder / f"{name}.py"
        file.parent.mkdir(parents=True, exist_ok=True)
        file.write_text(ported.HEADER + source)
        # Run as `python file.py` runs it: as `__main__` (not put into sys.modules here).
        spec = importlib.util.spec_from_file_location("__main__", file)
        assert spec is not None
        assert spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        if fails:
            with pytest.raises(ExecutionFailedError):
                module.main()
        else:
            module.main()
        app = runplane.service("config.yaml")
        newest = app.list_runs(limit=1)[0]
        return app.get_run(newest.run_id)

    before = {m: sys.modules.pop(m) for m in list(sys.modules) if m.split(".")[0] == "examples"}
    yield run
    for name in [*names, *(m for m in list(sys.modules) if m.split(".")[0] == "examples")]:
        sys.modules.pop(name, None)
    sys.modules.update(before)


def statuses(run: RunLog) -> dict[str, str]:
    return {path: step.status.value for path, step in run.steps.items()}


def test_tasks_stub_python_shell_in_sequence(
    example: Example, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    common = tmp_path / "examples" / "common"
    common.mkdir(parents=True)
    for package in (common.parent, common):
        (package / "__init__.py").write_text("")
    (common / "functions.py").write_text(ported.COMMON_FUNCTIONS)
    # The project root importable in this process only (as pytest's rootdir would be): the
    # step processes must get it from the compat layer.
    monkeypatch.syspath_prepend(str(tmp_path))
    run = example(ported.TASKS, folder="examples/tasks")
    assert run.status.value == "success"
    assert statuses(run) == {
        "hello stub": "success",
        "hello python": "success",
        "hello shell": "success",
    }


def test_a_task_as_a_pipeline(example: Example) -> None:
    run = example(ported.AS_PIPELINE)
    assert run.parameters == {"greeting": "hi"}


def test_default_failure_stops_the_run(example: Example) -> None:
    run = example(ported.DEFAULT_FAIL, fails=True)
    assert run.status.value == "fail"
    assert statuses(run) == {"step 1": "success", "step 2": "fail"}
    assert "Exception: This is an exception" in run.steps["step 2"].attempts[0].message


@pytest.mark.parametrize(("handler_fails", "status"), [("0", "success"), ("1", "fail")])
def test_on_failure_handler_decides_the_run_status(
    example: Example, handler_fails: str, status: str
) -> None:
    run = example(ported.ON_FAILURE, fails=status == "fail", HANDLER_FAILS=handler_fails)
    assert run.status.value == status  # runnable 0.50: the handler's end is the run's end
    assert statuses(run) == {"step 1": "fail", "step 4": "success"}


# runnable's 08-mocking: `executor: {type: mocked}` walks the pipeline, running no task.
@pytest.mark.parametrize("example", ["mocked"], indirect=True)
def test_a_mocked_run_walks_the_pipeline_running_nothing(example: Example) -> None:
    run = example(ported.DEFAULT_FAIL)
    assert run.status.value == "success"
    assert statuses(run) == {"step 1": "success", "step 2": "success", "step 3": "success"}
    assert run.steps["step 2"].attempts[0].message.startswith("mocked:")


def test_a_failed_run_is_retried_from_its_main_script(
    example: Example, monkeypatch: pytest.MonkeyPatch
) -> None:
    failed = example(ported.RETRY, fails=True, STILL_BROKEN="1")
    monkeypatch.setenv("STILL_BROKEN", "0")
    again = runplane.service("config.yaml").retry(failed.run_id)
    assert again.status.value == "success"
    assert again.parameters["answer"] == 42
    assert again.steps["prepare"].reused_from == failed.run_id  # not run again


def test_conditional_runs_the_branch_the_parameter_names(example: Example) -> None:
    run = example(ported.CONDITIONAL, FIX_RANDOM_TOSS="tails")
    assert run.parameters["went"] == "went tails"
    assert run.steps["conditional.tails.when_tails_task"].status.value == "success"
    assert "conditional.heads.when_heads_task" not in run.steps
    assert run.steps["continue to"].status.value == "success"


def test_parameters_python_shell_pickled_pydantic_metric_env(example: Example) -> None:
    run = example(ported.PARAMETERS, RUNNABLE_PRM_envvar="from env")
    assert run.status.value == "success", statuses(run)
    assert run.initial_parameters["envvar"] == "from env"
    assert "RUNPLANE_PRM_envvar" not in os.environ  # read as runplane's for that run only
    assert run.steps["set_parameter"].metrics == {"score": 0.9}
    assert run.steps["write_parameter_shell"].returns == {
        "integer": 1,
        "floater": 3.14,
        "stringer": "hello",
        "pydantic_param": {"x": 10, "foo": "bar"},
        "score": 0.9,
    }
    assert run.steps["write_parameter_shell"].metrics == {"score": 0.9}
    assert "$object" in run.parameters["df"]  # pickled into the catalog


def test_catalog_puts_gets_and_store_copy(example: Example, tmp_path: Path) -> None:
    run = example(ported.CATALOG)
    assert run.status.value == "success", statuses(run)
    got = [(e.name, e.stage) for e in run.steps["read_data_shell"].data_catalog]
    assert got == [("df.csv", "get"), ("data_folder/data.txt", "get")]
    assert run.steps["generate_no_copy"].data_catalog == []  # store_copy=False keeps nothing
    catalog = tmp_path / ".catalog" / run.run_id
    assert (catalog / "data_folder" / "data.txt").read_text() == "hello"


def test_catalog_on_fail_keeps_the_files_apart(example: Example, tmp_path: Path) -> None:
    run = example(ported.CATALOG_ON_FAIL)
    assert run.status.value == "success"  # the handler ends with success, as in runnable
    attempt = run.steps["fail_immediately"].attempts[0]
    assert [e.name for e in attempt.failed_files] == ["failed/fail_immediately/attempt-1/df.csv"]
    assert run.steps["fail_immediately"].data_catalog == []
    assert not (tmp_path / ".catalog" / run.run_id / "df.csv").exists()


@pytest.mark.parametrize(
    ("reducer", "python", "shell"),
    [("", [10, 20, 30], [100, 200, 300]), ("lambda *x: max(x)", 30, 300)],
)
def test_parallel_then_map_with_runnable_reducers(
    example: Example, reducer: str, python: Any, shell: Any
) -> None:
    run = example(ported.PARALLEL_MAP, REDUCER=reducer)
    assert run.status.value == "success", statuses(run)
    assert run.parameters["from_one"] == 1
    assert run.parameters["shared"] == "B"  # branches merge in order: the last one wins
    assert (run.parameters["python"], run.parameters["shell"]) == (python, shell)
    assert run.steps["map state.2.execute_shell"].returns == {"processed_shell": 300}


@pytest.mark.parametrize(("stop_at", "final"), [("3", [3, True]), ("99", [4, False])])
def test_loop_index_in_the_environment_and_max_iterations_succeeds(
    example: Example, stop_at: str, final: list[Any]
) -> None:
    run = example(ported.LOOP, STOP_AT=stop_at)
    assert run.status.value == "success"  # also at max_iterations, as in runnable
    assert [run.parameters["final"], run.parameters["stopped"]] == final
    last = final[0]
    assert f"counter_loop.{last}.count" in run.steps
    assert f"counter_loop.{last + 1}.count" not in run.steps


@pytest.mark.skipif(
    any(importlib.util.find_spec(m) is None for m in ("papermill", "ipykernel")),
    reason="papermill and ipykernel (the notebook extra) are not installed",
)
def test_notebook_task_parameters_in_returns_out(example: Example, tmp_path: Path) -> None:
    nbformat = importlib.import_module("nbformat")
    cells = [
        nbformat.v4.new_code_cell("integer = 0", metadata={"tags": ["parameters"]}),
        nbformat.v4.new_code_cell("processed_notebook = integer * 10\nrows = 3"),
    ]
    (tmp_path / "notebooks").mkdir()
    nbformat.write(nbformat.v4.new_notebook(cells=cells), tmp_path / "notebooks/process.ipynb")
    run = example(ported.NOTEBOOK)
    assert run.status.value == "success", statuses(run)
    assert run.steps["read_and_write"].returns == {"processed_notebook": 10, "rows": 3}
    # runnable's name: beside the notebook, `<stem>-<step's letters and digits>_out.ipynb`.
    kept = [e.name for e in run.steps["read_and_write"].data_catalog]
    assert kept == ["notebooks/process-readandwrite_out.ipynb"]
    executed = nbformat.read(tmp_path / ".catalog" / run.run_id / kept[0], as_version=4)
    assert "processed_notebook = integer * 10" in executed.cells[-2].source
    assert not list(tmp_path.glob("*.executed.ipynb"))


def test_python_job(example: Example, tmp_path: Path) -> None:
    run = example(ported.PYTHON_JOB)
    (step,) = run.steps.values()
    assert step.returns == {"doubled": 2, "loss": 0.25}
    assert step.metrics == {"loss": 0.25}
    assert (tmp_path / ".catalog" / run.run_id / "model.txt").read_text() == "model 1"


def test_shell_job(example: Example) -> None:
    run = example(ported.SHELL_JOB)
    assert run.parameters["shouted"] == "HELLO"


def test_reducer_source_strings_are_refused_with_what_to_write() -> None:
    branch = Pipeline(steps=[Stub(name="s")])
    with pytest.raises(PipelineDefinitionError, match="evaluates no strings: pass a function"):
        Map(name="m", iterate_on="xs", iterate_as="x", branch=branch, reducer="lambda *x: x[1]")


def test_only_the_last_step_may_terminate() -> None:
    with pytest.raises(PipelineDefinitionError, match="only the last step may"):
        Pipeline(steps=[Stub(name="a", terminate_with_success=True), Stub(name="b")])


def test_runplane_run_takes_a_main_script_without_running_main_twice(
    cli: Cli, workdir: Path
) -> None:
    # `runplane run` reads the pipeline by calling main() in definition mode: execute()
    # hands the pipeline over instead of running it, so the run happens once, by the CLI.
    (workdir / "p.py").write_text(ported.HEADER + ported.AS_PIPELINE)
    result = cli("run", "p.py", "--run-id", "once", "--json")
    assert result.code == 0, result.stderr
    assert result.json()["parameters"] == {"greeting": "hi"}
    assert [p.name for p in (workdir / ".run_log_store").iterdir()] == ["once"]
