"""How the python task runner binds parameters to a function's arguments, cached or not."""

from __future__ import annotations

from typing import Any

import pytest

from runplane.adapters.tasks.python import bind
from runplane.domain.errors import ParameterError


class Unhashable:  # noqa: PLW1641  (unhashable on purpose)
    """A callable object that cannot be a cache key (it defines __eq__ without __hash__)."""

    def __eq__(self, other: object) -> bool:
        return self is other

    def __call__(self, x: int, y: int = 2) -> int:
        return x + y


def takes(x: int, *args: Any, y: int = 0, **rest: Any) -> None:
    """Reads x and y by name; **rest receives every other parameter."""


def test_a_function_binds_the_same_on_every_call() -> None:
    first = bind("s", takes, {"x": 1, "y": 2, "z": 3})
    again = bind("s", takes, {"x": 4, "w": 5})
    assert first == {"x": 1, "y": 2, "z": 3}
    assert again == {"x": 4, "w": 5}


def test_an_unhashable_callable_object_binds_by_its_call_signature() -> None:
    assert bind("s", Unhashable(), {"x": 1}) == {"x": 1}
    with pytest.raises(ParameterError, match="argument 'x' of Unhashable\\(\\)"):
        bind("s", Unhashable(), {"y": 1})


def test_a_missing_argument_names_the_step_and_the_parameters_available() -> None:
    def needs(a: int) -> None: ...

    with pytest.raises(ParameterError, match=r"step 's'.*'a'.*parameters available: b, c"):
        bind("s", needs, {"c": 1, "b": 2})
