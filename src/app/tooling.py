"""The tooling use cases: configuration schema and report, installed adapters."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from runplane.app import plugins
from runplane.domain.errors import ConfigurationError
from runplane.ports.tooling import AdapterInfo, ConfigValue


class ToolingService:
    """Answers questions about this installation; builds no adapter it does not need.

    `pipeline_schema` makes the YAML pipeline schema; the SDK owns that format, and app does
    not import the SDK, so the console script passes it in.
    """

    def __init__(self, pipeline_schema: Callable[[], dict[str, Any]]) -> None:
        self._pipeline_schema = pipeline_schema

    def config_schema(self, section: str | None = None) -> dict[str, Any]:
        """JSON schema of the configuration file (or one section) from installed adapters."""
        from runplane.app import config_schema  # noqa: PLC0415  (only this command needs it)

        return config_schema.config_schema(section)

    def effective_config(self, configuration_file: str | None = None) -> list[ConfigValue]:
        """Every setting after environment overrides, secrets masked, with its source."""
        from runplane.app import config_report  # noqa: PLC0415  (only this command needs it)

        return config_report.effective_config(configuration_file)

    def pipeline_schema(self) -> dict[str, Any]:
        """JSON schema of YAML pipeline files (schemas/pipeline.schema.json)."""
        return self._pipeline_schema()

    def adapters(self) -> list[AdapterInfo]:
        """Every installed adapter, by section then type; failures to load are reported."""
        found = []
        for section in plugins.PORTS:
            for type_name, entry in sorted(plugins.installed(section).items()):
                error = ""
                try:
                    plugins.load(section, type_name)
                except ConfigurationError as exc:
                    error = str(exc)
                dist = entry.dist
                found.append(
                    AdapterInfo(
                        section=section,
                        type=type_name,
                        target=entry.value,
                        distribution=dist.name if dist else "unknown",
                        version=dist.version if dist else "unknown",
                        error=error,
                    )
                )
        return found
