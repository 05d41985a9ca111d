from runplane import Pipeline, PythonTask


def start() -> int:
    return 1


def needs(threshold: float) -> None:
    pass


pipeline = Pipeline([PythonTask(start, returns=["count"]), PythonTask(needs)])
