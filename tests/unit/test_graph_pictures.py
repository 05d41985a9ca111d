"""Mermaid, DOT and HTML drawings of a pipeline: clusters, edges, run colours."""

import re
from pathlib import Path

import pytest

from runplane import Loop, Map, Parallel, Pipeline, PythonTask, Stub
from runplane.adapters.presentation.graph_html import html
from runplane.adapters.presentation.graph_text import dot, mermaid
from runplane.adapters.presentation.picture import node_id, picture
from runplane.domain.graph import Graph
from runplane.domain.run_log import Attempt, RunLog, Status, StepLog


def noop() -> None:
    return None


@pytest.fixture
def graph() -> Graph:
    return Pipeline(
        [
            PythonTask(noop, name="load", on_failure=Stub("alert")),
            Parallel(
                "train",
                branches={
                    "a": Pipeline([Stub("fit_a")]),
                    "b": Pipeline([Stub("fit_b"), Stub("score_b")]),
                },
            ),
            Map("each", iterate_on="xs", iterate_as="x", branch=Pipeline([Stub("inner")])),
        ],
        name="demo",
    ).graph


def step(path: str, status: Status, start: int, end: int) -> StepLog:
    t = "2026-01-01T00:00:{:02d}.000000+00:00"
    return StepLog(path, "stub", status, [Attempt(1, status, t.format(start), t.format(end))])


def test_mermaid_has_a_subgraph_per_composite_and_branch(graph: Graph) -> None:
    text = mermaid(picture(graph))
    assert text.startswith("flowchart TD\n")
    assert re.search(r'subgraph n_train\["train"\]', text)
    assert 'subgraph n_train_2e_b_box["b"]' in text
    assert f"{node_id('train.b.fit_b')} --> {node_id('train.b.score_b')}" in text
    assert f"{node_id('load')} -. on failure .-> {node_id('alert')}" in text
    assert f"{node_id('load')} --> n_train" in text
    lines = [line.strip() for line in text.splitlines()]
    assert sum(line.startswith("subgraph") for line in lines) == lines.count("end") == 5


def test_map_iterations_are_drawn_once_and_coloured_from_all_records(graph: Graph) -> None:
    run = RunLog("r1", Status.FAIL, "2026-01-01T00:00:00+00:00")
    for s in [
        step("load", Status.SUCCESS, 0, 2),
        step("each.0.inner", Status.SUCCESS, 3, 4),
        step("each.1.inner", Status.FAIL, 3, 5),
    ]:
        run.steps[s.path] = s
    box = picture(graph, run)
    text = mermaid(box)
    inner = node_id("each.*.inner")
    assert f"class {inner} fail" in text
    assert "2 runs, 1 failed" in text
    assert f"class {node_id('load')} success" in text
    assert "2.00s" in text
    assert f"class {node_id('train.a.fit_a')} not_run" in text


def test_dot_is_a_digraph_with_nested_clusters(graph: Graph) -> None:
    text = dot(picture(graph))
    assert text.startswith("digraph pipeline {")
    assert text.rstrip().endswith("}")
    assert text.count("{") == text.count("}")
    assert "subgraph cluster_n_train {" in text
    assert "subgraph cluster_n_train_2e_a_box {" in text
    assert f"{node_id('load')} -> {node_id('alert')} [style=dashed" in text


def test_html_is_one_file_with_no_network_references(graph: Graph, tmp_path: Path) -> None:
    page = html(picture(graph), "demo")
    # load, alert, train, each, success, fail; fit_a + end; fit_b, score_b + end; inner + end
    assert page.count('<g class="node') == 13
    assert 'data-nodes="13"' in page
    assert "<script src" not in page
    assert "<link" not in page
    assert not re.search(r"(?:src|href)=\"https?:", page)
    for path in ["load", "train.b.score_b", "each.*.inner"]:
        assert f'data-path="{path}"' in page


def test_a_loop_is_a_cluster_with_its_iterations_drawn_once() -> None:
    loop = Loop("refine", Pipeline([Stub("step_a"), Stub("step_b")]), break_on="done")
    box = picture(Pipeline([loop]).graph)
    text = mermaid(box)
    assert re.search(r'subgraph n_refine\["refine<br/>', text)
    assert "loop until done (at most 10)" in text
    assert f"{node_id('refine.*.step_a')} --> {node_id('refine.*.step_b')}" in text
