"""runnable 0.50's SDK on runplane: change `from runnable import` to this module.

The names and signatures are runnable's; the semantics are runplane's where runnable's
users would not notice, and runnable's where they would (docs/from-runnable.md lists the
differences that remain).
"""

from runplane.compat.runnable import exceptions
from runplane.compat.runnable.composites import Conditional, Loop, Map, Parallel
from runplane.compat.runnable.exceptions import ExecutionFailedError
from runplane.compat.runnable.jobs import NotebookJob, PythonJob, ShellJob
from runplane.compat.runnable.pipeline import Pipeline
from runplane.compat.runnable.tasks import (
    Catalog,
    Fail,
    NotebookTask,
    PythonTask,
    ShellTask,
    Stub,
    Success,
    json,
    metric,
    pickled,
)

__all__ = [
    "Catalog",
    "Conditional",
    "ExecutionFailedError",
    "Fail",
    "Loop",
    "Map",
    "NotebookJob",
    "NotebookTask",
    "Parallel",
    "Pipeline",
    "PythonJob",
    "PythonTask",
    "ShellJob",
    "ShellTask",
    "Stub",
    "Success",
    "exceptions",
    "json",
    "metric",
    "pickled",
]
