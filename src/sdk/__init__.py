"""The SDK: what users define pipelines and jobs with, and how their files are loaded.

It sits above the application (`app`), which never imports it: the application receives
the loader of pipeline and job files through `ports.definitions` from `service()`.
"""

from runplane.sdk.composites import Conditional, Loop, Map, Parallel
from runplane.sdk.jobs import NotebookJob, PythonJob, ShellJob
from runplane.sdk.pipeline import Pipeline, RunFailedError
from runplane.sdk.service import service
from runplane.sdk.steps import (
    Catalog,
    Fail,
    NotebookTask,
    PythonTask,
    Return,
    ShellTask,
    Stub,
    Success,
    metric,
)
from runplane.sdk.steps import _Step as _Step  # the base compat's runnable steps check for

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
    "Return",
    "RunFailedError",
    "ShellJob",
    "ShellTask",
    "Stub",
    "Success",
    "metric",
    "service",
]
