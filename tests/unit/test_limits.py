"""Limits checked before a run: step path lengths, handler chains, nesting of returns."""

from __future__ import annotations

from itertools import pairwise

import pytest

from runplane import Map, Pipeline, PythonTask, Stub
from runplane.app.masking import all_nodes
from runplane.domain.checks import check_composite_inputs
from runplane.domain.errors import PipelineDefinitionError
from runplane.domain.limits import MAX_STEP_PATH_BYTES
from runplane.domain.wiring import check_wiring


def one() -> int:
    return 1


def test_a_step_name_longer_than_a_path_may_be_is_refused_when_built() -> None:
    Pipeline([Stub("x" * MAX_STEP_PATH_BYTES)])
    with pytest.raises(PipelineDefinitionError, match=r"is 201 bytes long.*at most 200"):
        Pipeline([Stub("x" * (MAX_STEP_PATH_BYTES + 1))])


def test_a_path_made_long_by_nesting_is_refused_counting_a_map_index() -> None:
    # 90 + 1 + 6 (index) + 1 + 90 = 188: fits; a longer inner name does not.
    Pipeline([Map("m" * 90, "items", "i", Pipeline([Stub("s" * 90)]))])
    with pytest.raises(PipelineDefinitionError, match=r"step path 'mmm.*sss' is 2\d\d bytes"):
        Pipeline([Map("m" * 90, "items", "i", Pipeline([Stub("s" * 110)]))])


def test_a_task_that_is_its_own_handler_is_refused() -> None:
    task = PythonTask(one)
    task.on_failure = task
    with pytest.raises(PipelineDefinitionError, match="'one' is its own on_failure handler"):
        Pipeline([task])


def test_a_handler_cycle_through_other_steps_is_refused() -> None:
    first = PythonTask(one, name="a")
    first.on_failure = Pipeline([PythonTask(one, name="b", on_failure=first)])
    with pytest.raises(PipelineDefinitionError, match=r"'a' is in its own on_failure chain.*'b'"):
        Pipeline([first])


def test_a_chain_of_3000_handlers_builds_and_is_checked_without_recursion() -> None:
    steps = [PythonTask(one, name=f"a{i}") for i in range(3000)]
    for step, handler in pairwise(steps):
        step.on_failure = handler
    graph = Pipeline([steps[0]]).graph
    assert graph["a0"].on_failure == "a1"
    assert graph["a2998"].on_failure == "a2999"
    assert graph["a2999"].next == "fail"
    check_composite_inputs(graph, {})
    assert check_wiring(graph, [], {}) == []
    assert sum(1 for _ in all_nodes(graph)) == 3002  # with success and fail


def test_nodes_keep_the_order_recursion_gave_them() -> None:
    handler = Pipeline([Stub("h1"), Stub("h2")])
    graph = Pipeline([PythonTask(one, name="a", on_failure=handler), Stub("b")]).graph
    assert list(graph.nodes) == ["success", "fail", "h1", "h2", "a", "b"]
