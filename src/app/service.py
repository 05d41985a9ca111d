"""`RunService`: the four use cases behind one object, what `runplane.service()` returns.

`RunService.of(app)` wraps what the root built (the SDK's `service()`); the constructor
takes adapter instances instead (tests, scripts) and wires them through the root's own
`UseCaseContainer`, so there is one wiring. Every method is a use case's own, bound here:
nothing is implemented twice.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from runplane.app.bootstrap.di import providers
from runplane.app.bootstrap.use_cases import UseCaseContainer, application_of
from runplane.app.clock import Clock, utc_now
from runplane.ports.catalog import Catalog
from runplane.ports.definitions import PipelineDefinitions
from runplane.ports.driving import Application
from runplane.ports.executor import Executor
from runplane.ports.run_log_store import RunLogStore
from runplane.ports.secrets import Secrets
from runplane.ports.task import TaskRunner

__all__ = ["Clock", "RunService", "utc_now"]


class RunService:
    """All four use cases on the given adapters, callable as one object (`service.run`)."""

    def __init__(
        self,
        *,
        executor: Executor,
        run_log_store: RunLogStore,
        catalog: Catalog,
        secrets: Secrets,
        task_runners: Mapping[str, TaskRunner],
        configuration: Mapping[str, Any] | None = None,
        configuration_file: str | None = None,
        clock: Clock = utc_now,
        telemetry: Mapping[str, Any] | None = None,
        definitions: PipelineDefinitions | None = None,
    ) -> None:
        cases = UseCaseContainer(
            executor=executor,
            run_log_store=run_log_store,
            catalog=catalog,
            secrets=secrets,
            task_runners=task_runners,
            clock=providers.Object(clock),
            configuration=dict(configuration or {}),
            configuration_file=providers.Object(configuration_file),
            telemetry=providers.Object(telemetry),
        )
        if definitions is not None:
            cases.definitions.override(providers.Object(definitions))
        self._bind(application_of(cases))

    @classmethod
    def of(cls, app: Application) -> RunService:
        """The one-object view of use cases the root built."""
        service = cls.__new__(cls)
        service._bind(app)
        return service

    def _bind(self, app: Application) -> None:
        self.application = app
        self.commands, self.steps, self.queries = app.commands, app.steps, app.queries
        self.deployment = app.deployment
        commands, steps, queries, deployment = app.commands, app.steps, app.queries, app.deployment
        self.load_pipeline = app.definitions.pipeline
        self.load_job = app.definitions.job
        self.run = commands.run
        self.retry = commands.retry
        self.start_run = commands.start_run
        self.finish_run = commands.finish_run
        self.check = commands.check
        self.unread = commands.unread
        self.add_listener = commands.add_listener
        self.execute_step = steps.execute_step
        self.fan_out = steps.fan_out
        self.fan_in = steps.fan_in
        self.loop_next = steps.loop_next
        self.reused = steps.reused
        self.record_of = steps.record_of
        self.abandon = steps.abandon
        self.render = deployment.render
        self.submit = deployment.submit
        self.workflow_state = deployment.workflow_state
        self.get_run = queries.get_run
        self.list_runs = queries.list_runs
        self.show = queries.show
        self.diff = queries.diff
        self.step_output = queries.step_output
        self.run_log_location = queries.run_log_location
        self.catalog_location = queries.catalog_location
