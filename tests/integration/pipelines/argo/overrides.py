"""A training step that needs a GPU names the argo override defining one."""

from runplane import Pipeline, PythonTask


def train(seed: int) -> float:
    return seed / 2


def report(score: float) -> str:
    return f"score {score}"


pipeline = Pipeline(
    [
        PythonTask(train, returns=["score"], overrides={"argo": "gpu"}),
        PythonTask(report, returns=["text"]),
    ],
    name="overrides",
)
