"""Two branches that print while both run.

Each starts printing once the other has started, and ends once the test, having read
their lines, creates the file `go`.
"""

import os
import sys
import time
from pathlib import Path

from runplane import Parallel, Pipeline, PythonTask


def talk(me: str, other: str) -> None:
    Path(f"{me}.started").touch()
    deadline = time.monotonic() + 60
    while not Path(f"{other}.started").exists():  # both run at once, whatever the load
        if time.monotonic() > deadline:
            raise RuntimeError(f"{other} never started")
        time.sleep(0.01)
    print(f"{me} line 1")
    print(f"{me} says {os.environ['team_token']}")
    print(f"{me} line 3, in ", end="")
    print("two pieces")
    print(f"{me} warns", file=sys.stderr)
    print(f"{me} ends without a newline", end="")
    # Both stay running until the test has seen their lines echoed (it creates `go`).
    while not Path("go").exists():
        if time.monotonic() > deadline:
            raise RuntimeError("no go")
        time.sleep(0.01)


def left() -> None:
    talk("left", "right")


def right() -> None:
    talk("right", "left")


pipeline = Pipeline(
    [
        Parallel(
            "both",
            branches={
                "a": Pipeline([PythonTask(left, secrets=["team_token"])]),
                "b": Pipeline([PythonTask(right, secrets=["team_token"])]),
            },
        )
    ]
)
