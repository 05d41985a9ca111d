"""A flaky step that fails on its first attempt and succeeds on its second.

runplane run examples/retry/pipeline.py

runplane sets RUNPLANE_ATTEMPT (1, 2, ...) for every attempt of a task, on every executor;
an Argo retry is a new pod, and it still gets the next number. The step reads it, so it
fails the same way wherever it runs: locally, in a subprocess, or in a pod.
"""

import os

from runplane import Pipeline, PythonTask


def flaky() -> str:
    """Fail on the first attempt (the service is still starting), succeed afterwards."""
    if os.environ["RUNPLANE_ATTEMPT"] == "1":
        raise ConnectionError("the service was not ready")
    return "connected"


pipeline = Pipeline([PythonTask(flaky, returns=["state"], max_attempts=3)], name="retry")

if __name__ == "__main__":
    pipeline.execute()
