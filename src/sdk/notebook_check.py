"""The check a NotebookTask makes when it is defined: its notebook exists."""

from __future__ import annotations

from pathlib import Path

from runplane.domain.errors import PipelineDefinitionError


def check_notebook(name: str, notebook: object) -> None:
    """Fail at definition time, naming the step, when `notebook` is not an .ipynb file here."""
    if not isinstance(notebook, str) or not notebook.endswith(".ipynb"):
        raise PipelineDefinitionError(
            f"step {name!r}: NotebookTask needs the path of an .ipynb file, got {notebook!r}"
        )
    if not Path(notebook).is_file():
        raise PipelineDefinitionError(
            f"step {name!r}: notebook '{notebook}' not found (relative paths are resolved "
            f"against the working directory '{Path.cwd()}')"
        )
