"""The service wired by plain calls: what `execute-step` builds once per step's process.

It wires exactly what `container.Container` wires (the same `plugins.build` per port, the
same task runners), without importing dependency-injector: a process that runs one step
pays for no more than that step needs. Everything else builds the container.
"""

from __future__ import annotations

from collections.abc import Callable

from runplane.adapters.tasks.notebook import NotebookTaskRunner
from runplane.adapters.tasks.python import PythonTaskRunner
from runplane.adapters.tasks.shell import ShellTaskRunner
from runplane.app import plugins
from runplane.app.config import load_settings
from runplane.app.service import RunService
from runplane.ports.task import TaskRunner

#: Task kind -> the runner of its tasks (one instance per service).
TASK_RUNNERS: dict[str, Callable[[], TaskRunner]] = {
    "python": PythonTaskRunner,
    "shell": ShellTaskRunner,
    "notebook": NotebookTaskRunner,
}


def build_service(configuration_file: str | None = None) -> RunService:
    """Load the configuration, build every adapter and the service on it."""
    settings, source = load_settings(configuration_file)
    sections = settings.model_dump()
    return RunService(
        executor=plugins.build("executor", sections["executor"], source),
        run_log_store=plugins.build("run_log_store", sections["run_log_store"], source),
        catalog=plugins.build("catalog", sections["catalog"], source),
        secrets=plugins.build("secrets", sections["secrets"], source),
        task_runners={kind: runner() for kind, runner in TASK_RUNNERS.items()},
        configuration=sections,
        configuration_file=configuration_file,
    )
