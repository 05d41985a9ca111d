"""runnable's YAML pipelines (`dag:`) load with `runplane run` and give runnable's results."""

from __future__ import annotations

import os
import textwrap
from pathlib import Path

import pytest

import runplane
from runplane.domain.errors import PipelineDefinitionError
from runplane.domain.run_log import RunLog

FUNCTIONS = textwrap.dedent(
    """
    def write_parameter():
        return 1, "hello", 0.9

    def process_chunk(chunk, integer):
        return chunk * 10 + integer

    """
)

PIPELINE = textwrap.dedent(
    """
    branch: &branch
      start_at: execute_python
      steps:
        execute_python:
          type: task
          command: functions.process_chunk
          returns:
            - name: processed_python
          next: execute_shell
        execute_shell:
          type: task
          command_type: shell
          command: |
            [ "$processed_python" = $( expr 10 '*' "$chunk" + 1 ) ] || exit 1
            export processed_shell=$( expr 10 '*' "$processed_python")
          returns:
            - name: processed_shell
          next: success
        success:
          type: success
        fail:
          type: fail

    dag:
      description: parameters, a map over a shared branch, a failure handler that fails
      start_at: set_parameter
      steps:
        set_parameter:
          type: task
          command: functions.write_parameter
          returns:
            - name: integer
            - name: stringer
              kind: object
            - name: score
              kind: metric
          next: map_state
        map_state:
          type: map
          branch: *branch
          iterate_on: chunks
          iterate_as: chunk
          reducer: "lambda *x: max(x)"
          next: step_1
        step_1:
          type: task
          command_type: shell
          command: exit $EXIT_WITH
          next: step_2
          on_failure: step_4
        step_2:
          type: stub
          anything: goes
          next: success
        step_4:
          type: stub
          next: fail
        success:
          type: success
        fail:
          type: fail
    """
)


@pytest.fixture(params=["local", "local-subprocess"])
def folder(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    for key in [k for k in os.environ if k.startswith("RUNPLANE_")]:
        monkeypatch.delenv(key)
    (tmp_path / "config.yaml").write_text(f"executor: {{type: {request.param}}}\n")
    (tmp_path / "functions.py").write_text(FUNCTIONS)
    (tmp_path / "pipeline.yaml").write_text(PIPELINE)
    (tmp_path / "params.yaml").write_text("chunks: [1, 2, 3]\n")
    return tmp_path


def run(monkeypatch: pytest.MonkeyPatch, exit_with: str) -> RunLog:
    monkeypatch.setenv("EXIT_WITH", exit_with)
    app = runplane.service("config.yaml")
    graph = app.load_pipeline("pipeline.yaml")
    return app.run(graph, parameters_file="params.yaml", pipeline_file="pipeline.yaml")


def test_a_runnable_dag_runs_to_success(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    log = run(monkeypatch, "0")
    assert log.status.value == "success"
    assert log.steps["set_parameter"].metrics == {"score": 0.9}
    assert log.parameters["processed_python"] == 31
    assert log.parameters["processed_shell"] == 310
    assert log.steps["map_state.1.execute_shell"].returns == {"processed_shell": 210}
    assert "step_4" not in log.steps


def test_on_failure_chain_ending_in_fail_fails_the_run(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    log = run(monkeypatch, "3")
    assert log.status.value == "fail"
    assert {p: s.status.value for p, s in log.steps.items() if p.startswith("step")} == {
        "step_1": "fail",
        "step_4": "success",
    }


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("next: step_2", "next: step_9"), "no step named 'step_9'"),
        (("iterate_as: chunk", "iterate_az: chunk"), "unknown key 'iterate_az'"),
        (('reducer: "lambda *x: max(x)"', 'reducer: "lambda *x: x[1]"'), "evaluates no strings"),
        (
            ("command: functions.write_parameter", "command: functions.nope"),
            "dag.steps.set_parameter.command: 'functions.nope' is not a function",
        ),
        (("type: stub\n      next: fail", "type: stub\n      next: step_4"), "leads back"),
    ],
)
def test_mistakes_are_refused_naming_file_and_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, change: tuple[str, str], message: str
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "functions.py").write_text(FUNCTIONS)
    (tmp_path / "pipeline.yaml").write_text(PIPELINE.replace(*change))
    with pytest.raises(PipelineDefinitionError, match=r"pipeline file 'pipeline\.yaml'") as info:
        runplane.service().load_pipeline("pipeline.yaml")
    assert message in str(info.value)
