"""The contract every run log store passes: subclass, override the `store` fixture."""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable
from dataclasses import replace

import pytest

from runplane.domain.errors import RunAlreadyExistsError, RunLogNotFoundError, StepLogNotFoundError
from runplane.domain.run_log import Attempt, CatalogEntry, RunLog, Status, StepLog
from runplane.ports.run_log_store import RunLogStore


def make_run(run_id: str = "run-1", start: str = "2026-01-01T00:00:00.000000+00:00") -> RunLog:
    """A run header as the service creates it."""
    return RunLog(
        run_id=run_id,
        status=Status.PROCESSING,
        start_time=start,
        tag="nightly",
        pipeline={"name": "demo", "start_at": "a", "steps": {}},
        initial_parameters={"n": 1, "nested": {"list": [1, 2.5, "ü"]}},
        parameters={"n": 1},
        code_identity={"type": "git", "commit": "abc", "dirty": False},
    )


def make_step(path: str = "a", start: str = "2026-01-01T00:00:01.000000+00:00") -> StepLog:
    """A finished step record with every field filled."""
    return StepLog(
        path=path,
        kind="task",
        status=Status.SUCCESS,
        attempts=[Attempt(1, Status.SUCCESS, start, start, "done")],
        parameters={"n": 1},
        returns={"x": [1, {"y": None}]},
        metrics={"accuracy": 0.9},
        data_catalog=[CatalogEntry("data.csv", "put", "ab" * 32, 12)],
    )


class RunLogStoreContract:
    """Behaviour every RunLogStore must have."""

    @pytest.fixture
    def store(self) -> RunLogStore:
        raise NotImplementedError

    def test_get_unknown_run_raises_not_found_naming_it(self, store: RunLogStore) -> None:
        with pytest.raises(RunLogNotFoundError, match="ghost"):
            store.get_run("ghost")

    def test_created_run_reads_back_with_its_header(self, store: RunLogStore) -> None:
        run = make_run()
        store.create_run(run)
        back = store.get_run("run-1")
        assert back.header_dict() == run.header_dict()
        assert back.steps == {}

    def test_second_run_with_same_id_is_refused(self, store: RunLogStore) -> None:
        store.create_run(make_run())
        store.put_step("run-1", make_step())
        with pytest.raises(RunAlreadyExistsError, match="run-1"):
            store.create_run(make_run())
        assert list(store.get_run("run-1").steps) == ["a"]  # nothing merged or lost

    def test_step_records_round_trip(self, store: RunLogStore) -> None:
        store.create_run(make_run())
        step = make_step("a")
        store.put_step("run-1", step)
        assert store.get_step("run-1", "a").to_dict() == step.to_dict()
        assert store.get_run("run-1").steps["a"].to_dict() == step.to_dict()

    def test_put_step_replaces_the_previous_record(self, store: RunLogStore) -> None:
        store.create_run(make_run())
        step = make_step("a")
        step.status = Status.PROCESSING
        store.put_step("run-1", step)
        step.status = Status.FAIL
        store.put_step("run-1", step)
        assert store.get_step("run-1", "a").status is Status.FAIL
        assert len(store.get_run("run-1").steps) == 1

    def test_store_keeps_a_snapshot_not_the_callers_object(self, store: RunLogStore) -> None:
        store.create_run(make_run())
        step = make_step("a")
        store.put_step("run-1", step)
        step.returns["x"] = "changed after put"
        assert store.get_step("run-1", "a").returns["x"] == [1, {"y": None}]

    def test_steps_come_back_in_start_order(self, store: RunLogStore) -> None:
        store.create_run(make_run())
        for index, name in enumerate(["zeta", "alpha", "map.1.inner", "mid"]):
            store.put_step("run-1", make_step(name, f"2026-01-01T00:00:0{index}.000000+00:00"))
        assert list(store.get_run("run-1").steps) == ["zeta", "alpha", "map.1.inner", "mid"]

    def test_step_paths_with_dots_and_spaces_round_trip(self, store: RunLogStore) -> None:
        store.create_run(make_run())
        store.put_step("run-1", make_step("fan out.3.step one"))
        assert store.get_step("run-1", "fan out.3.step one").path == "fan out.3.step one"

    def test_unknown_step_raises_step_not_found(self, store: RunLogStore) -> None:
        store.create_run(make_run())
        with pytest.raises(StepLogNotFoundError, match="nope"):
            store.get_step("run-1", "nope")

    def test_put_step_into_unknown_run_raises_not_found(self, store: RunLogStore) -> None:
        with pytest.raises(RunLogNotFoundError, match="ghost"):
            store.put_step("ghost", make_step())

    def test_update_run_changes_header_and_keeps_steps(self, store: RunLogStore) -> None:
        run = make_run()
        store.create_run(run)
        store.put_step("run-1", make_step())
        run.status = Status.SUCCESS
        run.parameters = {"n": 1, "x": 2}
        run.end_time = "2026-01-01T00:01:00.000000+00:00"
        store.update_run(run)
        back = store.get_run("run-1")
        assert back.status is Status.SUCCESS
        assert back.parameters == {"n": 1, "x": 2}
        assert back.end_time == run.end_time
        assert list(back.steps) == ["a"]

    def test_update_of_unknown_run_raises_not_found(self, store: RunLogStore) -> None:
        with pytest.raises(RunLogNotFoundError):
            store.update_run(make_run("ghost"))

    def test_list_runs_is_newest_first(self, store: RunLogStore) -> None:
        assert store.list_runs() == []
        store.create_run(make_run("old", "2026-01-01T00:00:00.000000+00:00"))
        store.create_run(make_run("new", "2026-01-02T00:00:00.000000+00:00"))
        store.create_run(make_run("mid", "2026-01-01T12:00:00.000000+00:00"))
        summaries = store.list_runs()
        assert [s.run_id for s in summaries] == ["new", "mid", "old"]
        assert summaries[0].tag == "nightly"
        assert summaries[0].pipeline_name == "demo"

    def test_list_runs_names_the_run_a_retry_continues(self, store: RunLogStore) -> None:
        store.create_run(make_run("first", "2026-01-01T00:00:00.000000+00:00"))
        second = make_run("second", "2026-01-02T00:00:00.000000+00:00")
        store.create_run(replace(second, original_run_id="first"))
        assert [(s.run_id, s.original_run_id) for s in store.list_runs()] == [
            ("second", "first"),
            ("first", None),
        ]

    def test_location_names_the_run(self, store: RunLogStore) -> None:
        store.create_run(make_run())
        assert "run-1" in store.location("run-1")


def _write_steps(factory: Callable[[], RunLogStore], writer: int, count: int) -> None:
    store = factory()
    for index in range(count):
        store.put_step("run-1", make_step(f"writer {writer}.{index}.step"))


class RunLogStoreConcurrencyContract:
    """Stores that several processes write at once (parallel branches, Argo pods).

    Override `store_factory` with a picklable callable that builds a store on the same
    backing storage in any process (for example `functools.partial(Store, config)`).
    """

    writers = 4
    records_per_writer = 50

    @pytest.fixture
    def store_factory(self) -> Callable[[], RunLogStore]:
        raise NotImplementedError

    def test_concurrent_writers_lose_no_record(
        self, store_factory: Callable[[], RunLogStore]
    ) -> None:
        store = store_factory()
        store.create_run(make_run())
        jobs = [(store_factory, w, self.records_per_writer) for w in range(self.writers)]
        with multiprocessing.get_context("spawn").Pool(self.writers) as pool:
            pool.starmap(_write_steps, jobs)
        steps = store.get_run("run-1").steps
        assert len(steps) == self.writers * self.records_per_writer
        assert all(step.status is Status.SUCCESS for step in steps.values())
