"""Three steps; the middle one waits (up to a minute) until the file `go` exists."""

import time
from pathlib import Path

from runplane import Pipeline, PythonTask


def prepare() -> int:
    return 20


def wait(value: int) -> int:
    if not Path("go").exists():
        Path("waiting").write_text("the step is running")
        deadline = time.monotonic() + 60
        while not Path("go").exists() and time.monotonic() < deadline:
            time.sleep(0.05)
    return value + 1


def finish(value: int) -> int:
    return value * 2


pipeline = Pipeline(
    [
        PythonTask(prepare, returns=["value"]),
        PythonTask(wait, returns=["value"]),
        PythonTask(finish, returns=["result"]),
    ]
)
