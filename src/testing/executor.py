"""The contracts every executor passes: override `run_pipeline`.

An executor walks a graph and hands each step to the application's one step path, in
this process or in processes it starts (which load the pipeline's file and the
configuration themselves). So the contract runs whole pipelines: it gives pipeline source
(runplane's own SDK), and the subclass's `run_pipeline` runs it with the executor under
test, in a working directory of the test's own, and returns the run's record.

The pipelines' tasks append lines to `trace.txt` in the working directory, so the
contract sees what ran, in which order and with which environment, whatever process the
task ran in.
"""

from __future__ import annotations

from pathlib import Path
from typing import Protocol

import pytest

from runplane.domain.run_log import RunLog, Status

#: The secret the contract's pipelines declare; `run_pipeline` runs with it in its
#: environment (the default secrets provider reads the environment).
SECRET = "RUNPLANE_EXECUTOR_CONTRACT_SECRET"
SECRET_VALUE = "executor contract secret"
TRACE = "trace.txt"

_HEADER = f"""\
import os
from pathlib import Path

from runplane import Map, Parallel, Pipeline, PythonTask


def trace(line):
    with Path({TRACE!r}).open("a") as out:
        out.write(str(line) + "\\n")


def step(name):
    def run():
        trace(name)

    run.__name__ = name
    return PythonTask(run, name=name)
"""


class RunPipeline(Protocol):
    """Runs pipeline source with the executor under test; the run's record, ended."""

    def __call__(self, source: str) -> RunLog:
        """Write `source` as a pipeline file, run it, return the run's record.

        A run that fails is returned too (its status says so). It runs in the current
        working directory (the contract's `workdir` fixture, which also sets SECRET).
        """
        ...


def pipeline_source(body: str) -> str:
    """A pipeline file: the contract's helpers (`trace`, `step`, SDK names) and `body`."""
    return _HEADER + "\n\n" + body


def traced(workdir: Path) -> list[str]:
    """The lines the run's tasks traced, in the order they were written."""
    trace = workdir / TRACE
    return trace.read_text().splitlines() if trace.exists() else []


def statuses(log: RunLog) -> dict[str, Status]:
    """Each recorded step's status, by path."""
    return {path: step.status for path, step in log.steps.items()}


LINEAR = pipeline_source('pipeline = Pipeline([step("first"), step("second"), step("third")])')

PARALLEL = pipeline_source(
    """\
pipeline = Pipeline(
    [
        step("before"),
        Parallel(
            "fork",
            branches={
                "left": Pipeline([step("left_step")]),
                "right": Pipeline([step("right_step")]),
            },
        ),
        step("after"),
    ]
)
"""
)


class ExecutorContract:
    """Behaviour every executor has, including one that runs no task (mocked)."""

    @pytest.fixture
    def workdir(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
        """The working directory and environment `run_pipeline` runs in."""
        monkeypatch.chdir(tmp_path)
        monkeypatch.setenv(SECRET, SECRET_VALUE)
        return tmp_path

    @pytest.fixture
    def run_pipeline(self, workdir: Path) -> RunPipeline:
        raise NotImplementedError(
            "override `run_pipeline`: runs pipeline source with the executor under test"
        )

    def test_a_linear_pipeline_succeeds_with_every_step_recorded(
        self, run_pipeline: RunPipeline, workdir: Path
    ) -> None:
        check_linear(run_pipeline(LINEAR))

    def test_every_branch_of_a_parallel_step_is_recorded(
        self, run_pipeline: RunPipeline, workdir: Path
    ) -> None:
        check_parallel(run_pipeline(PARALLEL))


def check_linear(log: RunLog) -> None:
    """LINEAR ran to success, each step recorded once."""
    assert log.status is Status.SUCCESS, log.message
    assert statuses(log) == dict.fromkeys(("first", "second", "third"), Status.SUCCESS)
    assert [len(s.attempts) for s in log.steps.values()] == [1, 1, 1]


def check_parallel(log: RunLog) -> None:
    """PARALLEL ran to success, the composite step and each branch's step recorded."""
    assert log.status is Status.SUCCESS, log.message
    assert log.steps["fork"].branches == {"left": "success", "right": "success"}
    assert statuses(log) == dict.fromkeys(
        ("before", "fork", "fork.left.left_step", "fork.right.right_step", "after"),
        Status.SUCCESS,
    )


class ExecutorRunsTasksContract(ExecutorContract):
    """Behaviour of executors that run every task: order, parameters, failures, env."""

    # The two tests of the base contract, which also look at what ran (one run each: an
    # executor that starts processes takes seconds per run).
    def test_a_linear_pipeline_succeeds_with_every_step_recorded(
        self, run_pipeline: RunPipeline, workdir: Path
    ) -> None:
        check_linear(run_pipeline(LINEAR))
        assert traced(workdir) == ["first", "second", "third"]

    def test_every_branch_of_a_parallel_step_is_recorded(
        self, run_pipeline: RunPipeline, workdir: Path
    ) -> None:
        check_parallel(run_pipeline(PARALLEL))
        lines = traced(workdir)
        # Branches run after the step before the parallel one and before the step after.
        assert lines[0] == "before"
        assert sorted(lines[1:3]) == ["left_step", "right_step"]
        assert lines[3:] == ["after"]

    def test_a_step_gets_what_earlier_steps_returned(self, run_pipeline: RunPipeline) -> None:
        log = run_pipeline(
            pipeline_source(
                """\
def produce():
    return 41, "forty one"


def consume(x, label):
    return x + 1


pipeline = Pipeline(
    [PythonTask(produce, returns=["x", "label"]), PythonTask(consume, returns=["y"])]
)
"""
            )
        )
        assert log.status is Status.SUCCESS, log.message
        assert log.steps["consume"].parameters == {"x": 41, "label": "forty one"}
        assert log.steps["consume"].returns == {"y": 42}

    def test_a_map_runs_each_item_with_its_own_value(self, run_pipeline: RunPipeline) -> None:
        log = run_pipeline(
            pipeline_source(
                """\
def items():
    return [1, 2, 3]


def times_ten(item):
    return item * 10


pipeline = Pipeline(
    [
        PythonTask(items, returns=["values"]),
        Map(
            "each",
            iterate_on="values",
            iterate_as="item",
            branch=Pipeline([PythonTask(times_ten, returns=["scaled"])]),
        ),
    ]
)
"""
            )
        )
        assert log.status is Status.SUCCESS, log.message
        scaled = {
            path: step.returns["scaled"]
            for path, step in log.steps.items()
            if path.endswith(".times_ten")
        }
        assert sorted(scaled.values()) == [10, 20, 30]
        assert len(scaled) == 3

    def test_a_failing_step_fails_the_run_and_nothing_after_it_runs(
        self, run_pipeline: RunPipeline, workdir: Path
    ) -> None:
        log = run_pipeline(
            pipeline_source(
                """\
def boom():
    trace("boom")
    raise RuntimeError("the contract's failure")


pipeline = Pipeline([step("first"), PythonTask(boom), step("never")])
"""
            )
        )
        assert log.status is Status.FAIL
        assert log.steps["boom"].status is Status.FAIL
        assert "the contract's failure" in log.steps["boom"].attempts[-1].message
        assert "never" not in log.steps
        assert traced(workdir) == ["first", "boom"]

    def test_a_failure_handler_runs_and_the_run_still_fails(
        self, run_pipeline: RunPipeline, workdir: Path
    ) -> None:
        log = run_pipeline(
            pipeline_source(
                """\
def boom():
    raise RuntimeError("handled")


pipeline = Pipeline(
    [PythonTask(boom, on_failure=step("handler")), step("never")]
)
"""
            )
        )
        assert log.status is Status.FAIL
        assert statuses(log) == {"boom": Status.FAIL, "handler": Status.SUCCESS}
        assert traced(workdir) == ["handler"]

    def test_each_attempt_sees_its_number_and_the_step_its_secret(
        self, run_pipeline: RunPipeline, workdir: Path
    ) -> None:
        log = run_pipeline(
            pipeline_source(
                f"""\
def flaky():
    attempt = os.environ["RUNPLANE_ATTEMPT"]
    trace(attempt + ":" + str(os.environ.get({SECRET!r}) == {SECRET_VALUE!r}))
    if attempt == "1":
        raise RuntimeError("first attempt fails")


pipeline = Pipeline([PythonTask(flaky, secrets=[{SECRET!r}], max_attempts=2)])
"""
            )
        )
        assert log.status is Status.SUCCESS, log.message
        assert [a.status for a in log.steps["flaky"].attempts] == [Status.FAIL, Status.SUCCESS]
        assert traced(workdir) == ["1:True", "2:True"]
