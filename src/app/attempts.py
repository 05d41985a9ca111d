"""The attempts of a task: files in, the task with its environment, files, objects, output out.

This is the innermost part of the one step path (`RunService.execute_step`); it knows
nothing of graphs or runs beyond the step it is given.
"""

from __future__ import annotations

import glob
import io
import logging
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from runplane.app import masking, reporting
from runplane.app.capture import captured
from runplane.app.failed_outputs import keep_failed_outputs
from runplane.app.objects import ObjectParameters, ObjectStore
from runplane.domain.errors import (
    ExecutionError,
    RunplaneError,
    SecretError,
    SecretNotFoundError,
)
from runplane.domain.fingerprints import consumed, definition_text, fingerprint_of
from runplane.domain.graph import Graph, Node
from runplane.domain.parameters import recordable_metrics
from runplane.domain.run_log import Attempt, CatalogEntry, Status, StepLog
from runplane.ports.catalog import Catalog
from runplane.ports.run_log_store import RunLogStore
from runplane.ports.secrets import Secrets
from runplane.ports.task import TaskRunner

logger = logging.getLogger(__name__)

#: The environment variable that tells a task which attempt this is (1, 2, ...). It is the
#: number the step's record gives the attempt, so it counts on across processes and pods
#: (an Argo retry is a new pod that finds the earlier attempts in the run log).
ATTEMPT_VARIABLE = "RUNPLANE_ATTEMPT"

#: Encoded step definitions kept at most (a run's steps; a map's branches share nodes).
_DEFINITIONS_KEPT = 10_000


@dataclass(frozen=True)
class _Done:
    """A successful attempt: (parameters, returns, metrics, files) and a note."""

    record: tuple[dict[str, Any], dict[str, Any], dict[str, Any], list[CatalogEntry]]
    fingerprint: str
    message: str = ""


class TaskAttempts:
    """Runs a task up to its attempts, recording each one in the step's record."""

    def __init__(
        self,
        *,
        store: RunLogStore,
        catalog: Catalog,
        secrets: Secrets,
        runners: Mapping[str, TaskRunner],
        clock: Callable[[], str],
    ) -> None:
        self._store = store
        self._catalog = catalog
        self._secrets = secrets
        self._runners = dict(runners)
        self._clock = clock
        self._objects = ObjectStore(catalog)
        self._declared_for: Graph | None = None  # the graph whose secrets are registered
        self._definitions: dict[int, tuple[Node, str]] = {}  # by id(node): see _definition

    def run(
        self,
        run_id: str,
        node: Node,
        step: StepLog,
        parameters: dict[str, Any],
        attempts: int | None = None,
        *,
        graph: Graph | None = None,
    ) -> None:
        """Attempt the task until one succeeds or `attempts` (else its max_attempts) are spent.

        Every secret `graph` declares is fetched and masked first (once per graph), so
        what this step prints is masked even for secrets other steps hold.
        """
        task = node.task
        if task is None:
            raise ExecutionError(f"step {step.path!r} has no task to run")
        if graph is not None and graph is not self._declared_for:
            masking.fetch_for_masking(self._secrets, masking.declared(graph))
            self._declared_for = graph
        for _ in range(attempts or task.max_attempts):
            attempt = Attempt(len(step.attempts) + 1, Status.PROCESSING, self._clock())
            step.attempts.append(attempt)
            step.status = Status.PROCESSING
            self._store.put_step(run_id, step)  # a crash now shows which step was running
            printed = io.StringIO()
            try:
                with captured(printed, step.path):
                    done = self._attempt(run_id, step.path, node, parameters, attempt.number)
            except Exception as exc:  # noqa: BLE001  (any failure of user code fails the attempt)
                attempt.status = step.status = Status.FAIL
                attempt.message = masking.mask(_message(exc))
                attempt.traceback = masking.mask(reporting.user_traceback(exc))
                attempt.failed_files = keep_failed_outputs(
                    self._catalog, run_id, step.path, attempt.number, task.catalog.put
                )
                logger.warning("step %s attempt %d failed", step.path, attempt.number)
                continue
            except BaseException as exc:
                # Ctrl-C or SIGTERM: the attempt is over and says why; the run closes above.
                attempt.status = step.status = Status.FAIL
                attempt.message = masking.mask(f"interrupted: {type(exc).__name__} {exc}".strip())
                raise
            finally:
                attempt.end_time = self._clock()
                attempt.log = self._keep_log(run_id, step.path, attempt, printed)
                if attempt.status is Status.FAIL:
                    self._store.put_step(run_id, step)
            attempt.status = step.status = Status.SUCCESS
            step.parameters, step.returns, step.metrics, step.data_catalog = done.record
            step.fingerprint = done.fingerprint
            attempt.message = done.message
            return

    def _attempt(
        self,
        run_id: str,
        step_path: str,
        node: Node,
        parameters: dict[str, Any],
        number: int,
    ) -> _Done:
        """One try: files in, the task with its environment, files and objects out."""
        task = node.task
        assert task is not None  # checked by `run`
        runner = self._runner(step_path, task.kind)
        fetched = self._files(run_id, "get", task.catalog.get)
        given = (
            ObjectParameters(parameters, self._objects, run_id)
            # A notebook gets loaded objects too, so it can refuse them by type.
            if task.kind in ("python", "notebook")
            else parameters
        )
        env = {**self._secrets_of(task.secrets), ATTEMPT_VARIABLE: str(number)}
        result = runner.run(step_path, task, given, env)
        for output in result.outputs:  # runplane's own files: an executed notebook's outputs
            if output.endswith(".ipynb"):
                masking.mask_json_file(Path.cwd() / output)
        stored = self._files(run_id, "put", (*task.catalog.put, *result.outputs))
        returns, pickled = self._objects.store(run_id, step_path, result.returns)
        metrics, note = recordable_metrics(result.metrics)
        # Record what was consumed as the run log has it (object references stay references).
        used = {k: parameters.get(k, v) for k, v in result.parameters_used.items()}
        files = [*fetched, *stored, *pickled]
        message = "; ".join(m for m in (result.message, note) if m)
        inputs = fingerprint_of(
            self._definition(node),
            consumed(used, parameters),
            [(entry.name, entry.sha256) for entry in fetched],
        )
        return _Done((used, returns, metrics, files), inputs, message)

    def _definition(self, node: Node) -> str:
        """The node's encoded definition for its fingerprint, encoded once per node.

        Keyed by identity (a node's fields may not be hashable); the node is kept with its
        text, so a new node that reuses a freed node's id is not mistaken for it.
        """
        cached = self._definitions.get(id(node))
        if cached is None or cached[0] is not node:
            if len(self._definitions) >= _DEFINITIONS_KEPT:
                self._definitions.clear()  # graphs of earlier runs in a long-lived process
            cached = self._definitions[id(node)] = (node, definition_text(node))
        return cached[1]

    def _keep_log(
        self,
        run_id: str,
        step_path: str,
        attempt: Attempt,
        printed: io.StringIO,
    ) -> str | None:
        """Put what an attempt printed into the catalog (secrets masked); its name, if any."""
        text = printed.getvalue()
        if not text:
            return None
        name = f"logs/{step_path}/attempt-{attempt.number}.log"
        with tempfile.TemporaryDirectory(prefix="runplane-log-") as scratch:
            target = Path(scratch, name)
            target.parent.mkdir(parents=True)
            target.write_text(masking.mask(text))
            try:
                kept = self._catalog.put(run_id, [name], Path(scratch))
            except RunplaneError as exc:
                logger.warning("step %s: output not kept: %s", step_path, exc)
                return None
        return name if kept else None

    def output(self, run_id: str, step_path: str, attempt: int | None = None) -> str:
        """What a step's attempt (default: the last) printed, from the catalog (masked)."""
        # This process ran nothing: mask the secrets the run's steps declared, if found.
        pipeline = self._store.get_run(run_id).pipeline
        masking.fetch_for_masking(self._secrets, masking.named_in(pipeline))
        step = self._store.get_step(run_id, step_path)
        if not step.attempts:
            raise ExecutionError(f"step {step_path!r} of run {run_id!r} has no attempts")
        numbers = [a.number for a in step.attempts]
        chosen = step.attempts[-1] if attempt is None else None
        for candidate in step.attempts:
            if candidate.number == attempt:
                chosen = candidate
        if chosen is None:
            raise ExecutionError(
                f"step {step_path!r} of run {run_id!r} has no attempt {attempt}; "
                f"attempts: {', '.join(map(str, numbers))}"
            )
        if chosen.log is None:
            return ""
        with tempfile.TemporaryDirectory(prefix="runplane-log-") as scratch:
            self._catalog.get(run_id, [glob.escape(chosen.log)], Path(scratch))
            return masking.mask(Path(scratch, chosen.log).read_text())

    def _runner(self, step_path: str, kind: str) -> TaskRunner:
        runner = self._runners.get(kind)
        if runner is None:
            raise ExecutionError(
                f"step {step_path!r}: no runner for tasks of kind {kind!r}; "
                f"known kinds: {', '.join(sorted(self._runners))}"
            )
        return runner

    def _files(self, run_id: str, stage: str, patterns: tuple[str, ...]) -> list[CatalogEntry]:
        if not patterns:
            return []
        move = self._catalog.get if stage == "get" else self._catalog.put
        return move(run_id, patterns, Path.cwd())

    def _secrets_of(self, names: tuple[str, ...]) -> dict[str, str]:
        """The task's secrets by name, each registered for masking before the task runs."""
        values = {name: self._secrets.get(name) for name in names}
        masking.register(values.values())  # before the task can print them
        return values

    def check_secrets(self, graph: Graph) -> None:
        """Fail before any step runs when a declared secret does not exist.

        The values are registered for masking: every declared secret is masked in every
        step's output from the start, not only in the steps that declare it.
        """
        values: dict[str, str] = {}  # one fetch per name, however many steps declare it
        for node in masking.all_nodes(graph):
            for name in node.task.secrets if node.task else ():
                if name in values:
                    continue
                try:
                    values[name] = self._secrets.get(name)
                except SecretNotFoundError as exc:
                    raise SecretNotFoundError(exc.name, exc.where, step=node.name) from None
                except SecretError as exc:
                    raise SecretError(f"step {node.name!r} needs a secret: {exc}") from None
        masking.register(values.values())  # one masker built for all of them
        self._declared_for = graph


def _message(exc: BaseException) -> str:
    if isinstance(exc, RunplaneError):
        return str(exc)
    return f"{type(exc).__name__}: {exc}"
