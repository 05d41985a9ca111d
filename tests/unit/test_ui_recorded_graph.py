"""The UI draws a run from the graph its log recorded, with no pipeline file at hand."""

from runplane import Conditional, Loop, Map, Parallel, Pipeline, PythonTask, Stub
from runplane.adapters.presentation.graph_html import svg
from runplane.adapters.presentation.picture import picture
from runplane.adapters.ui.recorded_graph import recorded_graph


def noop() -> None:
    return None


def test_recorded_graph_draws_like_the_pipeline_it_records() -> None:
    graph = Pipeline(
        [
            PythonTask(noop, name="load", on_failure=Stub("alert")),
            Parallel(
                "train", branches={"a": Pipeline([Stub("fit_a")]), "b": Pipeline([Stub("b")])}
            ),
            Map("each", iterate_on="xs", iterate_as="x", branch=Pipeline([Stub("inner")])),
            Conditional("pick", parameter="mode", branches={"x": Pipeline([Stub("on_x")])}),
            Loop("again", branch=Pipeline([Stub("body")]), break_on="done", max_iterations=3),
        ],
        name="everything",
    ).graph
    rebuilt = recorded_graph(graph.to_dict())
    assert rebuilt is not None
    assert svg(picture(rebuilt)) == svg(picture(graph))


def test_a_missing_or_malformed_record_draws_nothing() -> None:
    assert recorded_graph({}) is None
    assert recorded_graph({"start_at": "a", "steps": {"a": {"type": "teleport"}}}) is None
    assert recorded_graph({"start_at": "nowhere", "steps": {}}) is None
