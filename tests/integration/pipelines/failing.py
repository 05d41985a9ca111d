from runplane import Pipeline, PythonTask, Stub


def prepare() -> int:
    return 41


def explode(value: int) -> None:
    raise ZeroDivisionError(f"cannot divide {value} by zero")


pipeline = Pipeline([PythonTask(prepare, returns=["value"]), PythonTask(explode), Stub("never")])
