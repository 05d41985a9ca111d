"""The SQLite store passes runplane's own contract suites, unchanged."""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path

import pytest
from runplane_sqlite_runlog import SqliteRunLogStore, SqliteRunLogStoreConfig

from runplane.ports.run_log_store import RunLogStore
from runplane.testing.run_log_store import (
    RunLogStoreConcurrencyContract,
    RunLogStoreContract,
    make_run,
)


class TestSqliteRunLogStore(RunLogStoreContract):
    @pytest.fixture
    def store(self, tmp_path: Path) -> RunLogStore:
        return SqliteRunLogStore(SqliteRunLogStoreConfig(path=str(tmp_path / "runs.sqlite")))


class TestSqliteRunLogStoreConcurrency(RunLogStoreConcurrencyContract):
    @pytest.fixture
    def store_factory(self, tmp_path: Path) -> Callable[[], RunLogStore]:
        config = SqliteRunLogStoreConfig(path=str(tmp_path / "runs.sqlite"))
        return functools.partial(SqliteRunLogStore, config)


def test_database_is_in_wal_mode(tmp_path: Path) -> None:
    store = SqliteRunLogStore(SqliteRunLogStoreConfig(path=str(tmp_path / "runs.sqlite")))
    store.create_run(make_run())
    assert (tmp_path / "runs.sqlite-wal").exists()


def test_constructor_touches_nothing(tmp_path: Path) -> None:
    SqliteRunLogStore(SqliteRunLogStoreConfig(path=str(tmp_path / "deep" / "runs.sqlite")))
    assert not (tmp_path / "deep").exists()
