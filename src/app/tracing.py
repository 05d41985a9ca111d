"""OpenTelemetry spans for a run, its steps and their attempts (imported only when tracing).

Tracing decorates two parts of the application, the run driver and the step path, so
the use cases know nothing of it.

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
from runplane.app.bound_steps import BoundSteps
from runplane.app.clock import Clock
from runplane.app.telemetry import TelemetryConfig
from runplane.app.use_cases.live_runs import LiveRuns
from runplane.app.use_cases.run_driver import RunDriver
from runplane.domain.errors import ConfigurationError
from runplane.domain.graph import Graph, scope_chain, scope_of
from runplane.domain.run_log import Attempt, RunLog, StepLog
from runplane.domain.run_log import Status as RunStatus
from runplane.ports.executor import StepRunner
from runplane.ports.step_path import StepPath

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


class Spans:
    """The spans open in this process, by (run id, step path or ""), shared by the decorators."""

    def __init__(self, tracer_provider: TracerProvider, executor_type: str, live: LiveRuns) -> None:
        self.provider = tracer_provider
        self.tracer: Tracer = tracer_provider.get_tracer("runplane")
        self.executor_type = executor_type
        self.live = live
        self.lock = threading.Lock()
        self.open: dict[tuple[str, str], Span] = {}

    def parent(self, run_id: str, step_path: str) -> Context | None:
        """The innermost open composite step around `step_path`, else the run."""
        with self.lock:
            for scope in reversed(scope_chain(step_path)):
                span = self.open.get((run_id, scope_of(scope) if scope else ""))
                if span is not None:
                    return trace.set_span_in_context(span)
        parent = os.environ.get(TRACEPARENT)
        return _PROPAGATOR.extract({"traceparent": parent}) if parent else None

    def attributes(self, run_id: str, step_path: str) -> dict[str, Any]:
        """A step span's attributes, masked."""
        return _masked(
            {
                "runplane.run_id": run_id,
                "runplane.step": step_path,
                "runplane.executor": self.executor_type,
            }
        )


class TracedDriver:
    """A RunDriver decorator: each run (new or retried) inside its span.

    Step processes join the trace through TRACEPARENT.
    """

    def __init__(self, driver: RunDriver, spans: Spans) -> None:
        self._driver = driver
        self._spans = spans

    def drive(self, graph: Graph, run: RunLog) -> RunLog:
        """Drive the run inside the run's span, flushed when it ends."""
        spans = self._spans
        attributes = {"runplane.run_id": run.run_id, "runplane.executor": spans.executor_type}
        if graph.name:
            attributes["runplane.pipeline"] = graph.name
        with spans.tracer.start_as_current_span("run", attributes=_masked(attributes)) as span:
            with spans.lock:
                spans.open[(run.run_id, "")] = span
            carrier: dict[str, str] = {}
            _PROPAGATOR.inject(carrier)
            try:
                with _environment(TRACEPARENT, carrier.get("traceparent")):
                    run = self._driver.drive(graph, run)
            finally:
                with spans.lock:
                    spans.open.pop((run.run_id, ""), None)
            _finish(span, run.status, run.message)
        spans.provider.force_flush()
        return run


class TracedStepPath:
    """A StepPath decorator: a span per step and a child span per attempt.

    A step's span is a child of its innermost composite step's; other calls pass through.
    """

    def __init__(self, steps: StepPath, spans: Spans, clock: Clock) -> None:
        self._steps = steps
        self._spans = spans
        self._clock = clock

    def execute_step(
        self, graph: Graph, run_id: str, step_path: str, *, attempts: int | None = None
    ) -> StepLog:
        """The one step path, inside a step span with a child span per attempt."""
        spans = self._spans
        started = self._clock()
        with spans.tracer.start_as_current_span(
            f"step {step_path}",
            context=spans.parent(run_id, step_path),
            attributes=spans.attributes(run_id, step_path),
        ) as span:
            step = self._steps.execute_step(graph, run_id, step_path, attempts=attempts)
            for attempt in step.attempts:
                if attempt.start_time >= started:
                    self._attempt_span(span, run_id, step_path, attempt)
            _finish(span, step.status, step.message)
        if run_id not in spans.live:
            spans.provider.force_flush()  # a step process may exit right after this step
        return step

    def fan_out(self, graph: Graph, run_id: str, step_path: str) -> list[str] | None:
        """Open a composite step and its span; its branches' steps are its children."""
        spans = self._spans
        span = spans.tracer.start_span(
            f"step {step_path}",
            context=spans.parent(run_id, step_path),
            attributes=spans.attributes(run_id, step_path),
        )
        keys = self._steps.fan_out(graph, run_id, step_path)
        if keys is None:
            state = spans.live.get(run_id)
            record = state.run.steps.get(step_path) if state is not None else None
            _finish(span, RunStatus.FAIL, record.message if record else "")
            span.end()
            return None
        span.set_attribute("runplane.branches", [masking.mask(key) for key in keys])
        with spans.lock:
            spans.open[(run_id, step_path)] = span
        return keys

    def fan_in(self, graph: Graph, run_id: str, step_path: str) -> StepLog:
        """Close a composite step and end its span."""
        step = self._steps.fan_in(graph, run_id, step_path)
        with self._spans.lock:
            span = self._spans.open.pop((run_id, step_path), None)
        if span is not None:
            _finish(span, step.status, step.message)
            span.end()
        return step

    def loop_next(self, graph: Graph, run_id: str, step_path: str) -> str | None:
        """Advance a loop (not traced apart: its iterations' steps are)."""
        return self._steps.loop_next(graph, run_id, step_path)

    def reused(self, run_id: str, step_path: str) -> StepLog | None:
        """The record a retry copied for this step, if any."""
        return self._steps.reused(run_id, step_path)

    def record_of(self, run_id: str, step_path: str) -> StepLog:
        """Read back a step another process executed (its process traced it)."""
        return self._steps.record_of(run_id, step_path)

    def abandon(self, graph: Graph, run_id: str, step_path: str, reason: str) -> StepLog:
        """Close the record a killed step process left open."""
        return self._steps.abandon(graph, run_id, step_path, reason)

    def check_secrets(self, graph: Graph) -> None:
        """Fail before any step runs when a declared secret does not exist."""
        self._steps.check_secrets(graph)

    def bound_to(self, graph: Graph) -> StepRunner:
        """The traced step path with `graph` fixed, for an executor."""
        return BoundSteps(self, graph)

    def _attempt_span(self, parent: Span, run_id: str, step_path: str, attempt: Attempt) -> None:
        attributes = {
            **self._spans.attributes(run_id, step_path),
            "runplane.attempt": attempt.number,
        }
        span = self._spans.tracer.start_span(
            f"attempt {attempt.number}",
            context=trace.set_span_in_context(parent),
            attributes=attributes,
            start_time=_nanoseconds(attempt.start_time),
        )
        _finish(span, attempt.status, attempt.message)
        span.end(end_time=_nanoseconds(attempt.end_time or attempt.start_time))


def _finish(span: Span, status: RunStatus, message: str) -> None:
    span.set_attribute("runplane.status", status.value)
    if status is RunStatus.FAIL:
        # Records are masked already; a message composed here is masked all the same.
        span.set_status(Status(StatusCode.ERROR, masking.mask(message) or None))


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
