"""A step chooses a route; a conditional runs only that branch."""

from runplane import Conditional, Pipeline, PythonTask, Stub


def choose(seed: int) -> str:
    return "heavy" if seed > 1 else "light"


def heavy_work(seed: int) -> int:
    return seed * 100


def light_work(seed: int) -> int:
    return seed


def report(result: int) -> str:
    return f"result {result}"


pipeline = Pipeline(
    [
        PythonTask(choose, returns=["route"]),
        Conditional(
            "route step",
            parameter="route",
            branches={
                "heavy": Pipeline([PythonTask(heavy_work, returns=["result"])]),
                "light": Pipeline([PythonTask(light_work, returns=["result"]), Stub("rest")]),
            },
            default="light",
        ),
        PythonTask(report, returns=["message"]),
    ],
    name="conditional",
)
