"""Run headers and step records in one SQLite file, in WAL mode so readers never block writers."""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import ClassVar

from pydantic import BaseModel, ConfigDict, Field

from runplane.domain.errors import (
    RunAlreadyExistsError,
    RunLogError,
    RunLogNotFoundError,
    StepLogNotFoundError,
)
from runplane.domain.run_log import RunLog, RunSummary, StepLog, order_steps

_SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    run_id     TEXT PRIMARY KEY,
    start_time TEXT NOT NULL,
    header     TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS steps (
    run_id TEXT NOT NULL REFERENCES runs (run_id),
    path   TEXT NOT NULL,
    record TEXT NOT NULL,
    PRIMARY KEY (run_id, path)
);
CREATE INDEX IF NOT EXISTS runs_by_start ON runs (start_time);
"""


class SqliteRunLogStoreConfig(BaseModel):
    """The `config:` block of `run_log_store: {type: sqlite}`."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    path: str = ".run_log_store.sqlite"
    #: How long a writer waits for another process's write lock before failing.
    busy_timeout_seconds: float = Field(default=30.0, gt=0)


class SqliteRunLogStore:
    """Headers in `runs`, one row per step record in `steps`; `put_step` is an upsert.

    Each step is its own row, so parallel branches in several processes never overwrite each
    other's records; SQLite's write lock serialises them and `busy_timeout` makes them wait.
    """

    Config: ClassVar[type[SqliteRunLogStoreConfig]] = SqliteRunLogStoreConfig

    def __init__(self, config: SqliteRunLogStoreConfig | None = None) -> None:
        self._config = config or SqliteRunLogStoreConfig()
        self._connection: sqlite3.Connection | None = None  # opened on first use, not here
        self._lock = threading.Lock()

    def create_run(self, run: RunLog) -> None:
        header = json.dumps(run.header_dict(), ensure_ascii=False)
        try:
            with self._transaction() as db:
                db.execute(
                    "INSERT INTO runs (run_id, start_time, header) VALUES (?, ?, ?)",
                    (run.run_id, run.start_time, header),
                )
        except sqlite3.IntegrityError:
            raise RunAlreadyExistsError(run.run_id, self._where) from None

    def update_run(self, run: RunLog) -> None:
        header = json.dumps(run.header_dict(), ensure_ascii=False)
        with self._transaction() as db:
            cursor = db.execute(
                "UPDATE runs SET header = ?, start_time = ? WHERE run_id = ?",
                (header, run.start_time, run.run_id),
            )
            if cursor.rowcount == 0:
                raise RunLogNotFoundError(run.run_id, self._where)

    def put_step(self, run_id: str, step: StepLog) -> None:
        record = json.dumps(step.to_dict(), ensure_ascii=False)
        with self._transaction() as db:
            self._check_run(db, run_id)
            db.execute(
                "INSERT INTO steps (run_id, path, record) VALUES (?, ?, ?) "
                "ON CONFLICT (run_id, path) DO UPDATE SET record = excluded.record",
                (run_id, step.path, record),
            )

    def get_run(self, run_id: str) -> RunLog:
        with self._transaction() as db:
            row = db.execute("SELECT header FROM runs WHERE run_id = ?", (run_id,)).fetchone()
            if row is None:
                raise RunLogNotFoundError(run_id, self._where)
            records = db.execute("SELECT record FROM steps WHERE run_id = ?", (run_id,))
            steps = [StepLog.from_dict(json.loads(r[0])) for r in records.fetchall()]
        return RunLog.from_dict(json.loads(row[0]), order_steps(steps))

    def get_step(self, run_id: str, step_path: str) -> StepLog:
        with self._transaction() as db:
            self._check_run(db, run_id)
            row = db.execute(
                "SELECT record FROM steps WHERE run_id = ? AND path = ?", (run_id, step_path)
            ).fetchone()
        if row is None:
            raise StepLogNotFoundError(run_id, step_path)
        return StepLog.from_dict(json.loads(row[0]))

    def list_runs(self) -> list[RunSummary]:
        with self._transaction() as db:
            rows = db.execute("SELECT header FROM runs ORDER BY start_time DESC").fetchall()
        return [RunLog.from_dict(json.loads(r[0]), []).summary() for r in rows]

    def location(self, run_id: str) -> str:
        return f"{self._config.path}#{run_id}"

    @property
    def _where(self) -> str:
        return f"sqlite '{self._config.path}'"

    def _check_run(self, db: sqlite3.Connection, run_id: str) -> None:
        if db.execute("SELECT 1 FROM runs WHERE run_id = ?", (run_id,)).fetchone() is None:
            raise RunLogNotFoundError(run_id, self._where)

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        """One transaction on the shared connection; SQLite failures become RunLogError."""
        with self._lock:
            db = self._connect()
            try:
                with db:  # commits, or rolls back on any exception
                    yield db
            except sqlite3.IntegrityError:
                raise
            except sqlite3.Error as exc:
                raise RunLogError(f"{self._where}: {exc}") from exc

    def _connect(self) -> sqlite3.Connection:
        if self._connection is None:
            path = Path(self._config.path)
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                db = sqlite3.connect(
                    path, timeout=self._config.busy_timeout_seconds, check_same_thread=False
                )
                db.execute("PRAGMA journal_mode=WAL")
                db.executescript(_SCHEMA)
            except (OSError, sqlite3.Error) as exc:
                raise RunLogError(f"cannot open {self._where}: {exc}") from exc
            self._connection = db
        return self._connection
