import os
from pathlib import Path

import pytest

from runplane import Catalog, NotebookJob, PythonJob, RunFailedError, ShellJob, metric
from runplane.domain.errors import PipelineDefinitionError
from runplane.domain.run_log import Status
from runplane.sdk.loader import load_graph, load_job


def fit(rate: float, token_name: str = "api_token") -> tuple[float, float]:
    assert os.environ[token_name] == "s3cr3t"
    Path("model.bin").write_bytes(b"weights")
    return rate * 2, 0.25


def broken() -> None:
    raise ValueError("no data")


@pytest.fixture
def work(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("api_token", "s3cr3t")
    (tmp_path / "params.yaml").write_text("rate: 0.5\n")
    return tmp_path


def test_python_job_is_a_run_with_one_step(work: Path) -> None:
    job = PythonJob(
        fit,
        returns=["doubled", metric("loss")],
        catalog=Catalog(put=["model.bin"]),
        secrets=["api_token"],
    )
    run = job.execute(parameters_file="params.yaml", run_id="job-1", tag="nightly")
    assert run.status is Status.SUCCESS
    assert list(run.steps) == ["fit"]
    step = run.steps["fit"]
    assert step.returns == {"doubled": 1.0, "loss": 0.25}  # a metric is passed on too
    assert step.metrics == {"loss": 0.25}
    assert step.parameters == {"rate": 0.5}
    assert [(c.name, c.stage) for c in step.data_catalog] == [("model.bin", "put")]
    assert (work / ".catalog" / "job-1" / "model.bin").read_bytes() == b"weights"
    assert run.parameters == {"rate": 0.5, "doubled": 1.0, "loss": 0.25}
    assert run.tag == "nightly"
    assert run.pipeline_file == str(Path(__file__).resolve())


def test_shell_job_gets_parameters_and_returns_values(work: Path) -> None:
    job = ShellJob(
        'echo "twice=$((RUNPLANE_PRM_n * 2))" >> "$RUNPLANE_RETURNS"',
        name="double",
        returns=["twice"],
    )
    (work / "n.yaml").write_text("n: 21\n")
    run = job.execute(parameters_file="n.yaml")
    assert run.steps["double"].returns == {"twice": 42}


def test_a_failing_job_raises_with_its_run_log(work: Path) -> None:
    with pytest.raises(RunFailedError, match="no data") as caught:
        PythonJob(broken, max_attempts=2).execute()
    assert len(caught.value.run_log.steps["broken"].attempts) == 2


def test_a_job_cannot_get_files_from_the_catalog() -> None:
    with pytest.raises(PipelineDefinitionError, match="catalog takes only `put`"):
        PythonJob(fit, catalog=Catalog(get=["data.csv"]))


def test_job_files_load_as_jobs_and_as_pipelines_for_step_processes(tmp_path: Path) -> None:
    job_file = tmp_path / "job_file_a.py"
    job_file.write_text("from runplane import ShellJob\njob = ShellJob('true', name='t')\n")
    assert load_job(str(job_file)).step_names() == ["t"]
    assert load_graph(str(job_file)).step_names() == ["t"]


def test_a_file_without_job_is_refused_with_what_it_found(tmp_path: Path) -> None:
    job_file = tmp_path / "job_file_b.py"
    job_file.write_text("job = 3\n")
    with pytest.raises(PipelineDefinitionError, match=r"must define `job`.*found int"):
        load_job(str(job_file))


def test_notebook_job_names_its_step_after_the_notebook(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    Path("Train v2.ipynb").write_text("{}")
    job = NotebookJob("Train v2.ipynb", returns=["accuracy"])
    assert job.pipeline.graph.step_names() == ["Train v2"]
    assert job.pipeline.graph["Train v2"].task is not None
