"""A failing step whose on_failure handler recovers: the run ends successfully."""

from runplane import Pipeline, PythonTask, Success


def explode() -> None:
    raise RuntimeError("boom")


def recover() -> str:
    return "recovered"


def never() -> None:
    raise AssertionError("the step after a failed one must not run")


pipeline = Pipeline(
    [
        PythonTask(
            explode,
            on_failure=Pipeline([PythonTask(recover, returns=["state"]), Success()]),
        ),
        PythonTask(never),
    ],
    name="recover",
)
