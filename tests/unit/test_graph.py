import pytest

from runplane import Catalog, Fail, Pipeline, PythonTask, ShellTask, Stub, Success
from runplane.domain.errors import PipelineDefinitionError
from runplane.domain.graph import FAIL, SUCCESS, Graph, Node, NodeKind, walk


def one() -> int:
    return 1


def names(pipeline: Pipeline) -> list[str]:
    return [n.name for n in pipeline.graph.walk_order()]


def test_steps_run_in_list_order_and_end_in_success() -> None:
    pipeline = Pipeline([Stub("a"), Stub("b"), Stub("c")])
    assert names(pipeline) == ["a", "b", "c", SUCCESS]


def test_python_task_is_named_after_its_function_by_default() -> None:
    assert names(Pipeline([PythonTask(one)])) == ["one", SUCCESS]


def test_duplicate_step_names_are_rejected_with_the_name() -> None:
    with pytest.raises(PipelineDefinitionError, match="duplicate step name 'one'"):
        Pipeline([PythonTask(one), PythonTask(one)])


@pytest.mark.parametrize("name", ["a.b", "", " lead", "-x", "a/b", "tab\there"])
def test_step_names_that_cannot_be_a_path_segment_are_rejected(name: str) -> None:
    with pytest.raises(PipelineDefinitionError, match="step name"):
        Stub(name)


def test_reserved_terminal_names_cannot_name_a_task() -> None:
    with pytest.raises(PipelineDefinitionError, match="reserved"):
        Pipeline([PythonTask(one, name="success")])


def test_steps_after_a_terminal_are_rejected() -> None:
    with pytest.raises(PipelineDefinitionError, match="could never run"):
        Pipeline([Stub("a"), Fail("stop"), Stub("b")])


def test_empty_pipeline_is_rejected() -> None:
    with pytest.raises(PipelineDefinitionError, match="at least one step"):
        Pipeline([])


def test_non_step_in_list_names_its_position_and_type() -> None:
    with pytest.raises(PipelineDefinitionError, match="step 1 is a str"):
        Pipeline([Stub("a"), "b"])  # type: ignore[list-item]


def test_returns_given_as_one_string_is_rejected() -> None:
    with pytest.raises(PipelineDefinitionError, match="list of names"):
        PythonTask(one, returns="x")


def test_returns_must_be_identifiers_and_unique() -> None:
    with pytest.raises(PipelineDefinitionError, match="identifier"):
        PythonTask(one, returns=["not valid"])
    with pytest.raises(PipelineDefinitionError, match="more than once"):
        PythonTask(one, returns=["x", "x"])


@pytest.mark.parametrize("pattern", ["../x.csv", "/abs/x.csv", "a/../../x"])
def test_catalog_pattern_escaping_the_working_directory_is_rejected(pattern: str) -> None:
    with pytest.raises(PipelineDefinitionError, match="escapes the working directory"):
        Catalog(put=[pattern])


def test_max_attempts_below_one_is_rejected() -> None:
    with pytest.raises(PipelineDefinitionError, match="max_attempts"):
        ShellTask("true", name="s", max_attempts=0)


def test_failure_routes_to_handler_which_ends_failed_by_default() -> None:
    pipeline = Pipeline([PythonTask(one, on_failure=Stub("notify")), Stub("after")])
    graph = pipeline.graph
    assert graph.next_node("one", succeeded=False).name == "notify"
    assert graph.next_node("notify", succeeded=True).name == FAIL
    assert graph.next_node("one", succeeded=True).name == "after"


def test_failure_handler_ending_in_success_recovers_the_run() -> None:
    handler = Pipeline([Stub("cleanup"), Success()])
    graph = Pipeline([PythonTask(one, on_failure=handler)]).graph
    assert graph.next_node("cleanup", succeeded=True).kind is NodeKind.SUCCESS


def test_step_without_handler_fails_the_run() -> None:
    graph = Pipeline([Stub("a")]).graph
    assert graph.next_node("a", succeeded=False).name == FAIL


def test_walk_follows_success_and_failure_paths() -> None:
    graph = Pipeline([Stub("a"), PythonTask(one, on_failure=Stub("h")), Stub("c")]).graph
    seen: list[str] = []

    def run_step(node: Node) -> bool:
        seen.append(node.name)
        return node.name != "one"

    end = walk(graph, run_step)
    assert seen == ["a", "one", "h"]
    assert end.kind is NodeKind.FAIL


def test_a_cycle_is_rejected() -> None:
    nodes = {
        "a": Node("a", NodeKind.STUB, next="b"),
        "b": Node("b", NodeKind.STUB, next="a"),
        SUCCESS: Node(SUCCESS, NodeKind.SUCCESS),
    }
    with pytest.raises(PipelineDefinitionError, match="cycle"):
        Graph(start_at="a", nodes=nodes)


def test_dangling_reference_names_step_and_target() -> None:
    nodes = {"a": Node("a", NodeKind.STUB, next="ghost"), SUCCESS: Node(SUCCESS, NodeKind.SUCCESS)}
    with pytest.raises(PipelineDefinitionError, match="'a': next names 'ghost'"):
        Graph(start_at="a", nodes=nodes)


def test_unknown_step_lookup_lists_the_steps() -> None:
    graph = Pipeline([Stub("a"), Stub("b")]).graph
    with pytest.raises(PipelineDefinitionError, match="no step 'c'; steps are: a, b"):
        graph["c"]


def test_ten_thousand_steps_build_without_recursion_limits() -> None:
    pipeline = Pipeline([Stub(f"s{i}") for i in range(10_000)])
    assert len(pipeline.graph.step_names()) == 10_000


def test_graph_serialises_tasks_for_the_run_log() -> None:
    task = PythonTask(one, returns=["x"], secrets=["k"], catalog=Catalog(put=["*.csv"]))
    data = Pipeline([task], name="p").graph.to_dict()
    assert data["name"] == "p"
    assert data["start_at"] == "one"
    step = data["steps"]["one"]
    assert step["command"] == f"{__name__}.one"
    assert step["returns"] == [{"name": "x", "kind": "json"}]
    assert step["catalog"] == {"get": [], "put": ["*.csv"]}
    assert step["next"] == SUCCESS
