"""Whether to trace, and the tracing decorators: OpenTelemetry is imported only when tracing.

Tracing is on when the `telemetry:` section names an endpoint, or when the standard
`OTEL_EXPORTER_OTLP_(TRACES_)ENDPOINT` variable is set and the `otel` extra is installed;
`enabled: false` (or `OTEL_SDK_DISABLED=true`) turns it off. Without either, nothing of
OpenTelemetry is imported and nothing is sent.
"""

from __future__ import annotations

import importlib.metadata
import logging
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, ValidationError

from runplane.app.clock import Clock
from runplane.app.use_cases.live_runs import LiveRuns
from runplane.app.use_cases.run_driver import RunDriver
from runplane.domain.errors import ConfigurationError
from runplane.ports.step_path import StepPath

if TYPE_CHECKING:
    from runplane.app.tracing import Spans

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


def spans_for(
    *,
    telemetry: Mapping[str, Any] | None,
    source: str,
    executor_type: str,
    live: LiveRuns,
    environ: Mapping[str, str],
) -> Spans | None:
    """The span registry the tracing decorators share; None when tracing is not wanted."""
    config = telemetry_config(telemetry, source)
    if not wanted(config, environ):
        return None
    from runplane.app.tracing import Spans, provider_for  # noqa: PLC0415  (optional extra)

    return Spans(provider_for(config), executor_type, live)


def traced_steps(steps: StepPath, spans: Spans | None, clock: Clock) -> StepPath:
    """The step path, with a span per step and attempt when tracing."""
    if spans is None:
        return steps
    from runplane.app.tracing import TracedStepPath  # noqa: PLC0415  (optional extra)

    return TracedStepPath(steps, spans, clock)


def traced_driver(driver: RunDriver, spans: Spans | None) -> RunDriver:
    """The run driver, with the run's span around it when tracing."""
    if spans is None:
        return driver
    from runplane.app.tracing import TracedDriver  # noqa: PLC0415  (optional extra)

    return TracedDriver(driver, spans)
