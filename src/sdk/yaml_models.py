"""The YAML pipeline format as pydantic models: the source of its published JSON schema."""

from __future__ import annotations

import json
import sys
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Discriminator, Field, Tag

SCHEMA_ID = "https://runplane.dev/schemas/pipeline.schema.json"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ReturnModel(_Strict):
    """A named return with its kind; a plain string is the same with kind `json`."""

    name: str = Field(description="Identifier the value is passed on as.")
    kind: Literal["json", "metric"] = Field(
        "json",
        description="`metric`: a number recorded as a metric of the step, also passed on.",
    )


def _return_tag(value: Any) -> str:
    return "name" if isinstance(value, str) else "spec"


# A callable discriminator: a bad entry reports one error, not one per union member.
Return = Annotated[
    Annotated[str, Tag("name")] | Annotated[ReturnModel, Tag("spec")],
    Discriminator(_return_tag),
]


class CatalogModel(_Strict):
    """Glob patterns, relative to the working directory."""

    get: list[str] = Field(default_factory=list, description="Brought from the catalog first.")
    put: list[str] = Field(default_factory=list, description="Kept in the catalog afterwards.")


class _Node(_Strict):
    on_failure: PipelineModel | None = Field(
        None,
        description="Steps run when this one fails (the run still fails unless they end "
        "in a `success` step).",
    )


class _TaskNode(_Node):
    returns: list[Return] = Field(default_factory=list, description="Names of returned values.")
    catalog: CatalogModel | None = None
    secrets: list[str] = Field(default_factory=list, description="Set as environment variables.")
    max_attempts: int = Field(1, ge=1, description="Attempts before the step fails.")


class PythonStep(_TaskNode):
    """Calls a Python function; its arguments are filled by name from the parameters."""

    type: Literal["python"]
    command: str = Field(
        description="`module.function`; the pipeline file's folder is on the import path."
    )
    name: str | None = Field(None, description="Defaults to the function's name.")


class ShellStep(_TaskNode):
    """Runs a shell command; parameters arrive as RUNPLANE_PRM_<name>."""

    type: Literal["shell"]
    name: str
    command: str = Field(description="Run with bash.")


class NotebookStep(_TaskNode):
    """Runs a Jupyter notebook with papermill, parameters injected."""

    type: Literal["notebook"]
    name: str
    command: str = Field(description="Path of the .ipynb, relative to the working directory.")
    executed_as: str | None = Field(
        None,
        description="Where the executed copy goes, relative to the working directory; "
        "{branch} becomes the step's branch (default: <stem>-<step path>.executed.ipynb).",
    )


class StubStep(_Strict):
    """A placeholder that succeeds."""

    type: Literal["stub"]
    name: str


class SuccessStep(_Strict):
    """Ends the run successfully."""

    type: Literal["success"]
    name: str = "success"


class FailStep(_Strict):
    """Ends the run as failed."""

    type: Literal["fail"]
    name: str = "fail"


class ParallelStep(_Node):
    """Branches that all run; succeeds when every branch succeeds."""

    type: Literal["parallel"]
    name: str
    branches: dict[str, PipelineModel] = Field(min_length=1)


class MapStep(_Node):
    """Runs `branch` once per item of the list parameter `iterate_on`."""

    type: Literal["map"]
    name: str
    iterate_on: str = Field(description="Name of a list parameter.")
    iterate_as: str = Field(description="Parameter name each iteration sees its item as.")
    branch: PipelineModel
    reducer: str | None = Field(
        None,
        description="How each return's per-iteration list is combined: list (default), sum, "
        "max, min, first, last, mean, or `module.function` of one list.",
    )


class ConditionalStep(_Node):
    """Runs the branch named by the value of `parameter`."""

    type: Literal["conditional"]
    name: str
    parameter: str
    branches: dict[str, PipelineModel] = Field(min_length=1)
    default: str | None = Field(None, description="Branch taken when no branch matches.")


class LoopStep(_Node):
    """Runs `branch` again and again (do-while) until the parameter `break_on` is true."""

    type: Literal["loop"]
    name: str
    branch: PipelineModel
    break_on: str = Field(description="Boolean parameter that ends the loop when true.")
    max_iterations: int = Field(10, ge=1)
    index_as: str = Field("iteration", description="Parameter holding the iteration index.")
    on_max_iterations: Literal["fail", "succeed"] = "fail"


Step = Annotated[
    PythonStep
    | ShellStep
    | NotebookStep
    | StubStep
    | SuccessStep
    | FailStep
    | ParallelStep
    | MapStep
    | ConditionalStep
    | LoopStep,
    Field(discriminator="type"),
]

#: The model of each step `type`, in the order the documentation lists them.
STEP_MODELS: dict[str, type[BaseModel]] = {
    "python": PythonStep,
    "shell": ShellStep,
    "notebook": NotebookStep,
    "stub": StubStep,
    "success": SuccessStep,
    "fail": FailStep,
    "parallel": ParallelStep,
    "map": MapStep,
    "conditional": ConditionalStep,
    "loop": LoopStep,
}


class PipelineModel(_Strict):
    """Steps that run in list order (the whole file, a branch, or an on_failure handler)."""

    name: str | None = None
    steps: list[Step] = Field(min_length=1)


def json_schema() -> dict[str, Any]:
    """The published JSON schema of a YAML pipeline file."""
    schema = PipelineModel.model_json_schema()
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        **schema,
        "title": "runplane pipeline",
    }


def schema_text() -> str:
    """The schema as committed in schemas/pipeline.schema.json."""
    return json.dumps(json_schema(), indent=2, sort_keys=True, allow_nan=False) + "\n"


_MODELS: tuple[type[BaseModel], ...] = (_Node, _TaskNode, *STEP_MODELS.values(), PipelineModel)
for _model in _MODELS:
    _model.model_rebuild()

if __name__ == "__main__":
    # Regenerate the published schema: python -m runplane.sdk.yaml_models > schemas/...
    sys.stdout.write(schema_text())
