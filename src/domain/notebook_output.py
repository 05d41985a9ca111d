"""Where a notebook task's executed copy goes when the pipeline names it.

The name is a path relative to the working directory; `{branch}` in it stands for the
branch the step runs in (`map_3` for an iteration `map.3`, empty at the top level), so
parallel branches and map iterations do not overwrite each other's copy.
"""

from __future__ import annotations

import re
from pathlib import PurePosixPath

from runplane.domain.errors import PipelineDefinitionError

BRANCH = "{branch}"


def check_executed_as(kind: str, name: object) -> None:
    """Reject a name for the executed copy that could not be written where the catalog looks."""
    if kind != "notebook":
        raise PipelineDefinitionError(
            f"executed_as names an executed notebook; a {kind} task has none: remove it"
        )
    if not isinstance(name, str) or not name.endswith(".ipynb"):
        raise PipelineDefinitionError(
            f"executed_as must be a relative path ending in '.ipynb', got {name!r}"
        )
    path = PurePosixPath(name.replace(BRANCH, ""))
    if not path.name.removesuffix(".ipynb"):
        raise PipelineDefinitionError(
            f"executed_as {name!r} has no file name before '.ipynb' (outside {BRANCH})"
        )
    if path.is_absolute() or ".." in path.parts:
        raise PipelineDefinitionError(
            f"executed_as {name!r} must stay in the working directory: a relative path "
            "without '..', for example 'notebooks/report_out.ipynb'"
        )
    if any(c in name.replace(BRANCH, "") for c in "{}*?["):
        raise PipelineDefinitionError(
            f"executed_as {name!r} may use only the placeholder {BRANCH} and no glob "
            "characters (* ? [)"
        )


def executed_name(name: str, step_path: str) -> str:
    """The relative path of the executed copy for one run of the step at `step_path`."""
    branch = step_path.rpartition(".")[0]
    return name.replace(BRANCH, re.sub(r"[^A-Za-z0-9]+", "_", branch))
