import sys
from pathlib import Path

import pytest

from runplane import NotebookTask, Pipeline
from runplane.adapters.tasks import notebook_cells
from runplane.adapters.tasks.notebook import NotebookTaskRunner, executed_path
from runplane.domain.errors import ConfigurationError, PipelineDefinitionError
from runplane.domain.graph import TaskSpec

nbformat = pytest.importorskip("nbformat", reason="the notebook extra is not installed")


def write_notebook(path: Path, *sources: str, parameters: str = "") -> Path:
    cells = [nbformat.v4.new_code_cell(parameters, metadata={"tags": ["parameters"]})]
    cells += [nbformat.v4.new_code_cell(source) for source in sources]
    nbformat.write(nbformat.v4.new_notebook(cells=cells), path)
    return path


def test_a_missing_notebook_is_a_definition_error_naming_the_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(PipelineDefinitionError, match=r"step 'nb': notebook 'absent.ipynb' not"):
        NotebookTask("absent.ipynb", name="nb")


def test_a_path_that_is_not_a_notebook_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "script.py").write_text("")
    with pytest.raises(PipelineDefinitionError, match=r"path of an \.ipynb file, got 'script.py'"):
        NotebookTask("script.py", name="nb")


def test_the_graph_records_a_notebook_task(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    write_notebook(tmp_path / "a.ipynb", "y = 1")
    graph = Pipeline([NotebookTask("a.ipynb", name="nb", returns=["y"])]).graph
    step = graph.to_dict()["steps"]["nb"]
    assert (step["command_type"], step["command"]) == ("notebook", "a.ipynb")
    assert step["returns"] == [{"name": "y", "kind": "json"}]


def test_declared_parameters_are_the_names_assigned_in_tagged_cells(tmp_path: Path) -> None:
    path = write_notebook(
        tmp_path / "a.ipynb",
        "not_a_parameter = 1",
        parameters="alpha = 1\nbeta: str = 'b'\ngamma, delta = 1, 2\nprint(alpha)\nalpha = 3",
    )
    assert notebook_cells.declared(notebook_cells.read(path)) == ["alpha", "beta", "gamma", "delta"]


def test_executed_notebooks_are_named_by_step_path_in_the_working_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    assert executed_path(Path("nb/train.ipynb"), "per file.3.fit") == (
        tmp_path / "train-per_file.3.fit.executed.ipynb"
    )


def test_without_papermill_the_error_names_the_extra(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "papermill", None)  # makes `import papermill` fail
    task = TaskSpec(kind="notebook", command="a.ipynb")
    with pytest.raises(ConfigurationError, match=r"pip install 'runplane\[notebook\]'"):
        NotebookTaskRunner().run("nb", task, {}, {})
