"""The use cases wired to the ports they are given (each a typed `Dependency`)."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from typing import Any

from runplane.app.bootstrap.di import containers, providers
from runplane.app.clock import Clock, utc_now
from runplane.app.code_identity import code_identity
from runplane.app.definitions import NoDefinitions
from runplane.app.listeners import Listeners
from runplane.app.masking import masked_store
from runplane.app.telemetry import spans_for, traced_driver, traced_steps
from runplane.app.use_cases.deployment import DeploymentService
from runplane.app.use_cases.live_runs import LiveRuns
from runplane.app.use_cases.run_commands import CodeIdentity, RunCommandsService
from runplane.app.use_cases.run_driver import ExecutorDriver
from runplane.app.use_cases.run_queries import RunQueryService
from runplane.app.use_cases.step_path import StepPathService
from runplane.ports.catalog import Catalog
from runplane.ports.definitions import PipelineDefinitions
from runplane.ports.driving import Application
from runplane.ports.executor import Executor
from runplane.ports.run_log_store import RunLogStore
from runplane.ports.secrets import Secrets
from runplane.ports.task import TaskRunner


def _kind(port: Any) -> type[Any]:
    """A port or ABC as `instance_of` takes it (mypy wants a concrete class there)."""
    kind: type[Any] = port
    return kind


class UseCaseContainer(containers.DeclarativeContainer):
    """The four use cases over the ports given; a port of the wrong type is refused."""

    executor: providers.Dependency[Executor] = providers.Dependency(instance_of=_kind(Executor))
    run_log_store: providers.Dependency[RunLogStore] = providers.Dependency(
        instance_of=_kind(RunLogStore)
    )
    catalog: providers.Dependency[Catalog] = providers.Dependency(instance_of=_kind(Catalog))
    secrets: providers.Dependency[Secrets] = providers.Dependency(instance_of=_kind(Secrets))
    #: Task kind ("python", "shell", ...) -> its `TaskRunner`.
    task_runners: providers.Dependency[Mapping[str, TaskRunner]] = providers.Dependency(
        instance_of=_kind(Mapping)
    )
    clock: providers.Dependency[Clock] = providers.Dependency(
        instance_of=_kind(Callable), default=providers.Object(utc_now)
    )
    #: The environment runs read `RUNPLANE_PRM_*` and OTEL_* from (the process's by default).
    environ: providers.Dependency[Mapping[str, str]] = providers.Dependency(
        instance_of=_kind(Mapping), default=providers.Object(os.environ)
    )
    code_identity: providers.Dependency[CodeIdentity] = providers.Dependency(
        instance_of=_kind(Callable), default=providers.Object(code_identity)
    )
    #: Loads pipeline files: what a retry without a graph runs again (the SDK gives it).
    definitions: providers.Dependency[PipelineDefinitions] = providers.Dependency(
        instance_of=_kind(PipelineDefinitions), default=providers.Object(NoDefinitions())
    )
    configuration: providers.Dependency[Mapping[str, Any]] = providers.Dependency(
        instance_of=_kind(Mapping), default=providers.Object({})
    )
    configuration_file: providers.Object[str | None] = providers.Object(None)
    telemetry: providers.Object[Mapping[str, object] | None] = providers.Object(None)
    source = providers.Object("the default configuration")
    executor_type = providers.Object("local")

    store = providers.Singleton(masked_store, run_log_store)  # no secret is recorded
    live = providers.Singleton(LiveRuns, store)
    listeners = providers.Singleton(Listeners, clock)
    spans = providers.Singleton(
        spans_for,
        telemetry=telemetry,
        source=source,
        executor_type=executor_type,
        live=live,
        environ=environ,
    )
    steps = providers.Singleton(
        traced_steps,
        providers.Singleton(
            StepPathService,
            run_log_store=store,
            catalog=catalog,
            secrets=secrets,
            task_runners=task_runners,
            clock=clock,
            live=live,
            listeners=listeners,
        ),
        spans,
        clock,
    )
    driver = providers.Singleton(
        traced_driver,
        providers.Singleton(
            ExecutorDriver,
            executor=executor,
            run_log_store=store,
            steps=steps,
            clock=clock,
            live=live,
            listeners=listeners,
            configuration_file=configuration_file,
        ),
        spans,
    )
    commands = providers.Singleton(
        RunCommandsService,
        executor=executor,
        run_log_store=store,
        catalog=catalog,
        steps=steps,
        driver=driver,
        live=live,
        listeners=listeners,
        clock=clock,
        environ=environ,
        code_identity=code_identity,
        definitions=definitions,
        configuration=configuration,
    )
    queries = providers.Singleton(
        RunQueryService, run_log_store=run_log_store, catalog=catalog, secrets=secrets, clock=clock
    )
    deployment = providers.Singleton(
        DeploymentService, executor=executor, configuration=configuration
    )


def application_of(
    cases: UseCaseContainer | providers.Container[UseCaseContainer],
) -> Application:
    """The four use cases a container provides, as the driving ports."""
    return Application(
        cases.commands(),
        cases.steps(),
        cases.queries(),
        cases.deployment(),
        cases.definitions(),
    )
