"""A runplane run log store on SQLite (an example of an in-house adapter package)."""

from runplane_sqlite_runlog.store import SqliteRunLogStore, SqliteRunLogStoreConfig

__all__ = ["SqliteRunLogStore", "SqliteRunLogStoreConfig"]
