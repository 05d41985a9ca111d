"""Fails at `second` while BREAK=1 is set: a run to retry once the cause is gone."""

import os

from runplane import Pipeline, PythonTask


def first() -> int:
    return 1


def second(one: int) -> int:
    if os.environ.get("BREAK") == "1":
        raise RuntimeError("broken on purpose")
    return one + 1


pipeline = Pipeline(
    [PythonTask(first, returns=["one"]), PythonTask(second, returns=["two"])], name="breaks"
)
