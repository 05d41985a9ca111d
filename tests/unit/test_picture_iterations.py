"""`picture(..., expand=True)`: a box per recorded iteration, as the web UI draws a run."""

from runplane import Map, Pipeline, Stub
from runplane.adapters.presentation import picture as pictures
from runplane.adapters.presentation.picture import Box, picture
from runplane.domain.graph import Graph
from runplane.domain.run_log import Attempt, RunLog, Status, StepLog

T = "2026-01-01T00:00:00.000000+00:00"


def nested() -> Graph:
    inner = Map("cells", iterate_on="ys", iterate_as="y", branch=Pipeline([Stub("cell")]))
    return Pipeline(
        [Map("rows", iterate_on="xs", iterate_as="x", branch=Pipeline([Stub("row"), inner]))]
    ).graph


def record(path: str, status: Status, branches: dict[str, str] | None = None) -> StepLog:
    return StepLog(path, "stub", status, [Attempt(1, status, T, T)], branches=branches or {})


def run_of(*steps: StepLog) -> RunLog:
    run = RunLog("r", Status.FAIL, T)
    run.steps = {s.path: s for s in steps}
    return run


def iterations(box: Box) -> list[tuple[str, list[tuple[str, str | None]]]]:
    """Each branch box under the first item: its label, its steps' paths and statuses."""
    return [(b.label, steps(b)) for b in box.items[0].branches]


def steps(box: Box) -> list[tuple[str, str | None]]:
    return [(i.path, i.status) for i in box.items if i.kind not in ("success", "fail")]


def test_each_recorded_iteration_is_a_box_in_its_own_status() -> None:
    run = run_of(
        record("rows", Status.FAIL, {"0": "success", "1": "fail"}),
        record("rows.0.row", Status.SUCCESS),
        record("rows.0.cells", Status.SUCCESS, {"a": "success"}),
        record("rows.0.cells.a.cell", Status.SUCCESS),
        record("rows.1.row", Status.FAIL),
    )
    box = picture(nested(), run, expand=True)
    assert iterations(box) == [
        ("x 0", [("rows.0.row", "success"), ("rows.0.cells", "success")]),
        ("x 1", [("rows.1.row", "fail"), ("rows.1.cells", "not run")]),
    ]
    # Nested maps expand too; one never run keeps its single box for every iteration.
    cells = box.items[0].branches[0].items[1].branches
    assert [(b.label, steps(b)) for b in cells] == [("y a", [("rows.0.cells.a.cell", "success")])]
    unrun = box.items[0].branches[1].items[1].branches
    assert [b.label for b in unrun] == ["each y"]


def test_without_expand_or_records_a_map_is_one_box() -> None:
    run = run_of(record("rows", Status.SUCCESS, {"0": "success"}))
    assert [b.label for b in picture(nested(), run).items[0].branches] == ["each x"]
    assert [b.label for b in picture(nested(), None, expand=True).items[0].branches] == ["each x"]


def test_many_iterations_draw_the_failed_ones_and_the_first() -> None:
    statuses = {str(i): "fail" if i in (5, 17) else "success" for i in range(20)}
    run = run_of(record("rows", Status.FAIL, statuses))
    item = picture(nested(), run, expand=True).items[0]
    drawn = [b.label for b in item.branches]
    assert len(drawn) == pictures.MAX_DRAWN
    assert drawn == ["x 0", "x 1", "x 2", "x 3", "x 4", "x 5", "x 6", "x 17"]
    assert f"drawn: {pictures.MAX_DRAWN} of 20 iterations" in item.note
