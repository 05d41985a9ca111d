"""`runplane.Run` and `runplane.Runs`: recorded runs as Python objects.

    run = runplane.Run("20261202-162728-85e4e7")      # or Run.latest(tag="nightly")
    run.parameters["model"]                           # objects load on first access
    run.steps["train"].returns["model"]; run.steps["train"].metrics["loss"]
    run.steps["train"].attempts[-1].output            # what the attempt printed
    run.open("data.csv"); run.download("data", "dest/")

Objects (returns that travelled as pickles) are loaded on first access and checked
against the sha256 the run log recorded; files are fetched in the very version the run
recorded, hash-checked too. Importing this module stays light: the configuration and
adapters are loaded when a run is first looked up.
"""

from __future__ import annotations

import shutil
import tempfile
import weakref
from collections.abc import Callable, Iterator, Mapping
from datetime import datetime, timedelta
from pathlib import Path
from typing import IO, Any

from runplane.domain.errors import CatalogError
from runplane.domain.run_log import Attempt, CatalogEntry, RunLog, StepLog
from runplane.ports.queries import LATEST, RunQueries


def run_queries(configuration_file: str | None = None) -> RunQueries:
    """The read side, built from a configuration file like `service()`."""
    from runplane.app.bootstrap.root import queries  # noqa: PLC0415  (keeps import light)

    return queries(configuration_file)


class LazyValues(Mapping[str, Any]):
    """Recorded values whose object references load (hash-checked) on first access."""

    def __init__(self, raw: Mapping[str, Any], load: Callable[[Any], Any]) -> None:
        self._raw = dict(raw)
        self._load = load
        self._loaded: dict[str, Any] = {}

    def __getitem__(self, name: str) -> Any:
        if name not in self._loaded:
            if name not in self._raw:
                known = ", ".join(sorted(self._raw)) or "none"
                raise KeyError(f"{name!r} is not recorded here; recorded: {known}")
            self._loaded[name] = self._load(self._raw[name])
        return self._loaded[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._raw)

    def __len__(self) -> int:
        return len(self._raw)

    def __repr__(self) -> str:
        return f"<{len(self._raw)} values: {', '.join(self._raw)}>"


def _instant(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


def _duration(start: str | None, end: str | None) -> timedelta | None:
    started, ended = _instant(start), _instant(end)
    return ended - started if started and ended else None


class RunAttempt:
    """One attempt of a step; `output` (what it printed) is read on first access."""

    def __init__(self, record: Attempt, output: Callable[[], str]) -> None:
        self.number = record.number
        self.status = record.status.value
        self.message = record.message
        self.traceback = record.traceback
        self.started = _instant(record.start_time)
        self.ended = _instant(record.end_time)
        self.duration = _duration(record.start_time, record.end_time)
        self._output = output
        self._text: str | None = None

    @property
    def output(self) -> str:
        """What the attempt printed (stdout and stderr), secrets masked; '' when nothing."""
        if self._text is None:
            self._text = self._output()
        return self._text

    def __repr__(self) -> str:
        return f"<attempt {self.number}: {self.status}>"


class RunStep:
    """One step's record: parameters it read, returns, metrics, files, attempts."""

    def __init__(self, record: StepLog, run: Run) -> None:
        self.record = record
        self.path = record.path
        self.kind = record.kind
        self.status = record.status.value
        self.started = _instant(record.start_time)
        self.ended = _instant(record.end_time)
        self.duration = _duration(record.start_time, record.end_time)
        self.metrics = dict(record.metrics)
        self.files = list(record.data_catalog)
        self.reused_from = record.reused_from
        self.parameters = LazyValues(record.parameters, run._load)
        self.returns = LazyValues(record.returns, run._load)
        self.attempts = [
            RunAttempt(a, _output_of(run, record.path, a.number)) for a in record.attempts
        ]

    def __repr__(self) -> str:
        return f"<step {self.path}: {self.status}>"


def _output_of(run: Run, path: str, number: int) -> Callable[[], str]:
    return lambda: run._queries.step_output(run.run_id, path, number)


class Run:
    """A recorded run. `Run("latest")` is the newest; `configuration_file` picks the store."""

    def __init__(self, run_id: str, *, configuration_file: str | None = None) -> None:
        self._setup(run_queries(configuration_file), run_id)

    @classmethod
    def latest(
        cls,
        *,
        tag: str | None = None,
        status: str | None = None,
        configuration_file: str | None = None,
    ) -> Run:
        """The newest run, optionally of a tag and a status ('success', 'fail', ...)."""
        queries = run_queries(configuration_file)
        return cls._of(queries, queries.resolve(LATEST, tag=tag, status=status))

    @classmethod
    def _of(cls, queries: RunQueries, run_id: str) -> Run:
        run = cls.__new__(cls)
        run._setup(queries, run_id)
        return run

    def _setup(self, queries: RunQueries, run_id: str) -> None:
        self._queries = queries
        self.log: RunLog = queries.get_run(run_id)  # raises RunLogNotFoundError early
        self.run_id = self.log.run_id
        self._steps: dict[str, RunStep] | None = None
        self._scratch: Path | None = None
        self.parameters = LazyValues(self.log.parameters, self._load)
        self.initial_parameters = LazyValues(self.log.initial_parameters, self._load)

    def _load(self, value: Any) -> Any:
        return self._queries.load(self.run_id, value)

    status = property(lambda self: self.log.status.value, doc="success, fail or processing")
    state = property(lambda self: self.log.state, doc="status, or running / interrupted")
    tag = property(lambda self: self.log.tag, doc="The run's tag, if any.")
    started = property(lambda self: _instant(self.log.start_time), doc="When it started.")
    ended = property(lambda self: _instant(self.log.end_time), doc="When it ended, if it did.")
    pipeline_name = property(lambda self: self.log.pipeline.get("name"), doc="Pipeline name.")
    original_run_id = property(lambda self: self.log.original_run_id, doc="A retry's original.")

    @property
    def duration(self) -> timedelta | None:
        """From start to end; None while it runs."""
        return _duration(self.log.start_time, self.log.end_time)

    @property
    def steps(self) -> Mapping[str, RunStep]:
        """Every step by path (`train`, `per_file.3.count`), in the order they started."""
        if self._steps is None:
            self._steps = {path: RunStep(s, self) for path, s in self.log.steps.items()}
        return self._steps

    @property
    def files(self) -> list[str]:
        """Names of the files in the run's catalog (what its steps put), sorted."""
        return sorted(self._latest_versions())

    def open(self, name: str, mode: str = "r") -> IO[Any]:
        """Open a catalog file for reading ('r' text, 'rb' bytes), in its recorded version."""
        if mode not in ("r", "rb"):
            raise ValueError(f"mode {mode!r}: catalog files open for reading, 'r' or 'rb'")
        entry = self._latest_versions().get(name)
        if entry is None:
            raise CatalogError(self._not_a_file(name))
        (path,) = self._queries.fetch(self.run_id, [entry], self._scratch_dir())
        return path.open(mode, encoding=None if "b" in mode else "utf-8")

    def download(self, name: str, dest: str | Path) -> list[Path]:
        """Copy a catalog file, or a folder whole, into `dest`; the paths written."""
        versions = self._latest_versions()
        prefix = name.rstrip("/") + "/"
        chosen = [e for n, e in versions.items() if n == name or n.startswith(prefix)]
        if not chosen:
            raise CatalogError(self._not_a_file(name, folders=True))
        return self._queries.fetch(self.run_id, chosen, Path(dest))

    def _latest_versions(self) -> dict[str, CatalogEntry]:
        return {name: entry for name, (_, entry) in self.log.files().items()}

    def _not_a_file(self, name: str, *, folders: bool = False) -> str:
        what = "file or folder" if folders else "file"
        names = ", ".join(sorted(self._latest_versions())) or "none"
        return f"run {self.run_id!r} has no catalog {what} {name!r}; its files: {names}"

    def _scratch_dir(self) -> Path:
        if self._scratch is None:
            self._scratch = Path(tempfile.mkdtemp(prefix="runplane-run-"))
            weakref.finalize(self, shutil.rmtree, self._scratch, True)
        return self._scratch

    def __repr__(self) -> str:
        return f"<Run {self.run_id}: {self.state}>"


class Runs:
    """Recorded runs, newest first, each criterion narrowing them (as `runplane runs list`).

    `since` is an age ('7d', '6h') or an ISO date. Each run's log is read as iteration
    reaches it.
    """

    def __init__(
        self,
        *,
        tag: str | None = None,
        status: str | None = None,
        since: str | None = None,
        limit: int | None = None,
        configuration_file: str | None = None,
    ) -> None:
        self._queries = run_queries(configuration_file)
        self.summaries = self._queries.list_runs(status=status, tag=tag, since=since, limit=limit)

    def __iter__(self) -> Iterator[Run]:
        for summary in self.summaries:
            yield Run._of(self._queries, summary.run_id)

    def __len__(self) -> int:
        return len(self.summaries)

    def __repr__(self) -> str:
        return f"<Runs: {len(self.summaries)}>"
