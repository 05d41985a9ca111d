"""The contract of stores that keep run leases (`ports.run_log_store.RunLeases`).

Mix it into a store's contract class: it uses the same `store` fixture.
"""

from __future__ import annotations

import pytest

from runplane.domain.errors import RunInUseError, RunLogNotFoundError
from runplane.domain.run_log import Status
from runplane.ports.run_log_store import RunLeases, RunLogStore
from runplane.testing.run_log_store import make_run


class RunLeasesContract:
    """One holder at a time; a held lease reads `running`, a released one `interrupted`."""

    @pytest.fixture
    def store(self) -> RunLogStore:
        raise NotImplementedError

    def test_a_held_lease_refuses_another_holder_until_released(self, store: RunLogStore) -> None:
        assert isinstance(store, RunLeases)
        store.create_run(make_run("r1"))
        lease = store.hold("r1")
        with pytest.raises(RunInUseError, match="run 'r1' is in use"):
            store.hold("r1")
        lease.release()
        store.hold("r1").release()

    def test_reads_tell_a_running_run_from_an_interrupted_one(self, store: RunLogStore) -> None:
        assert isinstance(store, RunLeases)
        store.create_run(make_run("r1"))
        lease = store.hold("r1")
        assert store.get_run("r1").state == "running"
        assert [s.state for s in store.list_runs()] == ["running"]
        lease.release()
        assert store.get_run("r1").state == "interrupted"
        assert [s.state for s in store.list_runs()] == ["interrupted"]

    def test_an_owner_updating_its_run_keeps_the_lease(self, store: RunLogStore) -> None:
        assert isinstance(store, RunLeases)
        run = make_run("r1")
        store.create_run(run)
        lease = store.hold("r1")
        run.message = "half way"
        store.update_run(run)
        assert store.get_run("r1").state == "running"
        with pytest.raises(RunInUseError):
            store.hold("r1")
        run.status = Status.SUCCESS
        store.update_run(run)
        lease.release()
        assert store.get_run("r1").state == "success"

    def test_holding_an_unknown_run_fails(self, store: RunLogStore) -> None:
        assert isinstance(store, RunLeases)
        with pytest.raises(RunLogNotFoundError, match="nope"):
            store.hold("nope")
