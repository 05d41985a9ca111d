"""The application service: the use cases, and the one step path every executor ends in."""

from __future__ import annotations

import logging
import os
import secrets as random
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from runplane.app import inspection
from runplane.app.abandoned import close_abandoned
from runplane.app.attempts import TaskAttempts
from runplane.app.bound_steps import BoundSteps
from runplane.app.code_identity import code_identity
from runplane.app.composite_steps import CompositeSteps
from runplane.app.definitions import NoDefinitions, recorded_graph, recorded_pipeline
from runplane.app.executor_roles import refuse_render_only, renderer_of, submitter_of
from runplane.app.initial_parameters import starting_parameters
from runplane.app.listeners import Listeners
from runplane.app.masking import masked_store
from runplane.app.ownership import owning
from runplane.app.reuse import StepReuse, check_same_structure, reusable_now
from runplane.app.run_state import RunState
from runplane.app.signals import interrupts_as_exceptions
from runplane.app.wiring import check_pipeline, refuse_unwired, unread_parameters
from runplane.domain.checks import check_composite_inputs
from runplane.domain.errors import (
    ExecutionError,
)
from runplane.domain.events import EventKind, RunListener
from runplane.domain.graph import Graph, NodeKind
from runplane.domain.identifiers import check_new_run_id, check_run_id, new_run_id
from runplane.domain.run_diff import RunDiff
from runplane.domain.run_log import Attempt, RunLog, RunSummary, Status, StepLog
from runplane.domain.scope import ScopedParameters, outcome
from runplane.domain.step_tree import RunTree
from runplane.domain.wiring import WiringProblem
from runplane.ports.catalog import Catalog
from runplane.ports.definitions import PipelineDefinitions
from runplane.ports.executor import (
    Executor,
    GraphRewriter,
    RenderRequest,
    RetryOf,
    RunPlan,
    SubmitTarget,
    WorkflowState,
)
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
        definitions: PipelineDefinitions | None = None,
    ) -> None:
        self._executor = executor
        self._store = run_log_store = masked_store(run_log_store)  # no secret is recorded
        self._catalog = catalog
        self._secrets = secrets
        self._runners = dict(task_runners)
        self._configuration = dict(configuration or {})
        self._configuration_file = configuration_file
        self._clock = clock
        self._definitions = definitions or NoDefinitions()
        self._attempts = TaskAttempts(
            store=run_log_store,
            catalog=catalog,
            secrets=secrets,
            runners=task_runners,
            clock=clock,
        )
        # Runs this process is driving: it is their only writer of composite and header
        # records, so the in-memory state is the store's content, not a cache.
        self._live: dict[str, RunState] = {}
        self._listeners = Listeners(clock)
        self._composites = CompositeSteps(run_log_store, clock, self._listeners)

    # -- use cases -------------------------------------------------------------------

    def load_pipeline(self, pipeline_file: str) -> Graph:
        """Load the graph a pipeline file defines."""
        return self._definitions.pipeline(pipeline_file)

    def load_job(self, job_file: str) -> Graph:
        """Load the one-step graph a job file defines."""
        return self._definitions.job(job_file)

    def run(
        self,
        graph: Graph,
        *,
        parameters_file: str | None = None,
        run_id: str | None = None,
        tag: str | None = None,
        pipeline_file: str | None = None,
        parameters: Mapping[str, Any] | None = None,
        check: bool = False,
    ) -> RunLog:
        """Run a pipeline to the end with the configured executor; return its run log.

        `parameters` win over the parameters file's (`--param`); both are recorded. `check`:
        refuse (UnwiredPipelineError) a pipeline whose steps miss inputs, before recording.
        """
        refuse_render_only(self._executor)
        if check:
            refuse_unwired(graph, parameters_file, parameters, pipeline_file or "the pipeline")
        if isinstance(self._executor, GraphRewriter):
            graph = self._executor.rewrite(graph)
        self._attempts.check_secrets(graph)
        initial, source = starting_parameters(parameters_file, os.environ, parameters)
        check_composite_inputs(graph, initial)
        run = self._create_run(
            graph, initial, run_id=run_id, tag=tag, pipeline_file=pipeline_file,
            parameters_from=source,
        )  # fmt: skip
        return self._execute(graph, run)

    def retry(
        self,
        run_id: str,
        *,
        from_step: str | None = None,
        new_run_id: str | None = None,
        parameters_file: str | None = None,
        graph: Graph | None = None,
        orchestrated: bool = False,
    ) -> RunLog:
        """Finish a failed run in a new run: reuse what succeeded, run the rest.

        `orchestrated`: only record the new run; an orchestrator's pods run the rest.

        Steps that succeeded (up to the first that failed or never finished, or up to
        `from_step`) and would consume the same inputs now (their fingerprints) are copied
        with their returns, metrics and the catalog files they put (verified by hash), not
        executed again. Parameters are the original run's unless a parameters
        file is given; the new run log says which, and names the original run.
        """
        if not orchestrated:
            refuse_render_only(self._executor)
        # Held to the end: a live run is not retried, and of two retries only one proceeds.
        with owning(self._store, check_run_id(run_id)):
            return self._retry(
                run_id, from_step, new_run_id, parameters_file, graph, orchestrated=orchestrated
            )

    def _retry(
        self,
        run_id: str,
        from_step: str | None,
        new_run_id: str | None,
        parameters_file: str | None,
        graph: Graph | None,
        *,
        orchestrated: bool,
    ) -> RunLog:
        original = self._store.get_run(run_id)
        graph = graph or recorded_graph(self._definitions, original.run_id, original.pipeline_file)
        check_same_structure(graph, original)
        initial, source = starting_parameters(
            parameters_file, os.environ, base=original.initial_parameters
        )
        source = source or f"original run '{original.run_id}'"
        reuse = reusable_now(graph, original, from_step, initial)
        self._attempts.check_secrets(graph)
        run = self._create_run(
            graph,
            initial,
            run_id=new_run_id,
            tag=original.tag,
            pipeline_file=original.pipeline_file,
            parameters_from=source,
            original_run_id=original.run_id,
        )
        try:
            StepReuse(self._store, self._catalog).copy(
                original, run, [original.steps[path] for path in reuse]
            )
        except BaseException as exc:
            # Never left `processing`: the retry's own run says why it stopped.
            run.status, run.end_time = Status.FAIL, self._clock()
            run.message = f"retry of run {original.run_id!r} failed: {exc}"
            self._store.update_run(run)
            raise
        logger.info("run %s retries %s, reusing %d steps", run.run_id, run_id, len(reuse))
        return run if orchestrated else self._execute(graph, run)

    def start_run(
        self,
        graph: Graph,
        *,
        parameters_file: str | None = None,
        run_id: str | None = None,
        tag: str | None = None,
        pipeline_file: str | None = None,
    ) -> RunLog:
        """Record a new run without running it (an orchestrator such as Argo runs the steps)."""
        initial, source = starting_parameters(parameters_file, os.environ)
        return self._create_run(
            graph, initial, run_id=run_id, tag=tag, pipeline_file=pipeline_file,
            parameters_from=source,
        )  # fmt: skip

    def finish_run(self, graph: Graph, run_id: str) -> RunLog:
        """Close a run whose steps ran elsewhere: its status and parameters from the records."""
        state = self._state(run_id, graph)
        run = state.run
        run.status = outcome(graph, "", state.status_of)
        run.parameters = state.scopes.top()
        run.end_time = self._clock()
        self._store.update_run(run)
        return run

    def execute_step(
        self, graph: Graph, run_id: str, step_path: str, *, attempts: int | None = None
    ) -> StepLog:
        """The one step path: resolve parameters, get files, expose secrets, run, record.

        `attempts` caps the attempts this call makes (default: the task's max_attempts); an
        orchestrator that retries failed containers itself (Argo's retryStrategy) passes 1.
        """
        state = self._state(run_id, graph, executing=step_path)
        node = graph.find(step_path)
        if node.is_composite or node.is_terminal:
            raise ExecutionError(
                f"step {step_path!r} is a {node.kind.value} step; execute-step runs tasks "
                "and stubs (composite steps open and close with fan-out and fan-in)"
            )
        reused = self.reused(run_id, step_path, state)
        if reused is not None:
            state.recorded(reused)
            return reused
        step = state.new_record(step_path, node)
        logger.info("step %s started", step_path, extra={"run_id": run_id, "step": step_path})
        self._listeners.emit(EventKind.STEP_STARTED, run_id, step_path)
        if node.kind is NodeKind.STUB:
            now = self._clock()
            step.attempts.append(Attempt(len(step.attempts) + 1, Status.SUCCESS, now, now))
            step.status = Status.SUCCESS
        else:
            parameters = state.parameters_for(step_path)
            self._attempts.run(run_id, node, step, parameters, attempts, graph=graph)
        self._store.put_step(run_id, step)
        state.recorded(step)
        logger.info("step %s ended: %s", step_path, step.status.value, extra={"run_id": run_id})
        self._listeners.emit_step(EventKind.STEP_ENDED, run_id, step)
        return step

    def fan_out(self, graph: Graph, run_id: str, step_path: str) -> list[str] | None:
        """Open a composite step: decide and record its branches; None if that failed."""
        state = self._state(run_id, graph)
        reused = self.reused(run_id, step_path, state)
        if reused is not None:
            return list(reused.branches)
        return self._composites.open(state, graph.find(step_path), step_path)

    def fan_in(self, graph: Graph, run_id: str, step_path: str) -> StepLog:
        """Close a composite step: its status and returns, gathered from its branches."""
        state = self._state(run_id, graph)
        step = state.run.steps[step_path]
        if step.reused_from is not None:
            state.recorded(step)
            return step
        return self._composites.close(state, graph.find(step_path), step_path)

    def loop_next(self, graph: Graph, run_id: str, step_path: str) -> str | None:
        """After a loop iteration: record how it went and open the next one, if any."""
        state = self._state(run_id, graph)
        return self._composites.advance(state, graph.find(step_path), step_path)

    def reused(self, run_id: str, step_path: str, state: RunState | None = None) -> StepLog | None:
        """The record a retry copied for this step, if any: such a step does not run again."""
        state = state or self._live.get(run_id)
        step = state.run.steps.get(step_path) if state is not None else None
        if step is not None and step.reused_from is not None and step.status is Status.SUCCESS:
            return step
        return None

    def render(
        self,
        graph: Graph,
        *,
        pipeline_file: str,
        parameters_file: str | None = None,
        kind: str = "Workflow",
        schedule: str | None = None,
        retry_of: RetryOf | None = None,
    ) -> dict[str, Any]:
        """The orchestrator manifest (an Argo Workflow, say) the configured executor renders."""
        request = RenderRequest(
            graph=graph,
            pipeline_file=pipeline_file,
            configuration=self._configuration,
            parameters=starting_parameters(parameters_file, {})[0],
            kind=kind,
            schedule=schedule,
            retry_of=retry_of,
        )
        return renderer_of(self._executor).render(request)

    def submit(self, manifest: Mapping[str, Any], target: SubmitTarget) -> str:
        """Send a rendered manifest to the orchestrator; return the workflow's name."""
        return submitter_of(self._executor).submit(manifest, target)

    def workflow_state(self, name: str, target: SubmitTarget) -> WorkflowState:
        """A submitted workflow's phase and node phases, as the orchestrator reports them."""
        return submitter_of(self._executor).state(name, target)

    def record_of(self, run_id: str, step_path: str) -> StepLog:
        """Read back a step another process executed, and take it into the live run."""
        step = self._store.get_step(run_id, step_path)
        state = self._live.get(run_id)
        if state is not None:
            state.recorded(step)
        self._listeners.emit_step(EventKind.STEP_ENDED, run_id, step)
        return step

    def abandon(self, graph: Graph, run_id: str, step_path: str, reason: str) -> StepLog:
        """Close the record a step's process left open (see `StepRunner.abandon`)."""
        state = self._state(run_id, graph)
        node = graph.find(step_path)
        step = close_abandoned(
            self._store,
            run_id,
            step_path,
            lambda: state.new_record(step_path, node),
            reason=reason,
            now=self._clock(),
        )
        state.recorded(step)
        self._listeners.emit_step(EventKind.STEP_ENDED, run_id, step)
        return step

    def check(
        self,
        graph: Graph,
        *,
        parameters_file: str | None = None,
        parameters: Mapping[str, Any] | None = None,
    ) -> list[WiringProblem]:
        """Every input of a step that nothing provides before it runs (no step runs)."""
        return check_pipeline(graph, parameters_file, parameters=parameters)

    def unread(
        self, graph: Graph, *, parameters_file: str | None = None, parameters: Any = None
    ) -> list[str]:
        """Initial parameters no step reads ([] when a step may read any)."""
        return unread_parameters(graph, starting_parameters(parameters_file, {}, parameters)[0])

    def get_run(self, run_id: str) -> RunLog:
        """A run's log."""
        return self._store.get_run(check_run_id(run_id))

    def list_runs(
        self,
        *,
        status: str | None = None,
        tag: str | None = None,
        since: str | None = None,
        limit: int | None = None,
    ) -> list[RunSummary]:
        """Run headers, newest first: all, or those with a status, a tag, an age ('2d')."""
        return inspection.list_runs(
            self._store, self._clock(), status=status, tag=tag, since=since, limit=limit
        )

    def show(self, run_id: str) -> RunTree:
        """A run as a tree of steps (branches, iterations) with its log."""
        return inspection.show(self._store, run_id, self._secrets)

    def diff(self, before: str, after: str) -> RunDiff:
        """Parameters, metrics and catalog hashes that differ between two runs."""
        return inspection.diff(self._store, before, after)

    def add_listener(self, listener: RunListener) -> None:
        """Tell `listener` about every run and step this service starts and ends."""
        self._listeners.add(listener)

    def run_log_location(self, run_id: str) -> str:
        """Where the run's log is kept."""
        return self._store.location(run_id)

    def catalog_location(self, run_id: str) -> str:
        """Where the run's files are kept."""
        return self._catalog.location(run_id)

    # -- runs, in parts ---------------------------------------------------------------

    def _create_run(
        self,
        graph: Graph,
        initial: dict[str, Any],
        *,
        run_id: str | None,
        tag: str | None,
        pipeline_file: str | None,
        parameters_from: str,
        original_run_id: str | None = None,
    ) -> RunLog:
        run = RunLog(
            run_id=check_new_run_id(run_id) if run_id is not None else self._fresh_run_id(),
            status=Status.PROCESSING,
            start_time=self._clock(),
            tag=tag,
            pipeline=recorded_pipeline(graph, pipeline_file),
            pipeline_file=str(Path(pipeline_file).resolve()) if pipeline_file else None,
            initial_parameters=initial,
            parameters=dict(initial),
            code_identity=code_identity(),
            configuration=self._configuration,
            original_run_id=original_run_id,
            parameters_from=parameters_from,
        )
        self._store.create_run(run)
        logger.info("run %s started", run.run_id, extra={"run_id": run.run_id})
        return run

    def _execute(self, graph: Graph, run: RunLog) -> RunLog:
        """Drive a created run with the executor, and close it whatever happens."""
        state = RunState(run, ScopedParameters(run.initial_parameters))
        self._live[run.run_id] = state
        self._listeners.emit(EventKind.RUN_STARTED, run.run_id)
        plan = RunPlan(run.run_id, graph, run.pipeline_file, self._configuration_file)
        try:
            with interrupts_as_exceptions(), owning(self._store, run.run_id):
                run.status = self._executor.execute(plan, BoundSteps(self, graph))
        except BaseException as exc:
            # Interrupted or broken: record why, keep every step already recorded.
            run.status = Status.FAIL
            run.message = f"run interrupted: {type(exc).__name__}: {exc}"
            raise
        finally:
            run.end_time = self._clock()
            run.parameters = state.scopes.top()
            self._store.update_run(run)
            self._live.pop(run.run_id, None)
            self._listeners.emit(
                EventKind.RUN_ENDED, run.run_id, status=run.status, message=run.message
            )
        logger.info("run %s ended: %s", run.run_id, run.status.value)
        return run

    # -- the step path, in parts ------------------------------------------------------

    def step_output(self, run_id: str, step_path: str, attempt: int | None = None) -> str:
        """What a step's attempt (default: the last) printed, from the catalog."""
        return self._attempts.output(check_run_id(run_id), step_path, attempt)

    def _state(self, run_id: str, graph: Graph, executing: str | None = None) -> RunState:
        """The live run, or (in a process executing one step) the run read from the store."""
        live = self._live.get(run_id)
        if live is not None:
            return live
        run = self._store.get_run(check_run_id(run_id))
        # A step executed again must not see what it returned the time before.
        earlier = [s for s in run.steps.values() if s.path != executing]
        scopes = ScopedParameters.replay(run.initial_parameters, graph, earlier)
        return RunState(run, scopes)

    def _fresh_run_id(self) -> str:
        stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
        return new_run_id(stamp, random.token_hex(3))
