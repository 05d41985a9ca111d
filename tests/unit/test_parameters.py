import pytest

from runplane import metric
from runplane.domain.errors import ConfigurationError, ExecutionError, ParameterError
from runplane.domain.graph import ReturnSpec
from runplane.domain.identifiers import check_run_id
from runplane.domain.parameters import (
    check_initial,
    env_overrides,
    parse_assignments,
    recordable_metrics,
    split_returns,
)
from runplane.domain.redaction import redact


def test_env_overrides_parse_json_else_keep_the_string() -> None:
    environ = {
        "RUNPLANE_PRM_n": "5",
        "RUNPLANE_PRM_items": "[1, 2]",
        "RUNPLANE_PRM_word": "hello",
        "RUNPLANE_PRM_": "ignored",
        "OTHER": "1",
    }
    assert env_overrides(environ) == {"n": 5, "items": [1, 2], "word": "hello"}


@pytest.mark.parametrize("raw", ["NaN", "-Infinity", "1e999", "[1, NaN]"])
def test_env_overrides_keep_what_strict_json_cannot_hold_as_strings(raw: str) -> None:
    assert env_overrides({"RUNPLANE_PRM_x": raw}) == {"x": raw}


def test_tuple_return_unpacks_in_order_and_a_metric_is_also_a_parameter() -> None:
    specs = [ReturnSpec("x"), metric("score"), ReturnSpec("y")]
    assert split_returns("s", specs, (1, 0.5, [2])) == (
        {"x": 1, "score": 0.5, "y": [2]},
        {"score": 0.5},
    )


def test_single_return_keeps_a_tuple_whole() -> None:
    assert split_returns("s", [ReturnSpec("pair")], (1, 2)) == ({"pair": (1, 2)}, {})


def test_wrong_number_of_returns_names_step_and_counts() -> None:
    with pytest.raises(ExecutionError, match=r"'s' declares 2 returns \(x, y\) but returned 3"):
        split_returns("s", [ReturnSpec("x"), ReturnSpec("y")], (1, 2, 3))
    with pytest.raises(ExecutionError, match="returned int"):
        split_returns("s", [ReturnSpec("x"), ReturnSpec("y")], 7)


def test_metric_must_be_a_number() -> None:
    with pytest.raises(ExecutionError, match="metric 'score' must be a number"):
        split_returns("s", [metric("score")], "high")
    with pytest.raises(ExecutionError, match="must be a number"):
        split_returns("s", [metric("score")], True)


def test_non_finite_metrics_are_recorded_as_null_with_a_note() -> None:
    metrics, note = recordable_metrics({"loss": float("nan"), "up": float("inf"), "n": 3})
    assert metrics == {"loss": None, "up": None, "n": 3}
    assert note == "not finite, recorded as null: metric loss=nan, up=inf"
    assert recordable_metrics({"n": 2.5}) == ({"n": 2.5}, "")


def test_number_subclasses_become_plain_numbers_in_metrics() -> None:
    class Score(float):
        pass

    metrics, _ = recordable_metrics({"score": Score(0.5)})
    assert type(metrics["score"]) is float


def test_parameters_document_must_be_a_mapping_of_identifiers() -> None:
    assert check_initial(None, "f") == {}
    with pytest.raises(ParameterError, match="f: parameters must be a mapping"):
        check_initial([1], "f")
    with pytest.raises(ParameterError, match="'bad name' is not a valid identifier"):
        check_initial({"bad name": 1}, "f")


def test_parameters_document_refuses_what_json_cannot_give_back() -> None:
    with pytest.raises(ParameterError, match=r"parameter 'm' is not JSON data .*int key 1"):
        check_initial({"m": {"a": [{1: "one"}]}}, "f")
    with pytest.raises(ParameterError, match=r"parameter 'x' is not JSON data .*float"):
        check_initial({"x": float("nan")}, "f")
    assert check_initial({"m": {"a": [1, 2.5, None]}}, "f") == {"m": {"a": [1, 2.5, None]}}


@pytest.mark.parametrize("run_id", ["../x", "a/b", "", ".hidden", "x" * 200, "a..b"])
def test_unsafe_run_ids_are_rejected(run_id: str) -> None:
    with pytest.raises(ConfigurationError, match="run id"):
        check_run_id(run_id)


def test_redaction_masks_every_secret_longest_first() -> None:
    text = "token=abc123 and abc and abc123"
    assert redact(text, ["abc", "abc123", ""]) == "token=*** and *** and ***"


def test_assignments_parse_json_values_else_strings() -> None:
    given = ["epochs=5", "lr=0.1", "model=resnet", "layers=[64, 32]", "x=NaN", "eq=a=b", "e="]
    assert parse_assignments(given, "--param") == {
        "epochs": 5,
        "lr": 0.1,
        "model": "resnet",
        "layers": [64, 32],
        "x": "NaN",  # not strict JSON: kept as the text, as RUNPLANE_PRM_ values are
        "eq": "a=b",
        "e": "",
    }
