"""Run ownership: a live run holds its lease; retries of it are refused, one retry at a time."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path

import pytest

from runplane import Pipeline, PythonTask
from runplane.adapters.catalogs.file_system import FileSystemCatalog, FileSystemCatalogConfig
from runplane.adapters.executors.local import LocalExecutor
from runplane.adapters.run_log_stores.chunked_fs import (
    ChunkedFileSystemRunLogStore,
    ChunkedFileSystemRunLogStoreConfig,
)
from runplane.adapters.run_log_stores.file_system import (
    FileSystemRunLogStore,
    FileSystemRunLogStoreConfig,
)
from runplane.adapters.tasks.python import PythonTaskRunner
from runplane.app.service import RunService
from runplane.domain.errors import RunInUseError
from runplane.domain.run_log import RunLog, Status
from tests.fakes import DictSecrets

Store = FileSystemRunLogStore | ChunkedFileSystemRunLogStore
STORES: dict[str, Callable[[str], Store]] = {
    "file-system": lambda root: FileSystemRunLogStore(FileSystemRunLogStoreConfig(log_folder=root)),
    "chunked-fs": lambda root: ChunkedFileSystemRunLogStore(
        ChunkedFileSystemRunLogStoreConfig(log_folder=root)
    ),
}


def new_run(store: Store, run_id: str = "r1") -> None:
    store.create_run(RunLog(run_id=run_id, status=Status.PROCESSING, start_time="2026-12-02"))


@pytest.mark.parametrize("kind", STORES)
def test_a_held_lease_says_running_and_refuses_a_second_holder(tmp_path: Path, kind: str) -> None:
    store = STORES[kind](str(tmp_path))
    new_run(store)
    assert store.get_run("r1").live is None  # never driven by a lease holder: unknown
    lease = store.hold("r1")
    assert store.get_run("r1").state == "running"
    assert store.list_runs()[0].state == "running"
    with pytest.raises(RunInUseError, match=rf"run 'r1' is in use: process {os.getpid()} on "):
        store.hold("r1")
    lease.release()
    assert store.get_run("r1").state == "interrupted"
    assert store.list_runs()[0].to_dict()["state"] == "interrupted"
    store.hold("r1").release()  # free again


def test_a_killed_owner_leaves_its_run_interrupted(tmp_path: Path) -> None:
    store = FileSystemRunLogStore(FileSystemRunLogStoreConfig(log_folder=str(tmp_path)))
    new_run(store)
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time\n"
            "from runplane.adapters.run_log_stores.file_system import *\n"
            f"config = FileSystemRunLogStoreConfig(log_folder={str(tmp_path)!r})\n"
            "lease = FileSystemRunLogStore(config).hold('r1')\n"
            "print('held', flush=True)\n"
            "time.sleep(600)\n",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout is not None
    assert holder.stdout.readline() == "held\n"
    assert store.get_run("r1").state == "running"
    with pytest.raises(RunInUseError, match=f"process {holder.pid} on"):
        store.hold("r1")
    holder.send_signal(signal.SIGKILL)
    holder.wait()
    holder.stdout.close()
    assert store.get_run("r1").state == "interrupted"


GATE = threading.Event()
ENTERED = threading.Event()


def slow() -> int:
    ENTERED.set()
    assert GATE.wait(30)
    return 1


def fails() -> int:
    raise RuntimeError("broken")


def service(tmp_path: Path) -> RunService:
    return RunService(
        executor=LocalExecutor(),
        run_log_store=FileSystemRunLogStore(
            FileSystemRunLogStoreConfig(log_folder=str(tmp_path / "runs"))
        ),
        catalog=FileSystemCatalog(FileSystemCatalogConfig(catalog_location=str(tmp_path / "c"))),
        secrets=DictSecrets(),
        task_runners={"python": PythonTaskRunner()},
    )


def test_a_live_run_is_not_retried_and_of_two_retries_one_proceeds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    GATE.clear()
    ENTERED.clear()
    broken = Pipeline([PythonTask(fails, name="step", returns=["x"])]).graph
    fixed = Pipeline([PythonTask(slow, name="step", returns=["x"])]).graph
    assert service(tmp_path).run(broken, run_id="first").status is Status.FAIL
    results: list[RunLog] = []
    first = threading.Thread(
        target=lambda: results.append(
            service(tmp_path).retry("first", new_run_id="retry-1", graph=fixed)
        )
    )
    first.start()
    try:
        assert ENTERED.wait(30)
        with pytest.raises(RunInUseError, match="run 'first' is in use"):
            service(tmp_path).retry("first", new_run_id="retry-2", graph=fixed)
        # The retry's own run is live too: retrying it now is refused.
        with pytest.raises(RunInUseError, match="run 'retry-1' is in use"):
            service(tmp_path).retry("retry-1", new_run_id="retry-3", graph=fixed)
        shown = {s.run_id: s.state for s in service(tmp_path).list_runs()}
        assert shown == {"first": "fail", "retry-1": "running"}  # no retry-2 or -3 was made
    finally:
        GATE.set()
        first.join()
    assert [r.status for r in results] == [Status.SUCCESS]
