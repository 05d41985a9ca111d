from pathlib import Path
from typing import Any

import pytest
from dependency_injector import providers

from runplane import Loop, Map, Parallel, Pipeline, PythonTask, Stub
from runplane.adapters.executors.local import LocalExecutor, LocalExecutorConfig
from runplane.adapters.run_log_stores.buffered import BufferedRunLogStore
from runplane.adapters.tasks.python import PythonTaskRunner
from runplane.app.bootstrap.use_cases import UseCaseContainer, application_of
from runplane.app.service import RunService
from runplane.app.telemetry import TelemetryConfig, spans_for, telemetry_config, wanted
from runplane.app.use_cases.live_runs import LiveRuns
from runplane.domain.errors import ConfigurationError
from runplane.domain.run_log import Status
from tests.fakes import DictSecrets, MemoryCatalog

pytest.importorskip("opentelemetry.sdk")

from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import (
    InMemorySpanExporter,
)
from opentelemetry.trace import StatusCode

from runplane.app.tracing import Spans, TracedDriver, TracedStepPath

FLAKY: list[int] = []


def items() -> list[int]:
    return [1, 2, 3]


def double(item: int) -> int:
    return item * 2


def flaky() -> None:
    FLAKY.append(1)
    if len(FLAKY) == 1:
        raise RuntimeError("first attempt fails")


def broken() -> None:
    raise ValueError("always")


def ports(max_workers: int = 1) -> dict[str, Any]:
    return {
        "executor": LocalExecutor(LocalExecutorConfig(max_workers=max_workers)),
        "run_log_store": BufferedRunLogStore(),
        "catalog": MemoryCatalog(),
        "secrets": DictSecrets(),
        "task_runners": {"python": PythonTaskRunner()},
    }


@pytest.fixture
def exporter(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> InMemorySpanExporter:
    monkeypatch.chdir(tmp_path)
    FLAKY.clear()
    return InMemorySpanExporter()


def traced(exporter: InMemorySpanExporter, max_workers: int = 1, **given: Any) -> RunService:
    """The use cases with the tracing decorators, their spans given by a provider override."""
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    cases = UseCaseContainer(**{**ports(max_workers), **given})
    cases.spans.override(providers.Singleton(Spans, provider, "local", cases.live))
    app = application_of(cases)
    assert isinstance(app.steps, TracedStepPath)
    assert isinstance(cases.driver(), TracedDriver)
    return RunService.of(app)


def by_name(exporter: InMemorySpanExporter) -> dict[str, ReadableSpan]:
    spans = [s for s in exporter.get_finished_spans() if not s.name.startswith("attempt")]
    names = [s.name for s in spans]
    assert len(names) == len(set(names)), names
    return {s.name: s for s in spans}


def parent_of(spans: dict[str, ReadableSpan], name: str) -> str:
    parent = spans[name].parent
    assert parent is not None
    return next(n for n, s in spans.items() if s.context.span_id == parent.span_id)


@pytest.mark.parametrize("max_workers", [1, 3])
def test_run_steps_and_attempts_are_nested_spans(
    exporter: InMemorySpanExporter, max_workers: int
) -> None:
    pipeline = Pipeline(
        [
            PythonTask(items, returns=["items"]),
            Map("fan", "items", "item", Pipeline([PythonTask(double, returns=["d"])])),
            PythonTask(flaky, max_attempts=2),
        ],
        name="traced",
    )
    run = traced(exporter, max_workers).run(pipeline.graph, run_id="t1")
    assert run.status is Status.SUCCESS
    spans = by_name(exporter)
    assert spans["run"].attributes == {
        "runplane.executor": "local",
        "runplane.pipeline": "traced",
        "runplane.run_id": "t1",
        "runplane.status": "success",
    }
    assert spans["run"].parent is None
    assert parent_of(spans, "step items") == "run"
    assert parent_of(spans, "step fan") == "run"
    assert parent_of(spans, "step fan.2.double") == "step fan"
    assert spans["step fan"].attributes is not None
    assert spans["step fan"].attributes["runplane.branches"] == ("0", "1", "2")
    assert dict(spans["step flaky"].attributes or {}) == {
        "runplane.run_id": "t1",
        "runplane.step": "flaky",
        "runplane.executor": "local",
        "runplane.status": "success",
    }
    attempts = sorted(
        (s for s in exporter.get_finished_spans() if s.name.startswith("attempt")),
        key=lambda s: s.start_time or 0,
    )
    flaky_attempts = [s for s in attempts if (s.attributes or {})["runplane.step"] == "flaky"]
    assert [s.status.status_code for s in flaky_attempts] == [StatusCode.ERROR, StatusCode.UNSET]
    assert [(s.attributes or {})["runplane.attempt"] for s in flaky_attempts] == [1, 2]
    step_id = spans["step flaky"].context.span_id
    assert all(a.parent is not None and a.parent.span_id == step_id for a in flaky_attempts)
    assert flaky_attempts[0].status.description == "RuntimeError: first attempt fails"
    assert len({s.context.trace_id for s in exporter.get_finished_spans()}) == 1


def test_a_failed_run_has_error_spans(exporter: InMemorySpanExporter) -> None:
    pipeline = Pipeline(
        [Parallel("par", {"a": Pipeline([Stub("ok")]), "b": Pipeline([PythonTask(broken)])})]
    )
    run = traced(exporter).run(pipeline.graph, run_id="t2")
    assert run.status is Status.FAIL
    spans = by_name(exporter)
    assert spans["run"].status.status_code is StatusCode.ERROR
    assert spans["step par"].status.status_code is StatusCode.ERROR
    assert spans["step par.a.ok"].status.status_code is StatusCode.UNSET
    assert spans["step par.b.broken"].status.description == "ValueError: always"
    assert parent_of(spans, "step par.b.broken") == "step par"


def test_no_telemetry_means_no_tracing_decorators(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"):
        monkeypatch.delenv(name, raising=False)
    cases = UseCaseContainer(**ports(), telemetry=providers.Object({}))
    assert cases.spans() is None
    assert not isinstance(cases.steps(), TracedStepPath)
    assert not isinstance(cases.driver(), TracedDriver)


def test_an_endpoint_in_the_section_turns_tracing_on() -> None:
    spans = spans_for(
        telemetry={"endpoint": "http://127.0.0.1:9"},
        source="test",
        executor_type="local",
        live=LiveRuns(BufferedRunLogStore()),
        environ={},
    )
    assert isinstance(spans, Spans)


@pytest.mark.parametrize(
    ("section", "environ", "expected"),
    [
        ({}, {}, False),
        ({}, {"OTEL_EXPORTER_OTLP_ENDPOINT": "http://c:4318"}, True),
        ({}, {"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "http://c:4318/v1/traces"}, True),
        ({"enabled": False}, {"OTEL_EXPORTER_OTLP_ENDPOINT": "http://c:4318"}, False),
        ({}, {"OTEL_EXPORTER_OTLP_ENDPOINT": "http://c", "OTEL_SDK_DISABLED": "true"}, False),
        ({"endpoint": "http://c:4318"}, {}, True),
    ],
)
def test_when_tracing_is_wanted(
    section: dict[str, Any], environ: dict[str, str], expected: bool
) -> None:
    assert wanted(TelemetryConfig.model_validate(section), environ) is expected


def test_a_misspelt_telemetry_key_names_the_valid_keys() -> None:
    with pytest.raises(ConfigurationError, match=r"f.yaml: telemetry.endpont.*valid keys: enab"):
        telemetry_config({"endpont": "x"}, "f.yaml")


def grow(iteration: int) -> bool:
    return iteration >= 2


def test_loop_iterations_are_children_of_the_loop_span(exporter: InMemorySpanExporter) -> None:
    body = Pipeline([PythonTask(grow, returns=["done"])])
    pipeline = Pipeline([Loop("again", branch=body, break_on="done")])
    run = traced(exporter).run(pipeline.graph, run_id="t3")
    assert run.status is Status.SUCCESS
    spans = by_name(exporter)
    assert [parent_of(spans, f"step again.{i}.grow") for i in range(3)] == ["step again"] * 3
    assert parent_of(spans, "step again") == "run"


def leaks_token() -> None:
    import os  # noqa: PLC0415

    raise KeyError(os.environ["token"])


def test_spans_carry_no_secret_value(exporter: InMemorySpanExporter) -> None:
    secret = "multi\nline 'tok3n'"
    service = traced(exporter, secrets=DictSecrets({"token": secret}))
    # A pipeline named like the secret's line stands for any attribute that holds it.
    pipeline = Pipeline([PythonTask(leaks_token, secrets=["token"])], name="line 'tok3n'")
    assert service.run(pipeline.graph, run_id="t3").status is Status.FAIL
    spans = exporter.get_finished_spans()
    texts = [str(dict(s.attributes or {})) + str(s.status.description) for s in spans]
    assert any("KeyError: ***" in text for text in texts)
    assert all("tok3n" not in text for text in texts), texts
