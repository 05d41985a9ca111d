"""Adapters built from configuration sections, each returned as the port it implements.

`load_settings` validated each section against the adapter its `type` names (an entry
point); `plugins.build_port` constructs it and checks it implements the port, typed.
"""

from __future__ import annotations

from collections.abc import Mapping

from runplane.adapters.tasks.asynchronous import EventCallback
from runplane.app import plugins, registry
from runplane.app.config import Settings
from runplane.domain.errors import ConfigurationError
from runplane.ports.catalog import Catalog
from runplane.ports.executor import Executor
from runplane.ports.run_log_store import RunLogStore
from runplane.ports.secrets import Secrets
from runplane.ports.task import TaskRunner


def executor(settings: Settings, source: str) -> Executor:
    """The configured executor."""
    return plugins.build_port(plugins.EXECUTOR, settings.executor, source)


def run_log_store(settings: Settings, source: str) -> RunLogStore:
    """The configured run log store."""
    return plugins.build_port(plugins.RUN_LOG_STORE, settings.run_log_store, source)


def catalog(settings: Settings, source: str) -> Catalog:
    """The configured catalog."""
    return plugins.build_port(plugins.CATALOG, settings.catalog, source)


def secrets(settings: Settings, source: str) -> Secrets:
    """The configured secrets manager."""
    return plugins.build_port(plugins.SECRETS, settings.secrets, source)


def task_runners(on_event: EventCallback | None) -> Mapping[str, TaskRunner]:
    """One runner per installed task kind; `on_event` goes to those that take it (python)."""
    runners: dict[str, TaskRunner] = {}
    for kind, entry in registry.task_runners().items():
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
    for entry in registry.task_runners().values():
        entry.load()
