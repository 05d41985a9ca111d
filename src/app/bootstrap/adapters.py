"""Adapters built from configuration sections, each returned as the port it implements.

`plugins.build` picks the adapter class by the section's `type` (an entry-point name) and
checks it implements the port; these wrappers give mypy the port type the root wires.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from runplane.adapters.tasks.asynchronous import EventCallback
from runplane.app import plugins
from runplane.domain.errors import ConfigurationError
from runplane.ports.catalog import Catalog
from runplane.ports.executor import Executor
from runplane.ports.run_log_store import RunLogStore
from runplane.ports.secrets import Secrets
from runplane.ports.task import TaskRunner


def executor(section: dict[str, Any], source: str) -> Executor:
    """The configured executor."""
    built: Executor = plugins.build("executor", section, source)
    return built


def run_log_store(section: dict[str, Any], source: str) -> RunLogStore:
    """The configured run log store."""
    built: RunLogStore = plugins.build("run_log_store", section, source)
    return built


def catalog(section: dict[str, Any], source: str) -> Catalog:
    """The configured catalog."""
    built: Catalog = plugins.build("catalog", section, source)
    return built


def secrets(section: dict[str, Any], source: str) -> Secrets:
    """The configured secrets manager."""
    built: Secrets = plugins.build("secrets", section, source)
    return built


def task_runners(on_event: EventCallback | None) -> Mapping[str, TaskRunner]:
    """One runner per installed task kind; `on_event` goes to those that take it (python)."""
    runners: dict[str, TaskRunner] = {}
    for kind, entry in plugins.task_runners().items():
        cls = entry.load()
        takes_events = "on_event" in _keyword_names(cls)
        runner = cls(on_event=on_event) if takes_events else cls()
        if not isinstance(runner, TaskRunner):
            raise ConfigurationError(
                f"task runner '{kind}' ({entry.value}) does not implement the TaskRunner "
                "port (runplane.ports.task): it has no run method"
            )
        runners[kind] = runner
    return runners


def _keyword_names(cls: type) -> tuple[str, ...]:
    """The argument names of a class's constructor, read from its code.

    Not `inspect.signature`: it costs milliseconds per class in every step's process.
    """
    code = getattr(getattr(cls, "__init__", None), "__code__", None)
    if code is None:  # object's own __init__: no arguments
        return ()
    names: tuple[str, ...] = code.co_varnames[: code.co_argcount + code.co_kwonlyargcount]
    return names


def preload_task_runners() -> None:
    """Import every installed task runner's module (the step server, before it forks)."""
    for entry in plugins.task_runners().values():
        entry.load()
