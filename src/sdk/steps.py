"""The steps users put in a pipeline: tasks (Python, shell, notebook), stubs and the ends."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from runplane.domain.catalog_spec import CatalogSpec
from runplane.domain.errors import PipelineDefinitionError
from runplane.domain.graph import (
    FAIL,
    SUCCESS,
    Node,
    NodeKind,
    ReturnKind,
    ReturnSpec,
    TaskSpec,
    check_node_name,
)
from runplane.sdk.notebook_check import check_notebook

if TYPE_CHECKING:
    from runplane.sdk.pipeline import Pipeline

Return = str | ReturnSpec


def metric(name: str) -> ReturnSpec:
    """Declare a return recorded as a metric of the step, and passed on like any return."""
    return ReturnSpec(name, ReturnKind.METRIC)


class Catalog:
    """Files a task gets before it runs and puts after it succeeds (relative globs)."""

    def __init__(self, get: Iterable[str] = (), put: Iterable[str] = ()) -> None:
        self.spec = CatalogSpec(get=tuple(get), put=tuple(put))


class _Step:
    """A step the user placed in a pipeline."""

    name: str
    #: What runs when this step fails: a Pipeline, or one step (read by `pipeline.chain`).
    on_failure: Pipeline | _Step | None = None

    def node(self, next_name: str | None, on_failure: str | None) -> Node:
        """The graph node of this step, linked to the steps after it."""
        raise NotImplementedError


class _Task(_Step):
    def __init__(
        self,
        *,
        name: str,
        kind: str,
        command: str,
        function: Callable[..., Any] | None,
        returns: Sequence[Return],
        catalog: Catalog | None,
        secrets: Sequence[str],
        max_attempts: int,
        on_failure: Pipeline | _Step | None,
        overrides: Mapping[str, str] | None = None,
        executed_as: str | None = None,
    ) -> None:
        check_node_name(name)
        self.name = name
        self.on_failure = on_failure
        if isinstance(returns, str):
            raise PipelineDefinitionError(
                f"step {name!r}: returns must be a list of names, got the string {returns!r}"
            )
        self.task = TaskSpec(
            kind=kind,
            command=command,
            function=function,
            returns=tuple(r if isinstance(r, ReturnSpec) else ReturnSpec(r) for r in returns),
            secrets=tuple(secrets),
            catalog=catalog.spec if catalog else CatalogSpec(),
            max_attempts=max_attempts,
            overrides=dict(overrides or {}),
            executed_as=executed_as,
        )

    def node(self, next_name: str | None, on_failure: str | None) -> Node:
        return Node(self.name, NodeKind.TASK, next_name, on_failure, self.task)


class PythonTask(_Task):
    """A step that calls a Python function; its arguments are filled from parameters."""

    def __init__(
        self,
        function: Callable[..., Any],
        *,
        name: str | None = None,
        returns: Sequence[Return] = (),
        catalog: Catalog | None = None,
        secrets: Sequence[str] = (),
        max_attempts: int = 1,
        on_failure: Pipeline | _Step | None = None,
        overrides: Mapping[str, str] | None = None,
    ) -> None:
        if not callable(function):
            raise PipelineDefinitionError(f"PythonTask needs a function, got {function!r}")
        super().__init__(
            name=name or function.__name__,
            kind="python",
            command=f"{function.__module__}.{function.__qualname__}",
            function=function,
            returns=returns,
            catalog=catalog,
            secrets=secrets,
            max_attempts=max_attempts,
            on_failure=on_failure,
            overrides=overrides,
        )


class ShellTask(_Task):
    """A step that runs a shell command; parameters arrive as RUNPLANE_PRM_<name>."""

    def __init__(
        self,
        command: str,
        *,
        name: str,
        returns: Sequence[Return] = (),
        catalog: Catalog | None = None,
        secrets: Sequence[str] = (),
        max_attempts: int = 1,
        on_failure: Pipeline | _Step | None = None,
        overrides: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(
            name=name,
            kind="shell",
            command=command,
            function=None,
            returns=returns,
            catalog=catalog,
            secrets=secrets,
            max_attempts=max_attempts,
            on_failure=on_failure,
            overrides=overrides,
        )


class NotebookTask(_Task):
    """A step that runs a Jupyter notebook with papermill, parameters injected.

    `notebook` is a path to an .ipynb file, relative to the working directory the run
    starts in (like catalog patterns). Run parameters whose names are assigned in the
    notebook's `parameters`-tagged cell are injected; `returns` names variables of the
    notebook read back after its last cell. The executed notebook is written to
    `<stem>-<step path>.executed.ipynb` in the working directory, or to `executed_as` (a
    relative .ipynb path; `{branch}` in it becomes the step's branch, `map_3` in iteration
    `map.3`), and put into the catalog.
    """

    def __init__(
        self,
        notebook: str,
        *,
        name: str,
        returns: Sequence[Return] = (),
        catalog: Catalog | None = None,
        secrets: Sequence[str] = (),
        max_attempts: int = 1,
        on_failure: Pipeline | _Step | None = None,
        overrides: Mapping[str, str] | None = None,
        executed_as: str | None = None,
    ) -> None:
        check_notebook(name, notebook)
        super().__init__(
            name=name,
            kind="notebook",
            command=notebook,
            function=None,
            returns=returns,
            catalog=catalog,
            secrets=secrets,
            max_attempts=max_attempts,
            on_failure=on_failure,
            overrides=overrides,
            executed_as=executed_as,
        )


class Stub(_Step):
    """A placeholder step that succeeds; any other arguments are accepted and ignored."""

    def __init__(self, name: str, **ignored: Any) -> None:
        check_node_name(name)
        self.name = name
        self.on_failure = None

    def node(self, next_name: str | None, on_failure: str | None) -> Node:  # noqa: D102
        return Node(self.name, NodeKind.STUB, next_name, on_failure)


class Success(_Step):
    """Ends the run successfully when reached."""

    def __init__(self, name: str = SUCCESS) -> None:
        check_node_name(name)
        self.name = name

    def node(self, next_name: str | None, on_failure: str | None) -> Node:  # noqa: D102
        return Node(self.name, NodeKind.SUCCESS)


class Fail(_Step):
    """Ends the run as failed when reached."""

    def __init__(self, name: str = FAIL) -> None:
        check_node_name(name)
        self.name = name

    def node(self, next_name: str | None, on_failure: str | None) -> Node:  # noqa: D102
        return Node(self.name, NodeKind.FAIL)
