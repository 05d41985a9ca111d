"""A flaky step that fails on its first attempt and succeeds on its second.

runplane run examples/retry/pipeline.py
"""

from pathlib import Path

from runplane import Pipeline, PythonTask


def flaky() -> str:
    """Fail the first time (no marker yet), succeed once the marker exists."""
    marker = Path("flaky.marker")
    if not marker.exists():
        marker.write_text("tried once")
        raise ConnectionError("the service was not ready")
    return "connected"


pipeline = Pipeline([PythonTask(flaky, returns=["state"], max_attempts=3)], name="retry")

if __name__ == "__main__":
    pipeline.execute()
