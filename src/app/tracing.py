"""OpenTelemetry spans for a run, its steps and their attempts (imported only when tracing).

The run's span is the root; a step's span is a child of the innermost composite step
around it (or of the run); each attempt is a child span of its step, timed from the
attempt's record. A step process started by an executor (`runplane execute-step`) joins
the run's trace through the standard `TRACEPARENT` variable the driving process sets.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from opentelemetry import trace
from opentelemetry.context import Context
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor
from opentelemetry.trace import Span, Status, StatusCode, Tracer
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

from runplane.app import masking
from runplane.app.service import RunService
from runplane.app.telemetry import TelemetryConfig
from runplane.domain.errors import ConfigurationError
from runplane.domain.graph import Graph, scope_chain, scope_of
from runplane.domain.run_log import Attempt, RunLog, StepLog
from runplane.domain.run_log import Status as RunStatus

TRACEPARENT = "TRACEPARENT"
_PROPAGATOR = TraceContextTextMapPropagator()


def provider_for(config: TelemetryConfig) -> TracerProvider:
    """A tracer provider exporting over OTLP to the endpoint (else the OTEL_* variables)."""
    if config.protocol == "grpc":
        try:
            from opentelemetry.exporter.otlp.proto.grpc.trace_exporter import (  # noqa: PLC0415
                OTLPSpanExporter as GrpcExporter,
            )
        except ImportError:
            raise ConfigurationError(
                "telemetry.protocol 'grpc' needs opentelemetry-exporter-otlp-proto-grpc; "
                "install it, or use protocol 'http/protobuf' (the otel extra)"
            ) from None
        exporter: Any = GrpcExporter(endpoint=config.endpoint)
    else:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import (  # noqa: PLC0415
            OTLPSpanExporter,
        )

        url = config.endpoint
        if url is not None and not url.rstrip("/").endswith("/v1/traces"):
            url = url.rstrip("/") + "/v1/traces"
        exporter = OTLPSpanExporter(endpoint=url)
    name = config.service_name or os.environ.get("OTEL_SERVICE_NAME") or "runplane"
    provider = TracerProvider(resource=Resource.create({"service.name": name}))
    provider.add_span_processor(BatchSpanProcessor(exporter))
    return provider


class TracedRunService(RunService):
    """The application service, with a span around each run, step and attempt."""

    def __init__(
        self, *, tracer_provider: TracerProvider, executor_type: str, **ports: Any
    ) -> None:
        super().__init__(**ports)
        self._provider = tracer_provider
        self._tracer: Tracer = tracer_provider.get_tracer("runplane")
        self._executor_type = executor_type
        self._lock = threading.Lock()
        self._spans: dict[tuple[str, str], Span] = {}  # (run id, step path or "") -> span

    def _execute(self, graph: Graph, run: RunLog) -> RunLog:
        """Drive a run (new or retried) inside its span; step processes join through TRACEPARENT."""
        attributes = {"runplane.run_id": run.run_id, "runplane.executor": self._executor_type}
        if graph.name:
            attributes["runplane.pipeline"] = graph.name
        with self._tracer.start_as_current_span("run", attributes=_masked(attributes)) as span:
            with self._lock:
                self._spans[(run.run_id, "")] = span
            carrier: dict[str, str] = {}
            _PROPAGATOR.inject(carrier)
            try:
                with _environment(TRACEPARENT, carrier.get("traceparent")):
                    run = super()._execute(graph, run)
            finally:
                with self._lock:
                    self._spans.pop((run.run_id, ""), None)
            self._finish(span, run.status, run.message)
        self._provider.force_flush()
        return run

    def execute_step(
        self, graph: Graph, run_id: str, step_path: str, *, attempts: int | None = None
    ) -> StepLog:
        """The one step path, inside a step span with a child span per attempt."""
        started = self._clock()
        with self._tracer.start_as_current_span(
            f"step {step_path}",
            context=self._parent(run_id, step_path),
            attributes=self._attributes(run_id, step_path),
        ) as span:
            step = super().execute_step(graph, run_id, step_path, attempts=attempts)
            for attempt in step.attempts:
                if attempt.start_time >= started:
                    self._attempt_span(span, run_id, step_path, attempt)
            self._finish(span, step.status, step.message)
        if not self._driving(run_id):
            self._provider.force_flush()  # a step process may exit right after this step
        return step

    def fan_out(self, graph: Graph, run_id: str, step_path: str) -> list[str] | None:
        """Open a composite step and its span; its branches' steps are its children."""
        span = self._tracer.start_span(
            f"step {step_path}",
            context=self._parent(run_id, step_path),
            attributes=self._attributes(run_id, step_path),
        )
        keys = super().fan_out(graph, run_id, step_path)
        if keys is None:
            record = self._live[run_id].run.steps[step_path] if self._driving(run_id) else None
            self._finish(span, RunStatus.FAIL, record.message if record else "")
            span.end()
            return None
        span.set_attribute("runplane.branches", [masking.mask(key) for key in keys])
        with self._lock:
            self._spans[(run_id, step_path)] = span
        return keys

    def fan_in(self, graph: Graph, run_id: str, step_path: str) -> StepLog:
        """Close a composite step and end its span."""
        step = super().fan_in(graph, run_id, step_path)
        with self._lock:
            span = self._spans.pop((run_id, step_path), None)
        if span is not None:
            self._finish(span, step.status, step.message)
            span.end()
        return step

    # -- helpers ---------------------------------------------------------------------

    def _parent(self, run_id: str, step_path: str) -> Context | None:
        """The innermost open composite step around `step_path`, else the run."""
        with self._lock:
            for scope in reversed(scope_chain(step_path)):
                span = self._spans.get((run_id, scope_of(scope) if scope else ""))
                if span is not None:
                    return trace.set_span_in_context(span)
        parent = os.environ.get(TRACEPARENT)
        return _PROPAGATOR.extract({"traceparent": parent}) if parent else None

    def _attributes(self, run_id: str, step_path: str) -> dict[str, Any]:
        return _masked(
            {
                "runplane.run_id": run_id,
                "runplane.step": step_path,
                "runplane.executor": self._executor_type,
            }
        )

    def _attempt_span(self, parent: Span, run_id: str, step_path: str, attempt: Attempt) -> None:
        attributes = {**self._attributes(run_id, step_path), "runplane.attempt": attempt.number}
        span = self._tracer.start_span(
            f"attempt {attempt.number}",
            context=trace.set_span_in_context(parent),
            attributes=attributes,
            start_time=_nanoseconds(attempt.start_time),
        )
        self._finish(span, attempt.status, attempt.message)
        span.end(end_time=_nanoseconds(attempt.end_time or attempt.start_time))

    @staticmethod
    def _finish(span: Span, status: RunStatus, message: str) -> None:
        span.set_attribute("runplane.status", status.value)
        if status is RunStatus.FAIL:
            # Records are masked already; a message composed here is masked all the same.
            span.set_status(Status(StatusCode.ERROR, masking.mask(message) or None))

    def _driving(self, run_id: str) -> bool:
        return run_id in self._live


def _masked(attributes: dict[str, Any]) -> dict[str, Any]:
    """Span attributes with secrets masked in their text (a step path may hold a map item)."""
    return {k: masking.mask(v) if isinstance(v, str) else v for k, v in attributes.items()}


def _nanoseconds(timestamp: str) -> int:
    return int(datetime.fromisoformat(timestamp).timestamp() * 1_000_000_000)


@contextmanager
def _environment(name: str, value: str | None) -> Iterator[None]:
    """Set an environment variable for child processes while the block runs."""
    saved = os.environ.get(name)
    if value is not None:
        os.environ[name] = value
    try:
        yield
    finally:
        if saved is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = saved
