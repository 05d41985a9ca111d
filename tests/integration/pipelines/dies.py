"""A step whose process writes four lines to stderr and dies without recording the step."""

import os
import signal
import sys

from runplane import Pipeline, PythonTask


def dies(how: str = "kill") -> None:
    for line in range(1, 5):
        print(f"last words {line}", file=sys.stderr, flush=True)
    if how == "kill":
        os.kill(os.getpid(), signal.SIGKILL)
    os._exit(3)


pipeline = Pipeline([PythonTask(dies)])
