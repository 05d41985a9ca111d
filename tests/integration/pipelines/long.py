"""A multi-step pipeline with small sleeps, for killing at random points."""

import time

from runplane import Map, Pipeline, PythonTask


def start(seed: int = 1) -> int:
    time.sleep(0.03)
    return seed


def step(value: int) -> int:
    time.sleep(0.03)
    return value + 1


def fan(value: int) -> list[int]:
    return [value, value * 2, value * 3]


def square(item: int) -> int:
    time.sleep(0.02)
    return item * item


def finish(value: int, squares: list[int]) -> int:
    return value + sum(squares)


pipeline = Pipeline(
    [
        PythonTask(start, returns=["value"]),
        *[PythonTask(step, name=f"step_{i}", returns=["value"]) for i in range(4)],
        PythonTask(fan, returns=["items"]),
        Map("squares", "items", "item", Pipeline([PythonTask(square, returns=["squares"])])),
        PythonTask(finish, returns=["result"]),
    ]
)
