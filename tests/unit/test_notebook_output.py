from pathlib import Path

import pytest

from runplane import NotebookJob, NotebookTask
from runplane.adapters.tasks.notebook import executed_path
from runplane.compat import runnable
from runplane.compat.runnable.tasks import runnable_executed_name
from runplane.domain.errors import PipelineDefinitionError
from runplane.domain.graph import TaskSpec
from runplane.domain.notebook_output import executed_name
from runplane.sdk.loader import load_graph


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("report.html", r"a relative path ending in '\.ipynb', got 'report\.html'"),
        ("/tmp/out.ipynb", r"'/tmp/out\.ipynb' must stay in the working directory"),
        ("../out.ipynb", r"'\.\./out\.ipynb' must stay in the working directory"),
        ("nb/{branch}.ipynb", r"'nb/\{branch\}\.ipynb' has no file name before '\.ipynb'"),
        ("out-*.ipynb", r"only the placeholder \{branch\} and no glob characters"),
        ("out-{step}.ipynb", r"only the placeholder \{branch\} and no glob characters"),
    ],
)
def test_a_name_the_catalog_could_not_find_is_refused(name: str, message: str) -> None:
    with pytest.raises(PipelineDefinitionError, match=message):
        TaskSpec(kind="notebook", command="a.ipynb", executed_as=name)


def test_only_a_notebook_task_takes_a_name_for_its_executed_copy() -> None:
    with pytest.raises(PipelineDefinitionError, match="a shell task has none: remove it"):
        TaskSpec(kind="shell", command="true", executed_as="out.ipynb")


def test_branch_is_the_steps_branch_and_empty_at_the_top() -> None:
    assert executed_name("nb/out-{branch}.ipynb", "train") == "nb/out-.ipynb"
    assert executed_name("out-{branch}.ipynb", "per file.3.fit") == "out-per_file_3.ipynb"
    assert executed_name("fixed.ipynb", "per file.3.fit") == "fixed.ipynb"


def test_the_executed_copy_goes_where_the_task_says(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    output = executed_path(Path("a.ipynb"), "m.0.nb", "kept/{branch}-nb.ipynb")
    assert output == tmp_path / "kept" / "m_0-nb.ipynb"
    assert output.parent.is_dir()  # papermill does not make folders


def test_the_sdk_records_executed_as_on_the_task(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "a.ipynb").write_text("{}")
    step = NotebookTask("a.ipynb", name="nb", executed_as="a_out.ipynb")
    assert step.task.executed_as == "a_out.ipynb"
    job_task = NotebookJob("a.ipynb", executed_as="a_out.ipynb").pipeline.graph.nodes["a"].task
    assert job_task is not None
    assert job_task.executed_as == "a_out.ipynb"
    with pytest.raises(PipelineDefinitionError, match=r"ending in '\.ipynb', got 'a\.txt'"):
        NotebookTask("a.ipynb", name="nb", executed_as="a.txt")


def test_runnable_names_the_copy_after_the_notebook_and_the_steps_letters_and_digits() -> None:
    assert runnable_executed_name("examples/common/simple_notebook.ipynb", "step 1_b") == (
        "examples/common/simple_notebook-{branch}step1b_out.ipynb"
    )
    assert runnable_executed_name("process.ipynb", "") == "process-{branch}_out.ipynb"
    assert runnable_executed_name("/srv/nb/p.ipynb", "s") == "p-{branch}s_out.ipynb"
    assert runnable_executed_name("../nb/p.ipynb", "s") == "p-{branch}s_out.ipynb"


def test_compat_notebook_task_and_job_pass_runnables_name_on(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "nb").mkdir()
    (tmp_path / "nb" / "p.ipynb").write_text("{}")
    task = runnable.NotebookTask(notebook="nb/p.ipynb", name="read_and_write")
    graph = runnable.Pipeline(steps=[task]).graph
    assert graph.nodes["read_and_write"].task is not None
    assert graph.nodes["read_and_write"].task.executed_as == "nb/p-{branch}readandwrite_out.ipynb"
    job_task = runnable.NotebookJob(notebook="nb/p.ipynb").graph.nodes["p"].task
    assert job_task is not None
    assert job_task.executed_as == "nb/p-{branch}_out.ipynb"


def test_a_yaml_notebook_step_takes_executed_as_and_its_errors_name_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "a.ipynb").write_text("{}")
    step = "steps: [{type: notebook, name: nb, command: a.ipynb, executed_as: %s}]\n"
    (tmp_path / "good.yaml").write_text(step % "'out/{branch}a.ipynb'")
    task = load_graph("good.yaml").nodes["nb"].task
    assert task is not None
    assert task.executed_as == "out/{branch}a.ipynb"
    (tmp_path / "bad.yaml").write_text(step % "a.txt")
    with pytest.raises(PipelineDefinitionError, match=r"bad\.yaml.*ending in '\.ipynb'"):
        load_graph("bad.yaml")
