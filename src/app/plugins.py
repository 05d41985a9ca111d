"""Adapter discovery through entry points: the `type:` of a section is an entry-point name."""

from __future__ import annotations

from functools import cache
from importlib.metadata import EntryPoint, entry_points
from typing import Any

from pydantic import BaseModel, ValidationError

from runplane.domain.errors import ConfigurationError
from runplane.ports.catalog import Catalog
from runplane.ports.executor import Executor
from runplane.ports.run_log_store import RunLogStore
from runplane.ports.secrets import Secrets

#: Config section -> (entry-point group, the port its adapters must satisfy).
PORTS: dict[str, tuple[str, type]] = {
    "executor": ("runplane.executors", Executor),
    "run_log_store": ("runplane.run_log_stores", RunLogStore),
    "catalog": ("runplane.catalogs", Catalog),
    "secrets": ("runplane.secrets", Secrets),
}


#: Task runners, by task kind ("python", "shell"): not a configuration section, one of each.
TASK_RUNNERS = "runplane.task_runners"


def installed(section: str) -> dict[str, EntryPoint]:
    """The adapters installed for a section, by type name."""
    group, _ = PORTS[section]
    return _registry().get(group, {})


def task_runners() -> dict[str, EntryPoint]:
    """The task runners installed, by task kind."""
    return _registry().get(TASK_RUNNERS, {})


@cache
def _registry() -> dict[str, dict[str, EntryPoint]]:
    """Every port's entry points, from one pass over the installed distributions.

    Each `entry_points(group=...)` call reads every distribution's metadata again; one
    pass for the five groups costs a fifth of that, once per process.
    """
    everything = entry_points()
    return {
        group: {entry.name: entry for entry in everything.select(group=group)}
        for group in [*(group for group, _ in PORTS.values()), TASK_RUNNERS]
    }


def load(section: str, type_name: str) -> type:
    """The adapter class registered as `type_name`; errors list valid types or the package."""
    available = installed(section)
    entry = available.get(type_name)
    if entry is None:
        valid = ", ".join(sorted(available)) or "none installed"
        raise ConfigurationError(f"{section}: unknown type '{type_name}'; valid types: {valid}")
    try:
        cls: type = entry.load()
    except ImportError as exc:
        dist = entry.dist.name if entry.dist else "an unknown distribution"
        raise ConfigurationError(
            f"{section}: type '{type_name}' (from {dist}) failed to import: {exc}"
        ) from exc
    config_model = getattr(cls, "Config", None)
    if not isinstance(config_model, type) or not issubclass(config_model, BaseModel):
        raise ConfigurationError(
            f"{section}: adapter {cls.__module__}.{cls.__qualname__} has no pydantic `Config` model"
        )
    return cls


def build(section: str, raw: dict[str, Any], source: str) -> Any:
    """Validate a `{type, config}` section and construct its adapter (constructors do no I/O)."""
    if not isinstance(raw, dict):
        raise ConfigurationError(f"{source}: {section} must be a mapping with 'type' and 'config'")
    unknown = sorted(set(raw) - {"type", "config"})
    if unknown:
        raise ConfigurationError(
            f"{source}: {section}: unknown key(s) {', '.join(unknown)}; a section has "
            "'type' and 'config'"
        )
    type_name = raw.get("type")
    if not isinstance(type_name, str):
        valid = ", ".join(sorted(installed(section)))
        raise ConfigurationError(f"{source}: {section}.type is required; valid types: {valid}")
    try:
        cls = load(section, type_name)
    except ConfigurationError as exc:
        raise ConfigurationError(f"{source}: {exc}") from exc.__cause__
    try:
        config = cls.Config.model_validate(raw.get("config") or {})  # type: ignore[attr-defined]
    except ValidationError as exc:
        raise ConfigurationError(f"{source}: {_describe(section, type_name, cls, exc)}") from None
    adapter = cls(config=config)
    _, port = PORTS[section]
    if not isinstance(adapter, port):
        missing = [m for m in dir(port) if not m.startswith("_") and not hasattr(adapter, m)]
        raise ConfigurationError(
            f"{source}: {section} type '{type_name}' does not implement {port.__name__}: "
            f"missing {', '.join(missing)}"
        )
    return adapter


def _describe(section: str, type_name: str, cls: type, exc: ValidationError) -> str:
    fields = ", ".join(cls.Config.model_fields) or "none"  # type: ignore[attr-defined]
    problems = []
    for error in exc.errors():
        key = ".".join(str(part) for part in error["loc"])
        where = f"{section}.config.{key}" if key else f"{section}.config"
        if error["type"] == "extra_forbidden":
            problems.append(f"{where}: unknown key for type '{type_name}'; valid keys: {fields}")
        else:
            problems.append(f"{where}: {error['msg']}")
    return "; ".join(problems)
