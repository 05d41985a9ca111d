"""The application service: the use cases, and the one step path every executor ends in."""

from __future__ import annotations

import logging
import os
import secrets as random
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from runplane.app import reporting
from runplane.app.code_identity import code_identity
from runplane.app.loader import load_graph, load_parameters
from runplane.domain.errors import (
    ExecutionError,
    RunplaneError,
    SecretError,
    SecretNotFoundError,
)
from runplane.domain.graph import Graph, Node, NodeKind
from runplane.domain.identifiers import check_run_id, new_run_id
from runplane.domain.parameters import env_overrides, layer
from runplane.domain.redaction import redact
from runplane.domain.run_log import Attempt, RunLog, RunSummary, Status, StepLog
from runplane.ports.catalog import Catalog
from runplane.ports.executor import Executor, RunPlan
from runplane.ports.run_log_store import RunLogStore
from runplane.ports.secrets import Secrets
from runplane.ports.task import TaskRunner

logger = logging.getLogger(__name__)

Clock = Callable[[], str]


def utc_now() -> str:
    """The current time, ISO 8601 in UTC with microseconds (sorts as text)."""
    return datetime.now(UTC).isoformat(timespec="microseconds")


class RunService:
    """Runs pipelines and steps through whichever adapters it is given."""

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
    ) -> None:
        self._executor = executor
        self._store = run_log_store
        self._catalog = catalog
        self._secrets = secrets
        self._runners = dict(task_runners)
        self._configuration = dict(configuration or {})
        self._configuration_file = configuration_file
        self._clock = clock
        # Runs this process is driving: it is their only writer while they run, so the
        # in-memory copy is the store's content, not a cache that could go stale.
        self._live: dict[str, RunLog] = {}

    # -- use cases -------------------------------------------------------------------

    def load_pipeline(self, pipeline_file: str) -> Graph:
        """Load the graph a pipeline file defines."""
        return load_graph(pipeline_file)

    def run(
        self,
        graph: Graph,
        *,
        parameters_file: str | None = None,
        run_id: str | None = None,
        tag: str | None = None,
        pipeline_file: str | None = None,
    ) -> RunLog:
        """Run a pipeline to the end with the configured executor; return its run log."""
        initial = load_parameters(parameters_file)
        run_id = check_run_id(run_id) if run_id else self._fresh_run_id()
        self._check_secrets(graph)
        run = RunLog(
            run_id=run_id,
            status=Status.PROCESSING,
            start_time=self._clock(),
            tag=tag,
            pipeline=graph.to_dict(),
            pipeline_file=str(Path(pipeline_file).resolve()) if pipeline_file else None,
            initial_parameters=initial,
            parameters=dict(initial),
            code_identity=code_identity(),
            configuration=self._configuration,
        )
        self._store.create_run(run)
        self._live[run_id] = run
        logger.info("run %s started", run_id, extra={"run_id": run_id})
        plan = RunPlan(run_id, graph, run.pipeline_file, self._configuration_file)
        try:
            run.status = self._executor.execute(plan, _BoundSteps(self, graph))
        except BaseException as exc:
            # Interrupted or broken: record why, keep every step already recorded.
            run.status = Status.FAIL
            run.message = f"run interrupted: {type(exc).__name__}: {exc}"
            raise
        finally:
            run.end_time = self._clock()
            run.parameters = layer(run.parameters, (), env_overrides(os.environ))
            self._store.update_run(run)
            self._live.pop(run_id, None)
        logger.info("run %s ended: %s", run_id, run.status.value, extra={"run_id": run_id})
        return run

    def execute_step(self, graph: Graph, run_id: str, step_path: str) -> StepLog:
        """The one step path: resolve parameters, get files, expose secrets, run, record."""
        run = self._live.get(run_id) or self._load_for_step(run_id)
        node = graph[step_path]
        parameters = layer(run.parameters, (), env_overrides(os.environ))
        previous = run.steps.get(step_path)
        step = StepLog(path=step_path, kind=node.kind.value)
        if previous is not None:
            step.attempts = list(previous.attempts)
        logger.info("step %s started", step_path, extra={"run_id": run_id, "step": step_path})
        if node.kind is NodeKind.STUB:
            now = self._clock()
            step.attempts.append(Attempt(len(step.attempts) + 1, Status.SUCCESS, now, now))
            step.status = Status.SUCCESS
        else:
            self._attempt_until_done(run_id, node, step, parameters)
        self._store.put_step(run_id, step)
        run.steps[step_path] = step
        if step.status is Status.SUCCESS:
            run.parameters.update(step.returns)
        logger.info(
            "step %s ended: %s",
            step_path,
            step.status.value,
            extra={"run_id": run_id, "step": step_path},
        )
        return step

    def get_run(self, run_id: str) -> RunLog:
        """A run's log."""
        return self._store.get_run(check_run_id(run_id))

    def list_runs(self) -> list[RunSummary]:
        """Every run's header, newest first."""
        return self._store.list_runs()

    def run_log_location(self, run_id: str) -> str:
        """Where the run's log is kept."""
        return self._store.location(run_id)

    def catalog_location(self, run_id: str) -> str:
        """Where the run's files are kept."""
        return self._catalog.location(run_id)

    # -- the step path, in parts ------------------------------------------------------

    def _attempt_until_done(
        self, run_id: str, node: Node, step: StepLog, parameters: dict[str, Any]
    ) -> None:
        task = node.task
        assert task is not None  # noqa: S101  (task nodes always carry a task; Graph checks)
        runner = self._runners.get(task.kind)
        for _ in range(task.max_attempts):
            attempt = Attempt(len(step.attempts) + 1, Status.PROCESSING, self._clock())
            step.attempts.append(attempt)
            step.status = Status.PROCESSING
            self._store.put_step(run_id, step)  # a crash now shows which step was running
            revealed: list[str] = []
            try:
                if runner is None:
                    raise ExecutionError(
                        f"step {node.name!r}: no runner for tasks of kind {task.kind!r}; "
                        f"known kinds: {', '.join(sorted(self._runners))}"
                    )
                fetched = self._catalog.get(run_id, task.catalog.get, Path.cwd())
                with self._secrets_exposed(task.secrets) as revealed:
                    result = runner.run(node.name, task, parameters)
                stored = self._catalog.put(run_id, task.catalog.put, Path.cwd())
            except Exception as exc:  # noqa: BLE001  (any failure of user code fails the attempt)
                attempt.status = Status.FAIL
                attempt.message = redact(_message(exc), revealed)
                attempt.traceback = redact(reporting.user_traceback(exc), revealed)
                attempt.end_time = self._clock()
                step.status = Status.FAIL
                logger.warning("step %s attempt %d failed", node.name, attempt.number)
                continue
            attempt.status = step.status = Status.SUCCESS
            attempt.end_time = self._clock()
            step.parameters = result.parameters_used
            step.returns = result.returns
            step.metrics = result.metrics
            step.data_catalog = [*fetched, *stored]
            return

    @contextmanager
    def _secrets_exposed(self, names: tuple[str, ...]) -> Iterator[list[str]]:
        """Set the secrets as environment variables for the task only; restore afterwards."""
        revealed: list[str] = []
        saved = {name: os.environ.get(name) for name in names}
        try:
            for name in names:
                value = self._secrets.get(name)
                revealed.append(value)
                os.environ[name] = value
            yield revealed
        finally:
            for name, old in saved.items():
                if old is None:
                    os.environ.pop(name, None)
                else:
                    os.environ[name] = old

    def _check_secrets(self, graph: Graph) -> None:
        """Fail before any step runs when a declared secret does not exist."""
        for node in graph.nodes.values():
            for name in node.task.secrets if node.task else ():
                try:
                    self._secrets.get(name)
                except SecretNotFoundError as exc:
                    # Its constructor takes (name, where): `type(exc)(message)` cannot rebuild it.
                    where = f"{exc.where} (step {node.name!r} needs it)"
                    raise SecretNotFoundError(exc.name, where) from None
                except SecretError as exc:
                    raise SecretError(f"step {node.name!r} needs a secret: {exc}") from None

    def _load_for_step(self, run_id: str) -> RunLog:
        run = self._store.get_run(check_run_id(run_id))
        succeeded = (s.returns for s in run.steps.values() if s.status is Status.SUCCESS)
        run.parameters = layer(run.initial_parameters, succeeded, {})
        return run

    def _fresh_run_id(self) -> str:
        stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
        return new_run_id(stamp, random.token_hex(3))


class _BoundSteps:
    """The step runner an executor gets: the service's step path, bound to one graph."""

    def __init__(self, service: RunService, graph: Graph) -> None:
        self._service = service
        self._graph = graph

    def execute_step(self, run_id: str, step_path: str) -> StepLog:
        return self._service.execute_step(self._graph, run_id, step_path)

    def record_of(self, run_id: str, step_path: str) -> StepLog:
        step = self._service._store.get_step(run_id, step_path)
        live = self._service._live.get(run_id)
        if live is not None:
            live.steps[step_path] = step
            if step.status is Status.SUCCESS:
                live.parameters.update(step.returns)
        return step


def _message(exc: BaseException) -> str:
    if isinstance(exc, RunplaneError):
        return str(exc)
    return f"{type(exc).__name__}: {exc}"
