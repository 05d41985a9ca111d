"""The run commands use case: runs created, driven, retried and closed."""

from __future__ import annotations

import logging
import secrets as random
from collections.abc import Callable, Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

from runplane.app.clock import Clock
from runplane.app.definitions import recorded_graph, recorded_pipeline
from runplane.app.executor_roles import refuse_render_only
from runplane.app.initial_parameters import starting_parameters
from runplane.app.listeners import Listeners
from runplane.app.ownership import owning
from runplane.app.reuse import StepReuse, check_same_structure, reusable_now
from runplane.app.use_cases.live_runs import LiveRuns
from runplane.app.use_cases.run_driver import RunDriver
from runplane.app.wiring import check_pipeline, refuse_unwired, unread_parameters
from runplane.domain.checks import check_composite_inputs
from runplane.domain.events import RunListener
from runplane.domain.graph import Graph
from runplane.domain.identifiers import check_new_run_id, check_run_id, new_run_id
from runplane.domain.run_log import RunLog, Status
from runplane.domain.scope import outcome
from runplane.domain.wiring import WiringProblem
from runplane.ports.catalog import Catalog
from runplane.ports.definitions import PipelineDefinitions
from runplane.ports.executor import Executor, GraphRewriter
from runplane.ports.run_log_store import RunLogStore
from runplane.ports.step_path import StepPath

logger = logging.getLogger(__name__)

#: What code a run runs (git commit and dirty flag, else runplane's version).
CodeIdentity = Callable[[], dict[str, Any]]


class RunCommandsService:
    """Implements `ports.run_commands.RunCommands`; every dependency comes in by name."""

    def __init__(
        self,
        *,
        executor: Executor,
        run_log_store: RunLogStore,
        catalog: Catalog,
        steps: StepPath,
        driver: RunDriver,
        live: LiveRuns,
        listeners: Listeners,
        clock: Clock,
        environ: Mapping[str, str],
        code_identity: CodeIdentity,
        definitions: PipelineDefinitions,
        configuration: Mapping[str, Any] | None = None,
    ) -> None:
        self._executor = executor
        self._store = run_log_store
        self._catalog = catalog
        self._steps = steps
        self._driver = driver
        self._live = live
        self._listeners = listeners
        self._clock = clock
        self._environ = environ
        self._code_identity = code_identity
        self._definitions = definitions
        self._configuration = dict(configuration or {})

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
        self._steps.check_secrets(graph)
        initial, source = starting_parameters(parameters_file, self._environ, parameters)
        check_composite_inputs(graph, initial)
        run = self._create_run(
            graph, initial, run_id=run_id, tag=tag, pipeline_file=pipeline_file,
            parameters_from=source,
        )  # fmt: skip
        return self._driver.drive(graph, run)

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
            parameters_file, self._environ, base=original.initial_parameters
        )
        source = source or f"original run '{original.run_id}'"
        reuse = reusable_now(graph, original, from_step, initial)
        self._steps.check_secrets(graph)
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
        return run if orchestrated else self._driver.drive(graph, run)

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
        initial, source = starting_parameters(parameters_file, self._environ)
        return self._create_run(
            graph, initial, run_id=run_id, tag=tag, pipeline_file=pipeline_file,
            parameters_from=source,
        )  # fmt: skip

    def finish_run(self, graph: Graph, run_id: str) -> RunLog:
        """Close a run whose steps ran elsewhere: its status and parameters from the records."""
        state = self._live.state(run_id, graph)
        run = state.run
        run.status = outcome(graph, "", state.status_of)
        run.parameters = state.scopes.top()
        run.end_time = self._clock()
        self._store.update_run(run)
        return run

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

    def add_listener(self, listener: RunListener) -> None:
        """Tell `listener` about every run and step started and ended here."""
        self._listeners.add(listener)

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
        started = self._clock()
        run = RunLog(
            run_id=check_new_run_id(run_id) if run_id is not None else _fresh_run_id(started),
            status=Status.PROCESSING,
            start_time=started,
            tag=tag,
            pipeline=recorded_pipeline(graph, pipeline_file),
            pipeline_file=str(Path(pipeline_file).resolve()) if pipeline_file else None,
            initial_parameters=initial,
            parameters=dict(initial),
            code_identity=self._code_identity(),
            configuration=self._configuration,
            original_run_id=original_run_id,
            parameters_from=parameters_from,
        )
        self._store.create_run(run)
        logger.info("run %s started", run.run_id, extra={"run_id": run.run_id})
        return run


def _fresh_run_id(now: str) -> str:
    """A new run id stamped with the clock's time (UTC) and 6 random hex digits."""
    stamp = datetime.fromisoformat(now).strftime("%Y%m%d-%H%M%S")
    return new_run_id(stamp, random.token_hex(3))
