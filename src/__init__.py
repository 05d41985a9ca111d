"""runplane: write a pipeline once as plain Python; run it anywhere by changing one config file."""

from runplane.app.jobs import NotebookJob, PythonJob, ShellJob
from runplane.app.run_client import Run, Runs
from runplane.app.sdk import (
    Catalog,
    Conditional,
    Fail,
    Loop,
    Map,
    NotebookTask,
    Parallel,
    Pipeline,
    PythonTask,
    RunFailedError,
    ShellTask,
    Stub,
    Success,
    metric,
    service,
)

__all__ = [
    "Catalog",
    "Conditional",
    "Fail",
    "Loop",
    "Map",
    "NotebookJob",
    "NotebookTask",
    "Parallel",
    "Pipeline",
    "PythonJob",
    "PythonTask",
    "Run",
    "RunFailedError",
    "Runs",
    "ShellJob",
    "ShellTask",
    "Stub",
    "Success",
    "metric",
    "service",
]
