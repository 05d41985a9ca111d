"""A flaky step that succeeds on its third attempt, then one that always fails."""

import os
from pathlib import Path

from runplane import Pipeline, PythonTask


def flaky() -> int:
    # Attempts leave marks in a folder outside the pod, so each attempt knows the count.
    marks = Path(os.environ["FLAKY_DIR"])
    attempt = len(list(marks.iterdir())) + 1
    (marks / str(attempt)).touch()
    if attempt < 3:
        raise RuntimeError(f"flaky failure on attempt {attempt}")
    return attempt


def hopeless() -> None:
    raise RuntimeError("always fails")


pipeline = Pipeline(
    [
        PythonTask(flaky, returns=["attempts"], max_attempts=3),
        PythonTask(hopeless, max_attempts=2),
    ],
    name="retry",
)
