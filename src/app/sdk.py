"""The builders users write pipelines with; they turn into a domain Graph."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from runplane.app.chaining import chain
from runplane.app.notebook_check import check_notebook
from runplane.domain.catalog_spec import CatalogSpec
from runplane.domain.errors import ExecutionError, PipelineDefinitionError
from runplane.domain.graph import (
    FAIL,
    REDUCERS,
    SUCCESS,
    Composite,
    ConditionalSpec,
    Graph,
    LoopSpec,
    MapSpec,
    Node,
    NodeKind,
    ParallelSpec,
    ReturnKind,
    ReturnSpec,
    TaskSpec,
    check_node_name,
)
from runplane.domain.limits import check_step_paths

if TYPE_CHECKING:
    from runplane.domain.run_log import RunLog
    from runplane.ports.application import Application

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
    on_failure: Pipeline | None = None

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
        self.on_failure = _as_pipeline(on_failure)
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


class _CompositeStep(_Step):
    kind: NodeKind
    spec: Composite

    def __init__(self, name: str, on_failure: Pipeline | _Step | None) -> None:
        check_node_name(name)
        self.name = name
        self.on_failure = _as_pipeline(on_failure)

    def node(self, next_name: str | None, on_failure: str | None) -> Node:
        return Node(self.name, self.kind, next_name, on_failure, composite=self.spec)


class Parallel(_CompositeStep):
    """Branches that all run; succeeds when every branch succeeds.

    Each branch sees the parameters produced before this step; afterwards, the branches'
    returns are merged into the pipeline's parameters in branch order.
    """

    kind = NodeKind.PARALLEL

    def __init__(
        self, name: str, branches: dict[str, Pipeline], on_failure: Pipeline | _Step | None = None
    ) -> None:
        super().__init__(name, on_failure)
        self.spec = ParallelSpec(_graphs(name, branches))


class Map(_CompositeStep):
    """Runs `branch` once per item of the list parameter `iterate_on`.

    Each iteration sees the item as parameter `iterate_as`. Afterwards each return of the
    branch is a list ordered by iteration, or what `reducer` makes of that list: a function
    of one list, or one of the names "list", "sum", "max", "min", "first", "last", "mean".
    """

    kind = NodeKind.MAP

    def __init__(  # noqa: PLR0917  (the issue's signature: Map(name, iterate_on, iterate_as, ...))
        self,
        name: str,
        iterate_on: str,
        iterate_as: str,
        branch: Pipeline,
        reducer: str | Callable[[list[Any]], Any] | None = None,
        on_failure: Pipeline | _Step | None = None,
    ) -> None:
        super().__init__(name, on_failure)
        label, reduce = _reducer(name, reducer)
        self.spec = MapSpec(iterate_on, iterate_as, _graph(name, branch), label, reduce)


class Conditional(_CompositeStep):
    """Runs the branch named by the value of `parameter`, or `default` when none matches."""

    kind = NodeKind.CONDITIONAL

    def __init__(
        self,
        name: str,
        parameter: str,
        branches: dict[str, Pipeline],
        default: str | None = None,
        on_failure: Pipeline | _Step | None = None,
    ) -> None:
        super().__init__(name, on_failure)
        self.spec = ConditionalSpec(parameter, _graphs(name, branches), default)


class Loop(_CompositeStep):
    """Runs `branch` again and again (do-while) until the parameter `break_on` is true.

    Each iteration sees its index as the parameter `index_as` (shell tasks get it as
    `RUNPLANE_PRM_<index_as>`) and everything the previous iteration had and returned.
    Step paths name iterations: `loop.0.train`, `loop.1.train`. After the loop, the last
    iteration's returns are the pipeline's parameters. At `max_iterations` without
    `break_on` the loop fails, unless `on_max_iterations="succeed"`.
    """

    kind = NodeKind.LOOP

    def __init__(
        self,
        name: str,
        branch: Pipeline,
        *,
        break_on: str,
        max_iterations: int = 10,
        index_as: str = "iteration",
        on_max_iterations: str = "fail",
        on_failure: Pipeline | _Step | None = None,
    ) -> None:
        super().__init__(name, on_failure)
        self.spec = LoopSpec(
            _graph(name, branch), break_on, max_iterations, index_as, on_max_iterations
        )


def _graph(name: str, branch: object) -> Graph:
    if not isinstance(branch, Pipeline):
        raise PipelineDefinitionError(
            f"step {name!r}: a branch must be a Pipeline, got {type(branch).__name__}"
        )
    return branch.graph


def _graphs(name: str, branches: object) -> dict[str, Graph]:
    if not isinstance(branches, dict) or not branches:
        raise PipelineDefinitionError(
            f"step {name!r}: branches must be a non-empty dict of name -> Pipeline"
        )
    return {key: _graph(f"{name}.{key}", branch) for key, branch in branches.items()}


def _reducer(
    name: str, reducer: str | Callable[[list[Any]], Any] | None
) -> tuple[str, Callable[[list[Any]], Any]]:
    if reducer is None:
        return "list", list
    if callable(reducer):
        return f"{reducer.__module__}.{reducer.__qualname__}", reducer
    if reducer in REDUCERS:
        return reducer, REDUCERS[reducer]
    raise PipelineDefinitionError(
        f"map {name!r}: unknown reducer {reducer!r}; give a function of one list or one of "
        f"{', '.join(REDUCERS)}"
    )


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


class Pipeline:
    """Steps that run in list order. Building one checks it; `execute()` runs it."""

    def __init__(self, steps: Sequence[_Step], name: str | None = None) -> None:
        self.steps = list(steps)
        self.name = name
        self.graph = self._build()
        # The file that built the pipeline: a subprocess or a container reloads it from there.
        self.source_file: str | None = sys._getframe(1).f_globals.get("__file__")

    def execute(
        self,
        configuration_file: str | None = None,
        parameters_file: str | None = None,
        run_id: str | None = None,
        tag: str | None = None,
        on_event: Callable[[dict[str, Any]], None] | None = None,
    ) -> RunLog:
        """Run the pipeline with the configured adapters; raise RunFailedError if it fails.

        `on_event` receives the events async generator tasks stream (local executors).
        """
        app = service(configuration_file, on_event=on_event)
        run = app.run(
            self.graph,
            parameters_file=parameters_file,
            run_id=run_id,
            tag=tag,
            pipeline_file=self.source_file,
        )
        where = app.run_log_location(run.run_id)
        sys.stderr.write(f"run {run.run_id}: {run.status.value}; run log: {where}\n")
        if run.status.value != "success":
            raise RunFailedError(run, where)
        return run

    def _build(self) -> Graph:
        if not self.steps:
            raise PipelineDefinitionError("a pipeline needs at least one step")
        nodes: dict[str, Node] = {
            SUCCESS: Node(SUCCESS, NodeKind.SUCCESS),
            FAIL: Node(FAIL, NodeKind.FAIL),
        }
        start = chain(self.steps, nodes, end=SUCCESS)
        graph = Graph(start_at=start, nodes=nodes, name=self.name)
        check_step_paths(graph)
        return graph


def _as_pipeline(handler: Pipeline | _Step | None) -> Pipeline | None:
    if handler is None or isinstance(handler, Pipeline):
        return handler
    return Pipeline([handler])


class RunFailedError(ExecutionError):
    """A run ended as failed; the run log says which step and why."""

    def __init__(self, run: RunLog, where: str) -> None:
        failed = [s for s in run.steps.values() if s.status.value == "fail"]
        detail = f"; step {failed[-1].path!r}: {failed[-1].message}" if failed else ""
        super().__init__(f"run {run.run_id!r} failed{detail} (run log: {where})")
        self.run_log = run


def service(
    configuration_file: str | None = None,
    on_event: Callable[[dict[str, Any]], None] | None = None,
) -> Application:
    """The application service, built by the container from a configuration file."""
    from runplane.app.container import create_container  # noqa: PLC0415  (keeps import light)
    from runplane.app.loader import FileDefinitions  # noqa: PLC0415  (keeps import light)

    return create_container(
        configuration_file, on_event=on_event, definitions=FileDefinitions()
    ).service()
