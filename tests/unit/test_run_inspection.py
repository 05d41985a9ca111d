"""Listing, showing and diffing runs through the service, and the events it reports."""

from pathlib import Path

import pytest

from runplane import Catalog, Map, Pipeline, PythonTask, metric
from runplane.adapters.executors.local import LocalExecutor
from runplane.adapters.run_log_stores.buffered import BufferedRunLogStore
from runplane.adapters.tasks.python import PythonTaskRunner
from runplane.app.service import RunService
from runplane.domain.errors import ParameterError, RunLogError
from runplane.domain.events import EventKind, RunEvent
from runplane.domain.run_log import Status
from tests.fakes import DictSecrets, MemoryCatalog


class Clock:
    """A clock the test moves: one second per reading, from a fixed day."""

    def __init__(self) -> None:
        self.ticks = 0

    def __call__(self) -> str:
        self.ticks += 1
        minutes, seconds = divmod(self.ticks, 60)
        return f"2026-03-10T10:{minutes:02d}:{seconds:02d}.000000+00:00"


@pytest.fixture
def service(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> RunService:
    monkeypatch.chdir(tmp_path)
    return RunService(
        executor=LocalExecutor(),
        run_log_store=BufferedRunLogStore(),
        catalog=MemoryCatalog(),
        secrets=DictSecrets(),
        task_runners={"python": PythonTaskRunner()},
        clock=Clock(),
    )


def numbers(n: int) -> list[int]:
    Path("out.txt").write_text(f"{n}\n")
    return list(range(n))


def double(item: int) -> int:
    if item < 0:
        raise ValueError("negative")
    return item * 2


def score(doubled: list[int]) -> float:
    return sum(doubled) / 10


def pipeline() -> Pipeline:
    return Pipeline(
        [
            PythonTask(numbers, returns=["xs"], catalog=Catalog(put=["out.txt"])),
            Map(
                "each",
                iterate_on="xs",
                iterate_as="item",
                branch=Pipeline([PythonTask(double, returns=["doubled"])]),
            ),
            PythonTask(score, returns=[metric("score")]),
        ],
        name="demo",
    )


def run_with(service: RunService, n: int, run_id: str, tag: str | None = None) -> str:
    Path("p.yaml").write_text(f"n: {n}\n")
    return service.run(pipeline().graph, parameters_file="p.yaml", run_id=run_id, tag=tag).run_id


def test_listener_hears_steps_branches_and_the_run_in_order(service: RunService) -> None:
    heard: list[RunEvent] = []
    service.add_listener(heard.append)
    run_with(service, 2, run_id="r1")
    seen = [(e.kind, e.step_path) for e in heard]
    assert seen[0] == (EventKind.RUN_STARTED, "")
    assert seen[-1] == (EventKind.RUN_ENDED, "")
    assert heard[-1].status is Status.SUCCESS
    opened = next(e for e in heard if e.kind is EventKind.BRANCHES_OPENED)
    assert (opened.step_path, opened.branches) == ("each", ("0", "1"))
    assert (EventKind.STEP_ENDED, "each.1.double") in seen
    assert seen.index((EventKind.COMPOSITE_ENDED, "each")) > seen.index(
        (EventKind.STEP_ENDED, "each.1.double")
    )
    ended = [e for e in heard if e.kind is EventKind.STEP_ENDED and e.step_path == "score"]
    assert ended[0].attempts == 1


def test_list_runs_filters_by_status_tag_age_and_limit(service: RunService) -> None:
    run_with(service, 2, run_id="good", tag="nightly")
    run_with(service, 0, run_id="empty")
    assert [r.run_id for r in service.list_runs()] == ["empty", "good"]
    assert [r.run_id for r in service.list_runs(tag="nightly")] == ["good"]
    assert [r.run_id for r in service.list_runs(limit=1)] == ["empty"]
    assert service.list_runs(status="fail") == []
    assert len(service.list_runs(since="1h")) == 2
    assert service.list_runs(since="2027-01-01") == []
    with pytest.raises(ParameterError, match="valid statuses: processing, success, fail"):
        service.list_runs(status="failed")
    with pytest.raises(ParameterError, match="2d"):
        service.list_runs(since="yesterday")


def test_show_arranges_iterations_under_their_map(service: RunService) -> None:
    run_with(service, 3, run_id="r1")
    tree = service.show("r1")
    assert [n.name for n in tree.roots] == ["numbers", "each", "score"]
    each = tree.roots[1]
    assert list(each.branches) == ["0", "1", "2"]
    assert [c.path for c in each.branches["2"]] == ["each.2.double"]
    assert tree.step("each.2.double").returns == {"doubled": 4}
    with pytest.raises(RunLogError, match="no step 'nope'; recorded steps: numbers, each"):
        tree.step("nope")


def test_diff_names_changed_parameters_metrics_and_files(service: RunService) -> None:
    run_with(service, 2, run_id="a")
    run_with(service, 3, run_id="b")
    diff = service.diff("a", "b")
    keys = {c.key: (c.before, c.after) for c in diff.parameters}
    assert keys["xs"] == ([0, 1], [0, 1, 2])
    assert keys["n"] == (2, 3)
    assert [(c.key, c.before, c.after) for c in diff.metrics] == [("score:score", 0.2, 0.6)]
    assert [c.key for c in diff.catalog] == ["numbers:out.txt"]
    assert service.diff("a", "a").same
    assert diff.to_dict()["metrics"][0]["after"] == 0.6
