"""A step needing two secrets; if it fails, a handler reports which secrets it can see."""

import os

from runplane import Pipeline, PythonTask


def first() -> int:
    return len(os.environ["alpha"])


def both() -> int:
    return len(os.environ["alpha"]) + len(os.environ["beta"])


def inspect() -> list[str]:
    return [name for name in ("alpha", "beta") if name in os.environ]


pipeline = Pipeline(
    [
        PythonTask(first, returns=["n"], secrets=["alpha"]),
        PythonTask(
            both,
            returns=["m"],
            secrets=["alpha", "beta"],
            on_failure=PythonTask(inspect, returns=["leaked"]),
        ),
    ]
)
