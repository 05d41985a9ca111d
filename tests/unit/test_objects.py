from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from runplane import Map, Pipeline, PythonTask, ShellTask
from runplane.adapters.catalogs.do_nothing import DoNothingCatalog
from runplane.adapters.executors.local import LocalExecutor
from runplane.adapters.run_log_stores.buffered import BufferedRunLogStore
from runplane.adapters.tasks.python import PythonTaskRunner
from runplane.adapters.tasks.shell import ShellTaskRunner
from runplane.app.objects import REFERENCE, ObjectParameters, ObjectStore
from runplane.app.service import RunService
from runplane.domain.errors import CatalogError
from runplane.domain.run_log import Status
from runplane.domain.values import MAX_JSON_DEPTH
from runplane.ports.catalog import Catalog
from tests.fakes import DictSecrets, MemoryCatalog


@dataclass
class Model:
    weights: list[float]

    def predict(self, x: float) -> float:
        return sum(w * x for w in self.weights)


def make_service(catalog: Catalog, store: BufferedRunLogStore | None = None) -> RunService:
    return RunService(
        executor=LocalExecutor(),
        run_log_store=store or BufferedRunLogStore(),
        catalog=catalog,
        secrets=DictSecrets(),
        task_runners={"python": PythonTaskRunner(), "shell": ShellTaskRunner()},
    )


@pytest.fixture(autouse=True)
def _in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)


def fit() -> Model:
    return Model([1.0, 2.0])


def use(model: Model) -> float:
    return model.predict(2.0)


def test_non_json_return_travels_through_the_catalog_as_a_pickle() -> None:
    catalog = MemoryCatalog()
    run = make_service(catalog).run(
        Pipeline([PythonTask(fit, returns=["model"]), PythonTask(use, returns=["y"])]).graph,
        run_id="r",
    )
    assert run.status is Status.SUCCESS
    assert run.parameters["y"] == 6.0
    reference = run.steps["fit"].returns["model"]["$object"]
    assert reference["path"] == "objects/fit/model.pickle"
    assert reference["type"] == f"{__name__}.Model"
    assert reference["format"] == "pickle"
    assert "objects/fit/model.pickle" in catalog.files["r"]
    put = run.steps["fit"].data_catalog[0]
    assert (put.name, put.sha256) == ("objects/fit/model.pickle", reference["sha256"])
    assert run.steps["use"].parameters == {"model": {"$object": reference}}


def test_what_pickle_cannot_do_goes_through_cloudpickle() -> None:
    def make_scaler() -> object:
        factor = 3
        return lambda x: x * factor

    def apply(scaler: Callable[[int], int]) -> int:
        return scaler(2)

    run = make_service(MemoryCatalog()).run(
        Pipeline(
            [PythonTask(make_scaler, returns=["scaler"]), PythonTask(apply, returns=["y"])]
        ).graph
    )
    assert run.parameters["y"] == 6
    assert run.steps["make_scaler"].returns["scaler"]["$object"]["format"] == "cloudpickle"


def test_map_collects_objects_and_a_later_step_gets_them_all() -> None:
    def build(item: int) -> Model:
        return Model([float(item)])

    def total(models: list[Model]) -> float:
        return sum(m.predict(1.0) for m in models)

    pipeline = Pipeline(
        [
            PythonTask(lambda: [1, 2, 3], name="items", returns=["xs"]),
            Map("m", "xs", "item", Pipeline([PythonTask(build, returns=["models"])])),
            PythonTask(total, returns=["sum"]),
        ]
    )
    run = make_service(MemoryCatalog()).run(pipeline.graph)
    assert run.status is Status.SUCCESS
    assert run.parameters["sum"] == 6.0
    assert [r["$object"]["path"] for r in run.parameters["models"]] == [
        "objects/m.0.build/models.pickle",
        "objects/m.1.build/models.pickle",
        "objects/m.2.build/models.pickle",
    ]


def test_objects_need_a_catalog_that_keeps_files() -> None:
    run = make_service(DoNothingCatalog()).run(Pipeline([PythonTask(fit, returns=["model"])]).graph)
    assert run.status is Status.FAIL
    assert "configured catalog keeps no files" in run.steps["fit"].message


def test_shell_tasks_receive_the_reference_not_the_object() -> None:
    pipeline = Pipeline(
        [
            PythonTask(fit, returns=["model"]),
            ShellTask(
                'echo "seen=$RUNPLANE_PRM_model" > "$RUNPLANE_RETURNS"', name="sh", returns=["seen"]
            ),
        ]
    )
    run = make_service(MemoryCatalog()).run(pipeline.graph)
    assert run.parameters["seen"]["$object"]["path"] == "objects/fit/model.pickle"


def test_a_tampered_object_is_refused() -> None:
    catalog, store = MemoryCatalog(), BufferedRunLogStore()
    graph = Pipeline([PythonTask(fit, returns=["model"]), PythonTask(use, returns=["y"])]).graph
    make_service(catalog, store).run(graph, run_id="r")
    catalog.files["r"]["objects/fit/model.pickle"] = b"not the same"
    step = make_service(catalog, store).execute_step(graph, "r", "use")
    assert step.status is Status.FAIL
    assert "changed since it was recorded" in step.message


class Table(dict[str, Any]):
    def total(self) -> int:
        return sum(self.values())


@pytest.mark.parametrize(
    "value",
    [(1, 2), {1: "one"}, Table(a=1, b=2), float("nan"), [1, (2, 3)], {"deep": {2: [b"x"]}}],
    ids=repr,
)
def test_what_json_would_change_reaches_the_next_step_unchanged_on_local(value: Any) -> None:
    received: list[Any] = []

    def take(v: Any) -> None:
        received.append(v)

    pipeline = Pipeline(
        [
            PythonTask(lambda: value, name="make", returns=["v"]),
            PythonTask(take, name="take"),
        ]
    )
    run = make_service(MemoryCatalog()).run(pipeline.graph)
    assert run.status is Status.SUCCESS, run.steps["make"].message
    assert "$object" in run.steps["make"].returns["v"]
    (got,) = received
    assert type(got) is type(value)
    assert repr(got) == repr(value)  # NaN != NaN, so compare what it shows
    assert got is not value


def test_exact_json_returns_are_recorded_as_json_and_each_step_gets_its_own_copy() -> None:
    returned = {"rows": [[1, 2], [3]], "name": "t"}
    seen: list[Any] = []

    def mutate(table: dict[str, Any]) -> None:
        table["rows"][0].append(99)
        seen.append(table)

    pipeline = Pipeline(
        [
            PythonTask(lambda: returned, name="make", returns=["table"]),
            PythonTask(mutate, name="first"),
            PythonTask(mutate, name="second"),
        ]
    )
    run = make_service(MemoryCatalog()).run(pipeline.graph)
    assert run.status is Status.SUCCESS
    assert run.steps["make"].returns["table"] == {"rows": [[1, 2], [3]], "name": "t"}
    assert returned == {"rows": [[1, 2], [3]], "name": "t"}  # the returned object was copied
    assert [s["rows"][0] for s in seen] == [[1, 2, 99], [1, 2, 99]]  # not [.., 99, 99]


def test_a_value_nested_deeper_than_json_readers_go_travels_as_an_object() -> None:
    deep: list[Any] = []
    for _ in range(MAX_JSON_DEPTH + 50):
        deep = [deep]
    received: list[Any] = []

    def take(v: Any) -> None:
        received.append(v)

    pipeline = Pipeline(
        [PythonTask(lambda: deep, name="make", returns=["v"]), PythonTask(take, name="take")]
    )
    run = make_service(MemoryCatalog()).run(pipeline.graph)
    assert run.status is Status.SUCCESS
    assert "$object" in run.steps["make"].returns["v"]
    depth, value = 0, received[0]
    while value:
        depth, value = depth + 1, value[0]
    assert depth == MAX_JSON_DEPTH + 50


def test_asking_whether_a_parameter_exists_does_not_load_it() -> None:
    """A step that takes only `x` must not fetch every object it could see: its catalog
    may not hold them (here, none exists), and each load is a catalog read and a copy."""
    missing = {REFERENCE: {"path": "objects/gone.pickle", "sha256": "0" * 64}}
    given = ObjectParameters({"model": missing, "x": [1]}, ObjectStore(MemoryCatalog()), "r")
    assert "model" in given
    assert "other" not in given
    assert given["x"] == [1]
    with pytest.raises(CatalogError, match=r"gone\.pickle"):
        given["model"]
