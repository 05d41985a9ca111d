"""The application loads pipeline files only through the `PipelineDefinitions` it is given."""

from pathlib import Path

import pytest

import runplane
from runplane import Pipeline, PythonTask
from runplane.adapters.executors.local import LocalExecutor
from runplane.adapters.run_log_stores.buffered import BufferedRunLogStore
from runplane.adapters.tasks.python import PythonTaskRunner
from runplane.app.service import RunService
from runplane.domain.errors import PipelineDefinitionError
from runplane.domain.graph import Graph
from runplane.domain.run_log import Status
from runplane.ports.definitions import PipelineDefinitions
from tests.fakes import DictSecrets, MemoryCatalog


def one() -> int:
    return 1


GRAPH = Pipeline([PythonTask(one, returns=["x"])]).graph


class Recording:
    """Definitions that hand out GRAPH and remember which files were asked for."""

    def __init__(self) -> None:
        self.asked: list[str] = []

    def pipeline(self, pipeline_file: str) -> Graph:
        self.asked.append(f"pipeline {pipeline_file}")
        return GRAPH

    def job(self, job_file: str) -> Graph:
        self.asked.append(f"job {job_file}")
        return GRAPH


def make_service(definitions: PipelineDefinitions | None) -> RunService:
    return RunService(
        executor=LocalExecutor(),
        run_log_store=BufferedRunLogStore(),
        catalog=MemoryCatalog(),
        secrets=DictSecrets(),
        task_runners={"python": PythonTaskRunner()},
        definitions=definitions,
    )


def test_the_service_loads_files_through_its_definitions() -> None:
    definitions = Recording()
    service = make_service(definitions)
    assert service.load_pipeline("p.py") is GRAPH
    assert service.load_job("j.py") is GRAPH
    assert definitions.asked == ["pipeline p.py", "job j.py"]


def test_retry_loads_the_recorded_pipeline_file_through_the_definitions() -> None:
    definitions = Recording()
    service = make_service(definitions)
    service.run(GRAPH, run_id="first", pipeline_file="recorded.py")
    retried = service.retry("first", new_run_id="second")
    assert retried.status is Status.SUCCESS
    [asked] = definitions.asked  # the file the run recorded (made absolute), loaded once
    assert asked.startswith("pipeline ")
    assert asked.endswith("recorded.py")


def test_retry_of_a_run_without_its_pipeline_file_says_to_pass_one() -> None:
    service = make_service(Recording())
    service.run(GRAPH, run_id="first")
    with pytest.raises(PipelineDefinitionError, match="does not record its pipeline file"):
        service.retry("first", new_run_id="second")


def test_a_service_without_definitions_refuses_files_by_name() -> None:
    service = make_service(None)
    with pytest.raises(PipelineDefinitionError, match=r"pipeline file 'p\.py'.*without pipeline"):
        service.load_pipeline("p.py")
    with pytest.raises(PipelineDefinitionError, match=r"job file 'j\.py'"):
        service.load_job("j.py")


def test_the_public_service_loads_yaml_and_python_files(tmp_path: Path) -> None:
    (tmp_path / "p.yaml").write_text("steps:\n  - {type: stub, name: s}\n")
    graph = runplane.service().load_pipeline(str(tmp_path / "p.yaml"))
    assert graph.step_names() == ["s"]
