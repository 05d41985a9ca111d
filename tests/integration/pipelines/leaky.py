"""Steps that use two secrets, put a file, and fail with a secret in the exception message.

Nothing here prints a secret: whatever shows one afterwards was written by runplane.
"""

import os
from pathlib import Path

from runplane import Catalog, Pipeline, PythonTask, ShellTask


def use_keys() -> int:
    Path("report.txt").write_text(f"keys of {len(os.environ['alpha_key'])} characters\n")
    return len(os.environ["alpha_key"]) + len(os.environ["beta_key"])


def explode(total: int) -> None:
    key = os.environ["alpha_key"]
    raise ValueError(f"the service refused key {key} (and {os.environ['beta_key']!r})")


pipeline = Pipeline(
    [
        PythonTask(
            use_keys,
            returns=["total"],
            secrets=["alpha_key", "beta_key"],
            catalog=Catalog(put=["report.txt"]),
        ),
        ShellTask(
            'test -n "$alpha_key" && echo "shell step ok" >&2', name="shell", secrets=["alpha_key"]
        ),
        PythonTask(explode, secrets=["alpha_key", "beta_key"], max_attempts=2),
    ]
)
