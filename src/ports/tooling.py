"""The driving port for tooling: configuration schema and report, installed adapters."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable


@dataclass(frozen=True)
class AdapterInfo:
    """One installed adapter: the port it serves, its `type:` name and where it comes from."""

    section: str  # the config section: executor, run_log_store, catalog, secrets
    type: str
    target: str  # module:Class
    distribution: str
    version: str
    error: str = ""  # why it failed to load, if it did


@dataclass(frozen=True)
class ConfigValue:
    """One leaf of the effective configuration and where its value came from."""

    path: str  # 'run_log_store.config.log_folder'
    value: Any  # secrets already masked
    source: str  # 'file', 'env' or 'default'


@runtime_checkable
class Tooling(Protocol):
    """What editors and people inspecting an installation ask about."""

    def config_schema(self, section: str | None = None) -> dict[str, Any]:
        """JSON schema of the configuration file (or one section) from installed adapters.

        Raises ConfigurationError naming the valid sections for an unknown one.
        """
        ...

    def effective_config(self, configuration_file: str | None = None) -> list[ConfigValue]:
        """Every setting after environment overrides, secrets masked, with its source.

        Raises ConfigurationError when the file or a section is invalid.
        """
        ...

    def pipeline_schema(self) -> dict[str, Any]:
        """JSON schema of YAML pipeline files."""
        ...

    def adapters(self) -> list[AdapterInfo]:
        """Every installed adapter, by section then type; failures to load are reported."""
        ...
