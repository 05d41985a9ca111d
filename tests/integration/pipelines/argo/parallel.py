"""Two branches that run at once, then a step that uses both branches' returns."""

from runplane import Parallel, Pipeline, PythonTask, Stub


def left(seed: int) -> int:
    return seed + 1


def right(seed: int) -> int:
    return seed + 2


def both(left_value: int, right_value: int) -> int:
    return left_value * 10 + right_value


pipeline = Pipeline(
    [
        Parallel(
            "split",
            branches={
                "left": Pipeline([PythonTask(left, returns=["left_value"])]),
                "right side": Pipeline([PythonTask(right, returns=["right_value"]), Stub("pause")]),
            },
        ),
        PythonTask(both, returns=["total"]),
    ],
    name="parallel",
)
