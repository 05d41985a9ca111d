"""Input fingerprints: equal exactly when a step would consume the same inputs."""

from runplane import Catalog, Pipeline, PythonTask
from runplane.domain.fingerprints import consumed, definition, fingerprint


def work(x: int) -> int:
    return x


NODE = Pipeline([PythonTask(work, returns=["y"], catalog=Catalog(get=["in.csv"]))]).graph["work"]


def test_the_same_inputs_give_the_same_fingerprint_whatever_their_order() -> None:
    one = fingerprint(definition(NODE), {"x": 1, "z": [1, 2]}, [("a", "1"), ("b", "2")])
    two = fingerprint(definition(NODE), {"z": [1, 2], "x": 1}, [("b", "2"), ("a", "1")])
    assert one == two


def test_a_parameter_a_file_or_the_definition_changes_the_fingerprint() -> None:
    base = fingerprint(definition(NODE), {"x": 1}, [("in.csv", "aa")])
    other = Pipeline([PythonTask(work, returns=["w"])]).graph["work"]
    assert fingerprint(definition(NODE), {"x": 2}, [("in.csv", "aa")]) != base
    assert fingerprint(definition(NODE), {"x": 1}, [("in.csv", "bb")]) != base
    assert fingerprint(definition(NODE), {"x": 1}, [("in.csv", None)]) != base
    assert fingerprint(definition(other), {"x": 1}, [("in.csv", "aa")]) != base


def test_only_parameters_the_run_provided_count() -> None:
    assert consumed(["x", "default_only"], {"x": 1, "unread": 2}) == {"x": 1}
