"""The test interpreter's Argo expressions: `when` (govaluate) and `depends` (Argo's grammar).

The `when` cases are Argo's documented ones (docs/walk-through/conditionals.md and
examples/conditionals*.yaml), after the controller substituted the parameters, and the
strings issue 15 found failing on a real controller, with the controller's error text.
"""

import re
from typing import Any

import pytest

from tests.integration.argo_depends import Finished, dependencies, logic
from tests.integration.argo_depends import evaluate as depends
from tests.integration.argo_interpreter import Node, dag_phase
from tests.integration.argo_when import should_execute
from tests.integration.govaluate import GovaluateError, tokenize


@pytest.mark.parametrize(
    ("when", "expected"),
    [
        # {{steps.flip-coin.outputs.result}} == heads
        ("heads == heads", True),
        ("tails == heads", False),
        ("tails != heads", True),
        # "{{workflow.parameters.should-print}}" == "true"
        ('"true" == "true"', True),
        ('"false" == "true"', False),
        # {{workflow.parameters.should-print}} == true: a bare true is a boolean
        ("true == true", True),
        ("false == true", False),
        # ( a == heads && b == tails ) || ( a == tails && b == heads )
        ("( heads == heads && tails == tails ) || ( heads == tails && tails == heads )", True),
        ("( tails == heads && tails == tails ) || ( tails == tails && tails == heads )", False),
        # {{steps.flip-coin.outputs.result}} =~ hea: regular expressions
        ("heads =~ hea", True),
        ("tails =~ hea", False),
        ("tails !~ '^h'", True),
        ("'foo-bar' =~ '^foo-'", True),
        # numbers: {{item}} > 5, {{steps.x.outputs.result}} <= 10.5
        ("7 > 5", True),
        ("3 > 5", False),
        ("10.5 <= 10.5", True),
        ("2 == 2.0", True),
        ("-1 == 0", False),
        ("0x10 == 16", True),
        # strings compare in order; a number never equals a string (DeepEqual)
        ("'b' > 'a'", True),
        ("1 == '1'", False),
        ("!false", True),
        ("'2024-01-02' > '2024-01-01'", True),  # quoted dates are compared as times
        ("'a' + 'b' == ab", True),
        ("1 ? true : false", None),  # Argo demands a bool: a non-bool ternary test fails
    ],
)
def test_documented_when_expressions_evaluate_as_argo_does(when: str, expected: bool) -> None:
    if expected is None:
        with pytest.raises(ValueError, match="Failed to evaluate"):
            should_execute(when)
        return
    assert should_execute(when) is expected


@pytest.mark.parametrize(
    ("when", "error"),
    [
        # issue 15: a conditional branch and a loop iteration as runplane rendered them
        (
            "'[\"fast\"]' == '[\"fast\"]'",
            "Invalid 'when' expression ''[\"fast\"]' == '[\"fast\"]'': "
            "Cannot transition token types from STRING [[] to VARIABLE [fast]",
        ),
        (
            "'[\"1\"]' == '[\"1\"]'",
            "Invalid 'when' expression ''[\"1\"]' == '[\"1\"]'': "
            "Cannot transition token types from STRING [[] to NUMERIC [1]",
        ),
        # an unresolved reference
        (
            "{{tasks.a.outputs.result}} == x",
            "Invalid 'when' expression '{{tasks.a.outputs.result}} == x': Invalid token: "
            "'{{' (hint: try wrapping the affected expression in quotes (\"))",
        ),
        # a hyphenated bare word is a subtraction of two strings
        (
            "my-key == my-key",
            "Failed to evaluate 'when' expresion 'my-key == my-key': "
            "Value 'my' cannot be used with the modifier '-', it is not a number",
        ),
        # a bare word with a dot is an accessor, which Argo cannot resolve
        ("v1.2 == v1.2", "Failed to evaluate 'when' expresion 'v1.2 == v1.2': No parameter"),
        # a negated bare word: fine for the lexer, not once Argo made it a string
        (
            "!yes",
            "Failed to parse 'when' expression '!yes': "
            "Cannot transition token types from PREFIX [!] to STRING [yes]",
        ),
        ("a b == c", "Cannot transition token types from VARIABLE [a] to VARIABLE [b]"),
        ("(a == b", "Unbalanced parenthesis"),
        ("a ==", "Unexpected end of expression"),
        ("'open == x", "Unclosed string literal"),
        ("1.2.3 == x", "Unable to parse numeric value '1.2.3' to float64"),
        ("1 + 1", "Expected boolean evaluation for '1 + 1'. Got 2"),
    ],
)
def test_expressions_argo_rejects_fail_with_argos_message(when: str, error: str) -> None:
    with pytest.raises(ValueError, match=re.escape(error)):
        should_execute(when)


def test_a_quoted_string_ends_at_either_quote_and_a_backslash_escapes() -> None:
    assert [t.value for t in tokenize("'say \"hi\"'")] == ["say ", "hi", ""]
    assert [t.kind for t in tokenize("'say \"hi\"'")] == ["STRING", "VARIABLE", "STRING"]
    assert [t.value for t in tokenize(r"'it\'s'")] == ["it's"]
    first = tokenize("[my key] == x")[0]
    assert (first.kind, first.value) == ("VARIABLE", "my key")
    assert should_execute("'it\\'s' == \"it\\'s\"") is True
    with pytest.raises(GovaluateError, match="Invalid token: '@'"):
        tokenize("@ == x")


def test_an_empty_when_always_runs() -> None:
    assert should_execute("") is True


TASKS: dict[str, dict[str, Any]] = {
    "a": {"name": "a"},
    "b": {"name": "b", "continueOn": {"failed": True}},
    "fan": {"name": "fan"},
}


def test_bare_names_expand_as_argo_expands_them() -> None:
    assert logic({"depends": "a && b"}, TASKS) == (
        "(a.Succeeded || a.Skipped || a.Daemoned) && "
        "(b.Succeeded || b.Skipped || b.Daemoned || b.Failed)"
    )
    assert logic({"dependencies": ["a", "b"]}, TASKS).startswith("(a.Succeeded ||")
    assert dependencies({"depends": "(a.Failed || a.Errored) && !fan.AllFailed"}) == {"a", "fan"}


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("a.Succeeded", True),
        ("a.Failed || a.Errored", False),
        ("!a.Failed && b.Failed", True),
        ("not a.Failed and (b.Skipped or b.Failed)", True),
        ("b.Errored", False),
        ("fan.AnySucceeded", True),
        ("fan.AllFailed", False),
        ("a.Omitted || a.Skipped", False),
    ],
)
def test_depends_evaluates_task_results(expression: str, expected: bool) -> None:
    done = {
        "a": Finished("Succeeded"),
        "b": Finished("Failed"),
        "fan": Finished("Failed", ("Failed", "Succeeded"), expanded=True),
    }
    assert depends(expression, done) is expected


def test_all_failed_needs_children_that_all_failed() -> None:
    assert depends("g.AllFailed", {"g": Finished("Failed", ("Failed",), True)}) is True
    assert depends("g.AllFailed", {"g": Finished("Succeeded", (), True)}) is False
    assert depends("g.Errored", {"g": Finished("Error")}) is True


def test_unknown_task_results_are_refused() -> None:
    with pytest.raises(ValueError, match="task result 'Done' for task 'a' is invalid"):
        logic({"depends": "a.Done"}, TASKS)
    with pytest.raises(ValueError, match="unable to evaluate"):
        depends("a.Succeeded &", {"a": Finished("Succeeded")})


def _phase(needs: dict[str, set[str]], phases: dict[str, str]) -> str:
    return dag_phase(needs, {name: Node(phase) for name, phase in phases.items()})


def test_an_omitted_leaf_takes_the_failure_of_the_step_before_it() -> None:
    # explode failed; its handler ran; the step after it was omitted: Argo fails the DAG.
    needs = {"explode": set(), "recover": {"explode"}, "never": {"explode"}}
    phases = {"explode": "Failed", "recover": "Succeeded", "never": "Omitted"}
    assert _phase(needs, phases) == "Failed"
    assert _phase(needs, {**phases, "explode": "Succeeded", "recover": "Omitted"}) == "Succeeded"


def test_skipped_leaves_succeed_and_the_first_failed_leaf_decides() -> None:
    needs = {"fan-out": set(), "a": {"fan-out"}, "b": {"fan-out"}}
    assert _phase(needs, {"fan-out": "Succeeded", "a": "Skipped", "b": "Succeeded"}) == "Succeeded"
    assert _phase(needs, {"fan-out": "Succeeded", "a": "Error", "b": "Failed"}) == "Error"


def test_an_omitted_leaf_reached_by_a_failed_path_and_a_good_one_fails() -> None:
    needs = {"x": set(), "y": set(), "z": {"x", "y"}}
    assert _phase(needs, {"x": "Succeeded", "y": "Failed", "z": "Omitted"}) == "Failed"
    # a leaf that ran decides for itself, whatever came before it
    assert _phase(needs, {"x": "Succeeded", "y": "Failed", "z": "Succeeded"}) == "Succeeded"
