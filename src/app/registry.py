"""Adapter discovery: each port's entry-point group; a section's `type:` names one entry."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib.metadata import EntryPoint, entry_points
from typing import Any, Generic, TypeVar

from pydantic import BaseModel

from runplane.domain.errors import ConfigurationError
from runplane.ports.catalog import Catalog
from runplane.ports.executor import Executor
from runplane.ports.run_log_store import RunLogStore
from runplane.ports.secrets import Secrets

P = TypeVar("P")


@dataclass(frozen=True)
class Port(Generic[P]):
    """A driven port configured by one `{type, config}` section.

    `protocol` is typed `Any` because mypy refuses a Protocol where `type[P]` is expected;
    the type parameter carries the port's type to `build_port` instead.
    """

    section: str
    group: str
    protocol: Any


EXECUTOR: Port[Executor] = Port("executor", "runplane.executors", Executor)
RUN_LOG_STORE: Port[RunLogStore] = Port("run_log_store", "runplane.run_log_stores", RunLogStore)
CATALOG: Port[Catalog] = Port("catalog", "runplane.catalogs", Catalog)
SECRETS: Port[Secrets] = Port("secrets", "runplane.secrets", Secrets)

#: Config section -> its port, in the order sections are documented and built.
PORTS: dict[str, Port[Any]] = {
    port.section: port for port in (EXECUTOR, RUN_LOG_STORE, CATALOG, SECRETS)
}


def installed(section: str) -> dict[str, EntryPoint]:
    """The adapters installed for a section, by type name."""
    return _registry().get(PORTS[section].group, {})


@cache
def _registry() -> dict[str, dict[str, EntryPoint]]:
    """Every port's entry points, from one pass over the installed distributions.

    Each `entry_points(group=...)` call reads every distribution's metadata again; one
    pass for the four groups costs a quarter of that, once per process.
    """
    everything = entry_points()
    return {
        port.group: {entry.name: entry for entry in everything.select(group=port.group)}
        for port in PORTS.values()
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
