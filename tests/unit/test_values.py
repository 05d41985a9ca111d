import datetime
import enum
import sys
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

import pytest

from runplane.domain.values import MAX_JSON_DEPTH, exact_json_copy, is_exact_json


class Table(dict[str, Any]):
    pass


class Level(enum.IntEnum):
    LOW = 1


@dataclass
class Point:
    x: int


EXACT = [
    "text",
    0,
    -(10**30),
    2.5,
    True,
    None,
    [],
    {},
    [1, "a", [None, {"k": [False]}]],
    {"a": {"b": {"c": []}}},
]

NOT_EXACT = [
    (1, 2),
    [1, (2,)],
    {1: "one"},
    {"a": {None: 1}},
    Table(a=1),
    {"t": Table()},
    OrderedDict(a=1),
    Level.LOW,
    float("nan"),
    [float("inf")],
    {"x": -float("inf")},
    b"bytes",
    {1, 2},
    frozenset(),
    datetime.date(2026, 1, 1),
    Point(1),
    1j,
]


@pytest.mark.parametrize("value", EXACT, ids=repr)
def test_exact_json_is_copied_equal_in_value_and_type(value: Any) -> None:
    exact, copy = exact_json_copy(value)
    assert exact
    assert copy == value
    if isinstance(value, list | dict):
        assert copy is not value


@pytest.mark.parametrize("value", NOT_EXACT, ids=repr)
def test_what_json_would_change_is_not_exact(value: Any) -> None:
    assert exact_json_copy(value) == (False, None)


def test_the_copy_shares_no_container_with_the_original() -> None:
    inner = [1]
    value = {"a": inner, "b": [inner]}
    _, copy = exact_json_copy(value)
    copy["a"].append(2)
    copy["b"][0].append(3)
    assert value == {"a": [1], "b": [[1]]}
    assert copy == {"a": [1, 2], "b": [[1, 3]]}


def test_order_of_lists_and_dict_keys_is_kept() -> None:
    value = {"z": [3, 2, 1], "a": {"y": 1, "b": 2}}
    _, copy = exact_json_copy(value)
    assert list(copy) == ["z", "a"]
    assert list(copy["a"]) == ["y", "b"]
    assert copy["z"] == [3, 2, 1]


def test_deep_nesting_never_overflows_the_stack() -> None:
    deep: list[Any] = []
    for _ in range(sys.getrecursionlimit() * 3):
        deep = [deep]
    assert not is_exact_json(deep)  # deeper than MAX_JSON_DEPTH: the object path


def test_nesting_up_to_the_limit_is_exact_json() -> None:
    value: Any = "leaf"
    for _ in range(MAX_JSON_DEPTH):
        value = {"k": value}
    assert is_exact_json(value)
    assert not is_exact_json([value])


def test_a_container_holding_itself_is_not_exact_json() -> None:
    loop: list[Any] = [1]
    loop.append(loop)
    assert not is_exact_json(loop)
