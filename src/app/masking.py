"""Every secret value this process must keep out of what it records and shows.

One registry per process: a value is added when it is fetched for a step and, up front,
for every secret any step of the pipeline declares (so a step that did not declare a
secret, or a sibling branch running while another holds it, is masked too). Text is masked
with one precomputed `Masker`, replaced whole when a value is added, so readers never
lock: captured output, the live echo (`capture.py`), attempt messages and tracebacks, run
log records (`MaskedRunLogStore`), `runs show`/`runs logs` and telemetry all read it.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from runplane.domain.errors import SecretError, SecretNotFoundError
from runplane.domain.graph import Graph, Node
from runplane.domain.redaction import Masker
from runplane.domain.run_log import RunLog, RunSummary, StepLog
from runplane.ports.run_log_store import RunLogStore
from runplane.ports.secrets import Secrets

_lock = threading.Lock()
_values: frozenset[str] = frozenset()
_masker = Masker()


def register(values: Iterable[str]) -> None:
    """Mask these values (and every form of them) from now on, in this whole process."""
    global _values, _masker  # noqa: PLW0603  (the one registry of the process)
    with _lock:
        new = {value for value in values if value} - _values
        if new:
            _values = _values | new
            _masker = Masker(_values)


def masker() -> Masker:
    """The masker of every value registered so far."""
    return _masker


def mask(text: str) -> str:
    """`text` with every registered secret masked."""
    return _masker.mask(text)


def forget_all() -> None:
    """Drop every registered value (for tests that run many pipelines in one process)."""
    global _values, _masker
    with _lock:
        _values, _masker = frozenset(), Masker()


def declared(graph: Graph) -> set[str]:
    """The names of the secrets any step of `graph` declares, branches included."""
    names: set[str] = set()
    for node in all_nodes(graph):
        if node.task is not None:
            names.update(node.task.secrets)
    return names


def all_nodes(graph: Graph) -> Iterator[Node]:
    """Every node of `graph` and of its composite steps' branches (iteratively)."""
    pending = [graph]
    while pending:
        for node in pending.pop().nodes.values():
            yield node
            spec = node.composite
            if spec is not None:
                pending.extend(
                    [spec.branch] if hasattr(spec, "branch") else list(spec.branches.values())
                )


def named_in(pipeline: dict[str, Any]) -> set[str]:
    """The secret names in a run log's serialised pipeline (any depth, iteratively)."""
    names: set[str] = set()
    pending: list[Any] = [pipeline]
    while pending:
        item = pending.pop()
        if isinstance(item, dict):
            secrets = item.get("secrets")
            if isinstance(secrets, list):
                names.update(name for name in secrets if isinstance(name, str))
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)
    return names


def fetch_for_masking(secrets: Secrets, names: Iterable[str]) -> None:
    """Fetch and register the values of `names`; a secret that cannot be fetched is skipped.

    Used where a missing secret is not this call's error to report (a step that does not
    declare it, `runs show`): the step that needs it fails on its own. A store that fails
    for another reason (Vault unreachable) is not asked again for the other names, so
    `runs show` does not wait out a timeout per secret.
    """
    found = []
    for name in sorted(set(names)):
        try:
            found.append(secrets.get(name))
        except SecretNotFoundError:
            continue
        except SecretError:
            break
    register(found)


def mask_json_file(path: Path) -> None:
    """Mask every string in a JSON file (an executed notebook's outputs), in place.

    Strings are masked one by one, not the file's text, so the file stays valid JSON.
    """
    if not _masker or not path.is_file():
        return
    data = json.loads(path.read_text(encoding="utf-8"))
    pending: list[Any] = [data]
    while pending:
        item = pending.pop()
        pairs = item.items() if isinstance(item, dict) else enumerate(item)
        for key, value in list(pairs):
            if isinstance(value, str):
                item[key] = _masker.mask(value)
            elif isinstance(value, dict | list):
                pending.append(value)
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


def mask_step(step: StepLog) -> StepLog:
    """`step` with its attempts' messages and tracebacks masked (in place)."""
    if _masker:
        for attempt in step.attempts:
            attempt.message = _masker.mask(attempt.message)
            attempt.traceback = _masker.mask(attempt.traceback)
    return step


def mask_run(run: RunLog) -> RunLog:
    """`run` with its message and every step's attempts masked (in place)."""
    if _masker:
        run.message = _masker.mask(run.message)
        for step in run.steps.values():
            mask_step(step)
    return run


class MaskedRunLogStore:
    """A run log store whose records are masked on the way in and on the way out.

    The service writes every record through it, so no message or traceback (a step's, a
    composite step's, the run's) reaches a store unmasked, whoever composed it; reading
    masks too, for records written before a value was known to be secret.
    """

    def __init__(self, store: RunLogStore) -> None:
        self.inner = store

    def create_run(self, run: RunLog) -> None:
        """Record a new run's header, masked."""
        self.inner.create_run(mask_run(run))

    def update_run(self, run: RunLog) -> None:
        """Replace a run's header, masked."""
        self.inner.update_run(mask_run(run))

    def put_step(self, run_id: str, step: StepLog) -> None:
        """Write a step record, masked."""
        self.inner.put_step(run_id, mask_step(step))

    def get_run(self, run_id: str) -> RunLog:
        """The run, masked."""
        return mask_run(self.inner.get_run(run_id))

    def get_step(self, run_id: str, step_path: str) -> StepLog:
        """One step record, masked."""
        return mask_step(self.inner.get_step(run_id, step_path))

    def list_runs(self) -> list[RunSummary]:
        """Headers of every run (they hold no messages)."""
        return self.inner.list_runs()

    def location(self, run_id: str) -> str:
        """Where the run's records are."""
        return self.inner.location(run_id)

    def __getattr__(self, name: str) -> Any:
        # Methods an adapter has beyond the port (tests and tools reach for them).
        return getattr(self.inner, name)


def masked_store(store: RunLogStore) -> RunLogStore:
    """`store`, masking every record it writes and reads (once, however often wrapped)."""
    return store if isinstance(store, MaskedRunLogStore) else MaskedRunLogStore(store)
