"""Whether to trace, and the service to build: OpenTelemetry is imported only when tracing.

Tracing is on when the `telemetry:` section names an endpoint, or when the standard
`OTEL_EXPORTER_OTLP_(TRACES_)ENDPOINT` variable is set and the `otel` extra is installed;
`enabled: false` (or `OTEL_SDK_DISABLED=true`) turns it off. Without either, nothing of
OpenTelemetry is imported and nothing is sent.
"""

from __future__ import annotations

import importlib.metadata
import logging
import os
from collections.abc import Mapping
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, ValidationError

from runplane.app.service import RunService
from runplane.domain.errors import ConfigurationError

logger = logging.getLogger(__name__)

#: Standard OpenTelemetry variables that name where spans go.
ENDPOINT_VARIABLES = ("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", "OTEL_EXPORTER_OTLP_ENDPOINT")
_EXTRA = "pip install 'runplane[otel]'"


class TelemetryConfig(BaseModel):
    """The optional `telemetry:` section (headers, which may hold keys, only by variable)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    #: false: never trace, even when OTEL_* variables are set.
    enabled: bool = True
    #: Base URL of an OTLP collector (`http://collector:4318`); else the OTEL_* variables.
    endpoint: str | None = None
    protocol: Literal["http/protobuf", "grpc"] = "http/protobuf"
    #: The `service.name` of the spans; else $OTEL_SERVICE_NAME, else "runplane".
    service_name: str | None = None


def telemetry_config(section: Mapping[str, Any] | None, source: str) -> TelemetryConfig:
    """Validate the section; errors name the key and the valid keys."""
    try:
        return TelemetryConfig.model_validate(dict(section or {}))
    except ValidationError as exc:
        valid = ", ".join(TelemetryConfig.model_fields)
        problems = "; ".join(
            f"telemetry.{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()
        )
        raise ConfigurationError(f"{source}: {problems} (valid keys: {valid})") from None


def wanted(config: TelemetryConfig, environ: Mapping[str, str]) -> bool:
    """Whether spans should be sent, without importing OpenTelemetry.

    Raises ConfigurationError when the section names an endpoint but the extra is missing.
    """
    if not config.enabled or environ.get("OTEL_SDK_DISABLED", "").lower() == "true":
        return False
    if config.endpoint is not None:
        if not _installed():
            raise ConfigurationError(
                f"telemetry.endpoint is set but OpenTelemetry is not installed: {_EXTRA}"
            )
        return True
    if not any(environ.get(name) for name in ENDPOINT_VARIABLES):
        return False
    if not _installed():
        logger.debug("OTEL_* endpoint set but the otel extra is missing; not tracing")
        return False
    return True


def _installed() -> bool:
    """Whether the otel extra is installed, asked of the package metadata (imports nothing)."""
    try:
        importlib.metadata.distribution("opentelemetry-sdk")
        importlib.metadata.distribution("opentelemetry-exporter-otlp-proto-http")
    except importlib.metadata.PackageNotFoundError:
        return False
    return True


def build_service(
    *, telemetry: Mapping[str, Any] | None, source: str, executor_type: str, **ports: Any
) -> RunService:
    """The application service; traced when telemetry is wanted."""
    config = telemetry_config(telemetry, source)
    if not wanted(config, os.environ):
        return RunService(**ports)
    from runplane.app.tracing import TracedRunService, provider_for  # noqa: PLC0415  (optional)

    provider = provider_for(config)
    return TracedRunService(tracer_provider=provider, executor_type=executor_type, **ports)
