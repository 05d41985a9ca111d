"""The notebook runner passes the task runner contracts, with a real kernel per task.

A kernel starts in seconds, so by default only the tests of what the kernel's process
gets (its parameter, the attempt's environment) run; RUNPLANE_LONG_TESTS=1 runs all.
"""

import importlib.util
import json
import os
from pathlib import Path
from typing import Any

import pytest

from runplane.adapters.tasks.notebook import NotebookTaskRunner
from runplane.domain.graph import ReturnKind, ReturnSpec, TaskSpec
from runplane.ports.task import TaskRunner
from runplane.testing.task import UNSET, ContractTasks, TaskRunnerExecutionContract

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(
        any(importlib.util.find_spec(m) is None for m in ("papermill", "ipykernel")),
        reason="papermill and ipykernel (the notebook extra) are not installed",
    ),
]

LONG = os.environ.get("RUNPLANE_LONG_TESTS") == "1"
#: The contract tests run by default: one per thing the kernel's process is handed.
DEFAULT = {
    "test_the_task_gets_its_parameter[forty one]",
    "test_the_task_sees_the_env_it_is_given",
    "test_only_the_env_of_its_own_run_reaches_a_task",
}


class NotebookTasks:
    """Notebooks written to the working directory, one per task."""

    def __init__(self, workdir: Path) -> None:
        self._workdir = workdir
        self._count = 0

    def _notebook(
        self, code: str, returns: tuple[ReturnSpec, ...], parameters: str = ""
    ) -> TaskSpec:
        nbformat = importlib.import_module("nbformat")  # part of the extra this file needs
        cells = [nbformat.v4.new_code_cell(parameters, metadata={"tags": ["parameters"]})]
        cells.append(nbformat.v4.new_code_cell(code))
        self._count += 1
        name = f"task{self._count}.ipynb"
        nbformat.write(nbformat.v4.new_notebook(cells=cells), self._workdir / name)
        return TaskSpec("notebook", name, returns=returns)

    def returning(self, values: dict[str, Any], metrics: tuple[str, ...] = ()) -> TaskSpec:
        code = "\n".join(f"{name} = json.loads({json.dumps(v)!r})" for name, v in values.items())
        returns = tuple(
            ReturnSpec(n, ReturnKind.METRIC if n in metrics else ReturnKind.JSON) for n in values
        )
        return self._notebook("import json\n" + code, returns)

    def echoing(self, parameter: str, into: str) -> TaskSpec:
        return self._notebook(f"{into} = {parameter}", (ReturnSpec(into),), f"{parameter} = None")

    def reading_env(self, variable: str, into: str) -> TaskSpec:
        code = f"import os\n{into} = os.environ.get({variable!r}, {UNSET!r})"
        return self._notebook(code, (ReturnSpec(into),))

    def failing(self) -> TaskSpec:
        return self._notebook("raise RuntimeError('the task failed')", ())


class TestNotebookTaskRunner(TaskRunnerExecutionContract):
    @pytest.fixture(autouse=True)
    def _only_the_default_tests_unless_long(self, request: pytest.FixtureRequest) -> None:
        if not LONG and request.node.name not in DEFAULT:
            pytest.skip("a kernel per task: RUNPLANE_LONG_TESTS=1 runs the whole contract")

    @pytest.fixture
    def runner(self) -> TaskRunner:
        return NotebookTaskRunner()

    @pytest.fixture
    def tasks(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> ContractTasks:
        monkeypatch.chdir(tmp_path)
        return NotebookTasks(tmp_path)
