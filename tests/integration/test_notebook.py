"""The notebook runner with a real kernel, and the notebook example through the CLI."""

import importlib.util
import json
import shutil
import sys
from pathlib import Path

import pytest

from runplane.adapters.tasks.notebook import NotebookTaskRunner
from runplane.domain.errors import ExecutionError, ParameterError
from runplane.domain.graph import ReturnSpec, TaskSpec
from runplane.sdk import metric
from tests.integration.conftest import REPO, Cli

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(
        any(importlib.util.find_spec(m) is None for m in ("papermill", "ipykernel")),
        reason="papermill and ipykernel (the notebook extra) are not installed",
    ),
]


def write_notebook(path: Path, *sources: str, parameters: str) -> Path:
    # Imported by name: part of the extra whose absence skips this module; untyped anyway.
    nbformat = importlib.import_module("nbformat")

    cells = [nbformat.v4.new_code_cell(parameters, metadata={"tags": ["parameters"]})]
    cells += [nbformat.v4.new_code_cell(source) for source in sources]
    nbformat.write(nbformat.v4.new_notebook(cells=cells), path)
    return path


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def task(command: str, *returns: str | ReturnSpec) -> TaskSpec:
    specs = tuple(r if isinstance(r, ReturnSpec) else ReturnSpec(r) for r in returns)
    return TaskSpec(kind="notebook", command=command, returns=specs)


def test_declared_parameters_go_in_and_named_variables_come_out(workdir: Path) -> None:
    write_notebook(
        workdir / "calc.ipynb",
        "product = a * 2\ngreeting = b + '!'\nn = len(greeting)\nopen('out.txt', 'w').write(b)",
        "import sys\npython = sys.executable",
        parameters="a = 1\nb = 'x'\nunset = 'kept'",
    )
    spec = task("calc.ipynb", "product", "greeting", metric("n"), "python")
    result = NotebookTaskRunner().run("calc", spec, {"a": 21, "b": "hi", "other": [1]}, {})

    # The kernel is this interpreter's, whatever kernelspecs the user has installed.
    # A metric is passed on too.
    assert result.returns == {"product": 42, "greeting": "hi!", "n": 3, "python": sys.executable}
    assert result.metrics == {"n": 3}
    assert result.parameters_used == {"a": 21, "b": "hi"}
    assert (workdir / "out.txt").read_text() == "hi"  # the kernel ran in the working directory
    assert result.outputs == ("calc-calc.executed.ipynb",)
    executed = json.loads((workdir / "calc-calc.executed.ipynb").read_text())
    sources = ["".join(cell["source"]) for cell in executed["cells"]]
    assert sources[1] == '# Parameters\na = 21\nb = "hi"\n'


def test_a_failing_cell_is_reported_with_its_error(workdir: Path) -> None:
    write_notebook(workdir / "bad.ipynb", "x = 1", "y = x / 0", parameters="x = 1")
    with pytest.raises(ExecutionError) as raised:
        NotebookTaskRunner().run("m.2.bad", task("bad.ipynb"), {}, {})
    message = str(raised.value)
    assert (
        "step 'm.2.bad': notebook cell In [3] (y = x / 0) failed: "
        "ZeroDivisionError: division by zero" in message
    )
    assert "bad-m.2.bad.executed.ipynb" in message
    assert (workdir / "bad-m.2.bad.executed.ipynb").is_file()


def test_returns_that_are_missing_or_not_json_are_named(workdir: Path) -> None:
    write_notebook(workdir / "r.ipynb", "ok = 1\nodd = object()", parameters="")
    with pytest.raises(ExecutionError) as raised:
        NotebookTaskRunner().run("r", task("r.ipynb", "ok", "odd", "ghost"), {}, {})
    assert "'odd' is a object, not JSON; 'ghost' is not defined" in str(raised.value)


def test_a_declared_parameter_that_is_not_json_is_refused(workdir: Path) -> None:
    write_notebook(workdir / "p.ipynb", "", parameters="data = None")
    with pytest.raises(ParameterError, match=r"parameter 'data' is a set; a notebook takes JSON"):
        NotebookTaskRunner().run("p", task("p.ipynb"), {"data": {1, 2}}, {})


@pytest.mark.parametrize("executor", ["local", "local-subprocess"])
def test_notebook_example_runs_through_the_cli(cli: Cli, workdir: Path, executor: str) -> None:
    example = workdir / "example"
    shutil.copytree(REPO / "examples" / "notebook", example)
    (example / "config.yaml").write_text(f"executor:\n  type: {executor}\n")
    config = ("-c", "config.yaml")
    result = cli("run", "pipeline.py", "--run-id", "nb-1", *config, cwd=example)
    assert result.code == 0, result.stderr
    assert "the notebook's scaled total is 100" in result.stdout

    log = cli("runs", "show", "nb-1", "--json", *config, cwd=example).json()
    analyse = log["steps"]["analyse"]
    assert (analyse["returns"], analyse["metrics"]) == ({"total": 100, "rows": 4}, {"rows": 4})
    assert analyse["parameters"] == {"scale": 10}
    kept = {e["name"]: e for e in analyse["data_catalog"] if e["stage"] == "put"}
    assert set(kept) == {"data/total.txt", "analysis-analyse.executed.ipynb"}
    copy = example / ".catalog" / "nb-1" / "analysis-analyse.executed.ipynb"
    cells = json.loads(copy.read_text())["cells"]
    assert "".join(cells[2]["source"]) == "# Parameters\nscale = 10\n"
    assert log["steps"]["report"]["parameters"] == {"total": 100}
