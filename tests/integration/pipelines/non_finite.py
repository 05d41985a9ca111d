"""Metrics and returns strict JSON cannot hold: NaN and infinities."""

from runplane import Pipeline, PythonTask, metric


def train() -> tuple[float, float, float, list[float]]:
    return float("nan"), float("inf"), 0.5, [1.0, float("-inf")]


def check(curve: list[float]) -> bool:
    return curve[1] == float("-inf")


pipeline = Pipeline(
    [
        PythonTask(train, returns=[metric("loss"), metric("ratio"), metric("accuracy"), "curve"]),
        PythonTask(check, returns=["seen"]),
    ]
)
