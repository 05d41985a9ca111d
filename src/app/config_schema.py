"""The JSON schema of configuration files: each section's union of installed adapters."""

from __future__ import annotations

from typing import Any, Optional

from pydantic import ConfigDict, TypeAdapter, create_model

from runplane.app import config_sections, registry
from runplane.app.telemetry import TelemetryConfig
from runplane.domain.errors import ConfigurationError

_SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"


def config_schema(section: str | None = None) -> dict[str, Any]:
    """The schema of a whole configuration file, or of one section when `section` is given."""
    if section is not None:
        if section not in registry.PORTS:
            valid = ", ".join(registry.PORTS)
            raise ConfigurationError(f"unknown section {section!r}; valid sections: {valid}")
        schema = TypeAdapter(config_sections.section_union(section)).json_schema()
        schema.setdefault("title", section)
    else:
        fields: dict[str, Any] = {
            name: (Optional[config_sections.section_union(name)], None)  # noqa: UP045
            for name in registry.PORTS
        }
        # Not a port, but a section the loader accepts: a schema without it would flag
        # files that load.
        fields["telemetry"] = (Optional[TelemetryConfig], None)  # noqa: UP045
        model = create_model(
            "RunplaneConfiguration",
            __config__=ConfigDict(extra="forbid", title="runplane configuration"),
            **fields,
        )
        schema = model.model_json_schema()
    return {"$schema": _SCHEMA_DIALECT, **schema}
