"""Three steps that report the process they ran in; importing this file is logged per process."""

import os
import random
from pathlib import Path

from runplane import Pipeline, PythonTask

with Path("imports.log").open("a") as log:  # one line per process that imports this file
    log.write(f"{os.getpid()}\n")

SEEN: list[str] = []  # a module global: a step must never see another step's changes


def report() -> tuple[int, int, float]:
    SEEN.append("report")
    return os.getpid(), len(SEEN), random.random()


pipeline = Pipeline(
    [
        PythonTask(report, name=name, returns=["pid", "seen", "random"])
        for name in ("one", "two", "three")
    ]
)
