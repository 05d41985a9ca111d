"""The service wired by plain calls: what `execute-step` builds once per step's process.

It wires what `container.Container` wires (the same adapter per port, here typed by
`plugins.build_port`, the same task runners, the same traced-or-not service), without
importing dependency-injector: a
process that runs one step pays for no more than that step needs. Keep the two in step;
`tests/unit/test_step_service.py` compares them. Everything else builds the container.
"""

from __future__ import annotations

from runplane.adapters.tasks.mocked import MockedTaskRunner
from runplane.adapters.tasks.notebook import NotebookTaskRunner
from runplane.adapters.tasks.python import PythonTaskRunner
from runplane.adapters.tasks.shell import ShellTaskRunner
from runplane.app import plugins
from runplane.app.config import load_settings
from runplane.app.service import RunService
from runplane.app.telemetry import build_service as traced_or_not
from runplane.ports.definitions import PipelineDefinitions


def build_service(
    configuration_file: str | None = None, definitions: PipelineDefinitions | None = None
) -> RunService:
    """Load the configuration, build every adapter and the service on it."""
    settings, source = load_settings(configuration_file)
    return traced_or_not(
        telemetry=settings.telemetry,
        source=source,
        executor_type=settings.executor.type,
        executor=plugins.build_port(plugins.EXECUTOR, settings.executor, source),
        run_log_store=plugins.build_port(plugins.RUN_LOG_STORE, settings.run_log_store, source),
        catalog=plugins.build_port(plugins.CATALOG, settings.catalog, source),
        secrets=plugins.build_port(plugins.SECRETS, settings.secrets, source),
        task_runners={
            "python": PythonTaskRunner(on_event=None),
            "shell": ShellTaskRunner(),
            "mocked": MockedTaskRunner(),
            "notebook": NotebookTaskRunner(),
        },
        configuration=settings.sections(),
        configuration_file=configuration_file,
        definitions=definitions,
    )


def preload(configuration_file: str | None = None) -> None:
    """Import the configured adapters' modules, constructing none of them.

    The step server calls this once so that the processes it forks find them imported;
    nothing here logs in, connects or opens a run log (adapters' constructors do no I/O
    either, but they run in each step's process, as before).
    """
    load_settings(configuration_file)  # validating a section imports its adapter
