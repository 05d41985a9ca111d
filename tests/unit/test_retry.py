from pathlib import Path

import pytest

from runplane import Catalog, Map, Pipeline, PythonTask, Stub
from runplane.adapters.executors.local import LocalExecutor
from runplane.adapters.run_log_stores.buffered import BufferedRunLogStore
from runplane.adapters.tasks.python import PythonTaskRunner
from runplane.app.service import RunService
from runplane.domain.errors import CatalogError, PipelineDefinitionError
from runplane.domain.run_log import Status
from tests.fakes import DictSecrets, MemoryCatalog

CALLS: list[str] = []
BROKEN: set[str] = set()


@pytest.fixture(autouse=True)
def _reset(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    CALLS.clear()
    BROKEN.clear()


def make_service(store: BufferedRunLogStore, catalog: MemoryCatalog) -> RunService:
    return RunService(
        executor=LocalExecutor(),
        run_log_store=store,
        catalog=catalog,
        secrets=DictSecrets(),
        task_runners={"python": PythonTaskRunner()},
    )


def load() -> list[int]:
    CALLS.append("load")
    Path("raw.txt").write_text("1 2 3")
    return [1, 2, 3]


def square(item: int) -> int:
    CALLS.append(f"square {item}")
    if f"square {item}" in BROKEN:
        raise RuntimeError(f"square {item} broke")
    return item * item


def report(squares: list[int]) -> int:
    CALLS.append("report")
    if "report" in BROKEN:
        raise RuntimeError("report broke")
    return sum(squares)


PIPELINE = Pipeline(
    [
        PythonTask(load, returns=["items"], catalog=Catalog(put=["raw.txt"])),
        Map("squares", "items", "item", Pipeline([PythonTask(square, returns=["squares"])])),
        PythonTask(report, returns=["total"]),
    ]
)


def test_retry_reuses_what_succeeded_and_runs_the_rest() -> None:
    store, catalog = BufferedRunLogStore(), MemoryCatalog()
    BROKEN.add("report")
    failed = make_service(store, catalog).run(PIPELINE.graph, run_id="first")
    assert failed.status is Status.FAIL
    BROKEN.clear()
    CALLS.clear()
    retried = make_service(store, catalog).retry("first", new_run_id="second", graph=PIPELINE.graph)
    assert retried.status is Status.SUCCESS
    assert CALLS == ["report"]  # nothing that succeeded ran again
    assert retried.original_run_id == "first"
    assert retried.parameters_from == "original run 'first'"
    assert retried.parameters["total"] == 14
    assert retried.steps["load"].reused_from == "first"
    assert retried.steps["squares.1.square"].reused_from == "first"
    assert retried.steps["report"].reused_from is None
    assert catalog.files["second"]["raw.txt"] == b"1 2 3"  # files copied into the new run


def test_retry_inside_a_map_reruns_only_failed_iterations() -> None:
    store, catalog = BufferedRunLogStore(), MemoryCatalog()
    BROKEN.add("square 2")
    assert make_service(store, catalog).run(PIPELINE.graph, run_id="first").status is Status.FAIL
    BROKEN.clear()
    CALLS.clear()
    retried = make_service(store, catalog).retry("first", graph=PIPELINE.graph)
    assert retried.status is Status.SUCCESS
    assert CALLS == ["square 2", "report"]
    assert retried.parameters["squares"] == [1, 4, 9]


def test_retry_from_a_step_runs_it_and_everything_after() -> None:
    store, catalog = BufferedRunLogStore(), MemoryCatalog()
    make_service(store, catalog).run(PIPELINE.graph, run_id="first")
    CALLS.clear()
    make_service(store, catalog).retry("first", from_step="squares", graph=PIPELINE.graph)
    assert CALLS == ["square 1", "square 2", "square 3", "report"]


def test_retry_with_new_parameters_says_so(tmp_path: Path) -> None:
    store, catalog = BufferedRunLogStore(), MemoryCatalog()
    graph = Pipeline([PythonTask(lambda n: n + 1, name="inc", returns=["m"])]).graph
    (tmp_path / "a.yaml").write_text("n: 1\n")
    (tmp_path / "b.yaml").write_text("n: 10\n")
    make_service(store, catalog).run(graph, run_id="first", parameters_file="a.yaml")
    retried = make_service(store, catalog).retry(
        "first", from_step="inc", parameters_file="b.yaml", graph=graph
    )
    assert retried.parameters["m"] == 11
    assert retried.parameters_from == "parameters file 'b.yaml'"


def test_retry_refuses_a_pipeline_whose_steps_changed() -> None:
    store, catalog = BufferedRunLogStore(), MemoryCatalog()
    make_service(store, catalog).run(Pipeline([Stub("a")]).graph, run_id="first")
    with pytest.raises(PipelineDefinitionError, match="pipeline changed since run 'first'"):
        make_service(store, catalog).retry("first", graph=Pipeline([Stub("b")]).graph)


def test_retry_from_unknown_step_lists_the_steps() -> None:
    store, catalog = BufferedRunLogStore(), MemoryCatalog()
    make_service(store, catalog).run(PIPELINE.graph, run_id="first")
    with pytest.raises(PipelineDefinitionError, match="steps are: load, squares, report"):
        make_service(store, catalog).retry("first", from_step="nope", graph=PIPELINE.graph)


def test_retry_refuses_a_catalog_file_changed_since() -> None:
    store, catalog = BufferedRunLogStore(), MemoryCatalog()
    BROKEN.add("report")
    make_service(store, catalog).run(PIPELINE.graph, run_id="first")
    catalog.files["first"]["raw.txt"] = b"tampered"
    with pytest.raises(CatalogError, match="changed since it was recorded"):
        make_service(store, catalog).retry("first", graph=PIPELINE.graph)
