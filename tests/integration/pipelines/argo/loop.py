from runplane import Loop, Pipeline, PythonTask


def halve(iteration: int, loss: float = 1.0) -> tuple[float, bool]:
    loss = loss / 2
    return loss, loss < 0.2


pipeline = Pipeline(
    [
        Loop(
            "train",
            Pipeline([PythonTask(halve, returns=["loss", "converged"])]),
            break_on="converged",
            max_iterations=5,
        ),
        PythonTask(lambda loss: loss * 10, name="report", returns=["score"]),
    ]
)
