from pathlib import Path

import pytest

from runplane import Catalog, Conditional, Loop, Map, Pipeline, PythonTask, Stub
from runplane.adapters.catalogs.file_system import FileSystemCatalog, FileSystemCatalogConfig
from runplane.adapters.executors.local import LocalExecutor
from runplane.adapters.run_log_stores.buffered import BufferedRunLogStore
from runplane.adapters.tasks.python import PythonTaskRunner
from runplane.app.service import RunService
from runplane.domain.errors import CatalogError, PipelineDefinitionError
from runplane.domain.run_log import Status
from runplane.ports.catalog import Catalog as CatalogPort
from tests.fakes import DictSecrets, MemoryCatalog

CALLS: list[str] = []
BROKEN: set[str] = set()


@pytest.fixture(autouse=True)
def _reset(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    CALLS.clear()
    BROKEN.clear()


def make_service(store: BufferedRunLogStore, catalog: CatalogPort) -> RunService:
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
    kept = store.get_run("first").steps["load"].data_catalog[0].sha256
    catalog.versions[kept] = b"tampered"
    with pytest.raises(CatalogError, match="step 'load' of run 'first' cannot be reused"):
        make_service(store, catalog).retry("first", new_run_id="second", graph=PIPELINE.graph)
    closed = store.get_run("second")  # the failed retry is not left processing
    assert closed.status is Status.FAIL
    assert "retry of run 'first' failed" in closed.message
    assert "raw.txt" in closed.message


def chatty() -> int:
    print("hello from chatty")
    CALLS.append("chatty")
    return 1


def finish() -> int:
    CALLS.append("finish")
    if "finish" in BROKEN:
        raise RuntimeError("finish broke")
    return 1


def odd_name() -> None:
    CALLS.append("odd_name")
    Path("out").mkdir(exist_ok=True)
    Path("out/data[1].csv").write_text("literal")
    Path("out/data1.csv").write_text("glob would pick me")


def test_retry_copies_recorded_names_exactly_and_keeps_captured_output(tmp_path: Path) -> None:
    store = BufferedRunLogStore()
    catalog = FileSystemCatalog(FileSystemCatalogConfig(catalog_location=str(tmp_path / "cat")))
    graph = Pipeline(
        [
            PythonTask(chatty, returns=["one"]),
            PythonTask(odd_name, catalog=Catalog(put=["out/data[[]1].csv"])),
            PythonTask(finish, returns=["done"]),
        ]
    ).graph
    BROKEN.add("finish")
    first = make_service(store, catalog).run(graph, run_id="first")
    assert first.status is Status.FAIL
    assert [e.name for e in first.steps["odd_name"].data_catalog] == ["out/data[1].csv"]
    BROKEN.clear()
    CALLS.clear()
    service = make_service(store, catalog)
    assert service.retry("first", new_run_id="second", graph=graph).status is Status.SUCCESS
    assert CALLS == ["finish"]  # the others were reused, not run again
    assert (tmp_path / "cat" / "second" / "out" / "data[1].csv").read_text() == "literal"
    assert not (tmp_path / "cat" / "second" / "out" / "data1.csv").exists()
    assert service.step_output("second", "chatty") == "hello from chatty\n"


def add_one() -> None:
    CALLS.append("add_one")
    acc = Path("acc.txt")
    acc.write_text(str(int(acc.read_text()) + 1) if acc.exists() else "1")


def test_retry_restores_the_version_each_reused_step_put_of_a_shared_file(
    tmp_path: Path,
) -> None:
    store = BufferedRunLogStore()
    catalog = FileSystemCatalog(FileSystemCatalogConfig(catalog_location=str(tmp_path / "cat")))
    shared = Catalog(get=["acc.txt"], put=["acc.txt"])
    graph = Pipeline(
        [
            PythonTask(add_one, name="a", catalog=Catalog(put=["acc.txt"])),
            PythonTask(add_one, name="b", catalog=shared),
            PythonTask(finish, name="c", returns=["done"], catalog=shared),
        ]
    ).graph
    BROKEN.add("finish")
    make_service(store, catalog).run(graph, run_id="first")
    # What a step killed after its put leaves: the latest version is not the recorded one.
    scratch = tmp_path / "killed"
    scratch.mkdir()
    (scratch / "acc.txt").write_text("99")
    catalog.put("first", ["acc.txt"], scratch)
    BROKEN.clear()
    CALLS.clear()
    retried = make_service(store, catalog).retry("first", new_run_id="second", graph=graph)
    assert retried.status is Status.SUCCESS
    assert CALLS == ["finish"]
    assert (tmp_path / "cat" / "second" / "acc.txt").read_text() == "2"  # b's version
    assert (tmp_path / "cat" / "first" / "acc.txt").read_text() == "99"  # untouched


def test_retry_with_other_parameters_never_mixes_results(tmp_path: Path) -> None:
    store, catalog = BufferedRunLogStore(), MemoryCatalog()
    graph = Pipeline(
        [
            Map("squares", "items", "item", Pipeline([PythonTask(square, returns=["squares"])])),
            PythonTask(report, returns=["total"]),
        ]
    ).graph
    (tmp_path / "a.yaml").write_text("items: [1, 2, 3]\n")
    (tmp_path / "b.yaml").write_text("items: [7, 8, 3]\n")
    BROKEN.add("square 3")
    make_service(store, catalog).run(graph, run_id="first", parameters_file="a.yaml")
    BROKEN.clear()
    CALLS.clear()
    retried = make_service(store, catalog).retry(
        "first", new_run_id="second", parameters_file="b.yaml", graph=graph
    )
    assert retried.parameters["squares"] == [49, 64, 9]
    assert sorted(CALLS) == ["report", "square 3", "square 7", "square 8"]
    assert all(step.reused_from is None for step in retried.steps.values())


def test_retry_reuses_branches_whose_inputs_are_unchanged(tmp_path: Path) -> None:
    store, catalog = BufferedRunLogStore(), MemoryCatalog()
    graph = Pipeline(
        [
            Map("squares", "items", "item", Pipeline([PythonTask(square, returns=["squares"])])),
            PythonTask(report, returns=["total"]),
        ]
    ).graph
    (tmp_path / "a.yaml").write_text("items: [1, 2, 3]\n")
    BROKEN.add("report")
    make_service(store, catalog).run(graph, run_id="first", parameters_file="a.yaml")
    (tmp_path / "b.yaml").write_text("items: [1, 2, 3]\nunrelated: 5\n")
    BROKEN.clear()
    CALLS.clear()
    retried = make_service(store, catalog).retry("first", parameters_file="b.yaml", graph=graph)
    assert CALLS == ["report"]  # the same items: the map is reused whole
    assert retried.parameters["total"] == 14


def test_a_step_reading_a_changed_file_runs_again_with_everything_after(tmp_path: Path) -> None:
    store = BufferedRunLogStore()
    catalog = FileSystemCatalog(FileSystemCatalogConfig(catalog_location=str(tmp_path / "cat")))
    shared = Catalog(get=["acc.txt"], put=["acc.txt"])
    graph = Pipeline(
        [
            PythonTask(add_one, name="a", catalog=Catalog(put=["acc.txt"])),
            PythonTask(add_one, name="b", catalog=shared),
            PythonTask(add_one, name="c", catalog=shared),
            PythonTask(finish, name="d", returns=["done"]),
        ]
    ).graph
    BROKEN.add("finish")
    first = make_service(store, catalog).run(graph, run_id="first")
    # Pretend b got another version of acc.txt than a put (as if a's record were rewritten).
    first.steps["b"].fingerprint = "0" * 64
    store.put_step("first", first.steps["b"])
    BROKEN.clear()
    CALLS.clear()
    retried = make_service(store, catalog).retry("first", new_run_id="second", graph=graph)
    assert CALLS == ["add_one", "add_one", "finish"]  # b, c and d; a reused
    assert retried.steps["a"].reused_from == "first"
    assert retried.steps["c"].reused_from is None
    assert (tmp_path / "cat" / "second" / "acc.txt").read_text() == "3"


def counting(iteration: int) -> bool:
    CALLS.append(f"iteration {iteration}")
    return iteration >= 2


def pick(flavour: str) -> str:
    CALLS.append(f"pick {flavour}")
    return flavour


def test_loops_and_conditionals_that_succeeded_are_reused_whole(tmp_path: Path) -> None:
    store, catalog = BufferedRunLogStore(), MemoryCatalog()
    graph = Pipeline(
        [
            Loop("loop", Pipeline([PythonTask(counting, returns=["done"])]), break_on="done"),
            Conditional(
                "choose",
                "flavour",
                {"a": Pipeline([PythonTask(pick, returns=["picked"])]), "b": Pipeline([Stub("s")])},
            ),
            PythonTask(finish, returns=["end"]),
        ]
    ).graph
    (tmp_path / "p.yaml").write_text("flavour: a\n")
    BROKEN.add("finish")
    make_service(store, catalog).run(graph, run_id="first", parameters_file="p.yaml")
    BROKEN.clear()
    CALLS.clear()
    assert make_service(store, catalog).retry("first", graph=graph).status is Status.SUCCESS
    assert CALLS == ["finish"]
    (tmp_path / "q.yaml").write_text("flavour: b\n")
    CALLS.clear()
    make_service(store, catalog).retry("first", parameters_file="q.yaml", graph=graph)
    assert CALLS == ["finish"]  # the loop is reused; the other branch is a stub
