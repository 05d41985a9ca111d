"""A step whose record is large (200 kB, unless the file `small-now` exists), between two."""

from pathlib import Path

from runplane import Pipeline, PythonTask


def small() -> int:
    return 1


def big(n: int) -> str:
    return "x" * 200_000 if not Path("small-now").exists() else "x"


def after(n: int) -> int:
    return n + 1


pipeline = Pipeline(
    [
        PythonTask(small, returns=["n"]),
        PythonTask(big, returns=["text"]),
        PythonTask(after, returns=["m"]),
    ]
)
