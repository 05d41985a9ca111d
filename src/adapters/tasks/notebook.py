"""Runs a Jupyter notebook with papermill, parameters injected and returns read back.

Contract with the notebook:
- run parameters whose names are assigned in the cell tagged `parameters` are injected
  (papermill adds a `# Parameters` cell after it); other parameters are not passed, and a
  declared name without a run parameter keeps the notebook's own default;
- the kernel is an ipykernel of this interpreter, started in the working directory, so the
  notebook reads and writes files where the catalog looks for them, with the attempt's
  variables (secrets, `RUNPLANE_ATTEMPT`) in its environment;
- each name in the step's `returns` must be a JSON-serialisable variable of the notebook
  when its last cell ends (numpy values are converted with `.tolist()`);
- the executed notebook is written to the task's `executed_as` (relative to the working
  directory, see domain.notebook_output), else to `<stem>-<step path>.executed.ipynb` there,
  also when a cell fails; on success it is returned as an output for the catalog.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import sys
import tempfile
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from runplane.adapters.tasks import notebook_cells
from runplane.domain.errors import ConfigurationError, ExecutionError, ParameterError
from runplane.domain.graph import TaskSpec
from runplane.domain.notebook_output import executed_name
from runplane.domain.parameters import split_returns
from runplane.ports.task import TaskResult

#: The kernel is this interpreter's own ipykernel, never a kernelspec of that name found
#: elsewhere (a user-level `python3` kernelspec may point at another Python).
KERNEL_NAME = "python3"
INSTALL_HINT = "pip install 'runplane[notebook]'"


class NotebookTaskRunner:
    """Executes the task's notebook in a fresh kernel process through papermill."""

    def run(
        self,
        step_path: str,
        task: TaskSpec,
        parameters: Mapping[str, Any],
        env: Mapping[str, str],
    ) -> TaskResult:
        engine = _Papermill(env)
        notebook = Path(task.command)
        if not notebook.is_file():
            raise ExecutionError(
                f"step {step_path!r}: notebook '{notebook}' not found in the working "
                f"directory '{Path.cwd()}'"
            )
        source = notebook_cells.read(notebook)
        injected = _injected(step_path, notebook_cells.declared(source), parameters)
        output = executed_path(notebook, step_path, task.executed_as)
        with tempfile.TemporaryDirectory(prefix="runplane-") as scratch:
            returns_file = Path(scratch) / "returns.json"
            names = [r.name for r in task.returns]
            if names:
                source.cells.append(notebook_cells.returns_cell(names, returns_file))
            engine.execute(step_path, source, output, injected)
            values = _read_returns(step_path, notebook, returns_file) if names else {}
        ordered = [values[name] for name in names]
        returned, metrics = split_returns(
            step_path, task.returns, ordered[0] if len(ordered) == 1 else tuple(ordered)
        )
        return TaskResult(
            returns=returned,
            metrics=metrics,
            parameters_used=injected,
            outputs=(output.relative_to(Path.cwd()).as_posix(),),
        )


def executed_path(notebook: Path, step_path: str, executed_as: str | None = None) -> Path:
    """Where the executed copy of `notebook` for a step goes, under the working directory."""
    if executed_as is not None:
        output = Path.cwd() / executed_name(executed_as, step_path)
        # A name in a folder of its own (runnable's `<notebook folder>/..._out.ipynb`).
        output.parent.mkdir(parents=True, exist_ok=True)
        return output
    safe_step = re.sub(r"[^A-Za-z0-9_.-]", "_", step_path)
    return Path.cwd() / f"{notebook.stem}-{safe_step}.executed.ipynb"


class _Papermill:
    """Papermill with a kernel manager bound to this interpreter's ipykernel."""

    def __init__(self, env: Mapping[str, str]) -> None:
        try:
            import papermill  # noqa: PLC0415  (optional extra, imported when first needed)
        except ImportError:
            raise ConfigurationError(_not_installed("papermill")) from None
        # The kernel runs ipykernel in a child process; importing it here would cost ~0.3 s.
        if importlib.util.find_spec("ipykernel") is None:
            raise ConfigurationError(_not_installed("ipykernel"))
        self._papermill = papermill
        self._manager_class = _kernel_manager_class(env)

    def execute(self, step_path: str, source: Any, output: Path, injected: dict[str, Any]) -> None:
        """Run every cell of `source`, writing the executed copy to `output`."""
        from papermill.exceptions import PapermillExecutionError  # noqa: PLC0415

        try:
            self._papermill.execute_notebook(
                source,
                str(output),
                parameters=injected,
                kernel_name=KERNEL_NAME,
                language="python",
                # A class, not an instance: nbclient shuts down kernels it created itself.
                kernel_manager_class=self._manager_class,
                cwd=str(Path.cwd()),
                progress_bar=False,
                stdout_file=sys.stdout,
                stderr_file=sys.stderr,
            )
        except PapermillExecutionError as exc:
            first_line = (exc.source.strip().splitlines() or [""])[0][:60]
            raise ExecutionError(
                f"step {step_path!r}: notebook cell In [{exc.exec_count}] ({first_line}) "
                f"failed: {exc.ename}: {exc.evalue} (the executed notebook shows the "
                f"traceback: {output.name})"
            ) from None
        except Exception as exc:
            # Kernel start-up and I/O failures come from jupyter_client, nbformat or zmq.
            raise ExecutionError(
                f"step {step_path!r}: notebook could not be executed: {type(exc).__name__}: {exc}"
            ) from exc


def _kernel_manager_class(env: Mapping[str, str]) -> type[Any]:
    """A kernel manager that starts this interpreter's ipykernel with `env` added."""
    from jupyter_client.kernelspec import KernelSpecManager  # noqa: PLC0415
    from jupyter_client.manager import AsyncKernelManager  # noqa: PLC0415
    from traitlets import default  # noqa: PLC0415

    class ThisPythonKernelManager(AsyncKernelManager):
        @default("kernel_spec_manager")
        def _only_the_native_kernel(self) -> KernelSpecManager:
            # No kernel directories: the lookup falls through to ipykernel's native spec,
            # whose command is sys.executable, so the notebook sees exactly this venv.
            return KernelSpecManager(kernel_dirs=[])

        # jupyter_client types start_kernel as the sync manager's; this class's is a coroutine.
        async def start_kernel(self, **kw: Any) -> None:  # type: ignore[override]
            # The kernel is the task's process: it gets the attempt's variables (secrets,
            # RUNPLANE_ATTEMPT) on top of this process's environment, as a shell task does.
            kw["env"] = {**os.environ, **kw.get("env", {}), **env}
            await super().start_kernel(**kw)

    return ThisPythonKernelManager


def _not_installed(package: str) -> str:
    return f"notebook tasks need {package}, which is not installed; install: {INSTALL_HINT}"


def _injected(step_path: str, declared: list[str], parameters: Mapping[str, Any]) -> dict[str, Any]:
    """The run parameters the notebook declares; they must be JSON values."""
    injected = {name: parameters[name] for name in declared if name in parameters}
    for name, value in injected.items():
        try:
            json.dumps(value, allow_nan=False)
        except (TypeError, ValueError):
            raise ParameterError(
                f"step {step_path!r}: parameter {name!r} is a {type(value).__name__}; a "
                "notebook takes JSON values only (str, numbers, bools, lists, dicts, null)"
            ) from None
    return injected


def _read_returns(step_path: str, notebook: Path, returns_file: Path) -> dict[str, Any]:
    written = json.loads(returns_file.read_text())
    problems: dict[str, str] = written["problems"]
    if problems:
        listed = "; ".join(f"{name!r} is {why}" for name, why in problems.items())
        raise ExecutionError(
            f"step {step_path!r}: notebook '{notebook}' cannot return {listed}; returns must "
            "be JSON-serialisable variables defined when the last cell ends"
        )
    values: dict[str, Any] = written["values"]
    return values
