"""The runs this process is driving, shared by the run commands and the step path."""

from __future__ import annotations

from runplane.app.run_state import RunState
from runplane.domain.graph import Graph
from runplane.domain.identifiers import check_run_id
from runplane.domain.scope import ScopedParameters
from runplane.ports.run_log_store import RunLogStore


class LiveRuns:
    """Runs driven here, by id.

    This process is their only writer of composite and header records, so the in-memory
    state is the store's content, not a cache.
    """

    def __init__(self, store: RunLogStore) -> None:
        self._store = store
        self._runs: dict[str, RunState] = {}

    def __contains__(self, run_id: object) -> bool:
        return run_id in self._runs

    def get(self, run_id: str) -> RunState | None:
        """The live state of a run driven here, else None."""
        return self._runs.get(run_id)

    def start(self, state: RunState) -> None:
        """Drive `state.run` here from now on."""
        self._runs[state.run.run_id] = state

    def end(self, run_id: str) -> None:
        """Stop driving a run (it ended, or failed to)."""
        self._runs.pop(run_id, None)

    def state(self, run_id: str, graph: Graph, executing: str | None = None) -> RunState:
        """The live run, or (in a process executing one step) the run read from the store."""
        live = self._runs.get(run_id)
        if live is not None:
            return live
        run = self._store.get_run(check_run_id(run_id))
        # A step executed again must not see what it returned the time before.
        earlier = [s for s in run.steps.values() if s.path != executing]
        scopes = ScopedParameters.replay(run.initial_parameters, graph, earlier)
        return RunState(run, scopes)
