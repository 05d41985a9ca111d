"""runnable's tasks and returns: PythonTask, ShellTask, NotebookTask, Stub, pickled, metric."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Any

from runplane import sdk
from runplane.compat.runnable.environment import exporting, shell_command
from runplane.compat.runnable.steps import BaseTraversal, Exported, plain_overrides
from runplane.domain.errors import PipelineDefinitionError
from runplane.domain.graph import ReturnSpec
from runplane.domain.notebook_output import BRANCH

if TYPE_CHECKING:
    from runplane.compat.runnable.pipeline import Pipeline

Return = str | ReturnSpec


def pickled(name: str) -> ReturnSpec:
    """A return runnable pickles; an ordinary return here.

    runplane pickles every value that JSON cannot give back exactly.
    """
    return ReturnSpec(name)


def json(name: str) -> ReturnSpec:
    """A JSON return (the default for a plain name)."""
    return ReturnSpec(name)


def metric(name: str) -> ReturnSpec:
    """A return recorded as a metric of the step, and passed on as a parameter too."""
    return sdk.metric(name)


class Catalog:
    """Files a task gets before it runs and puts after it ends (runnable's signature).

    `store_copy=False` (runnable: record the files' hashes without copying them) puts
    nothing: runplane's catalog records only what it holds.
    """

    def __init__(
        self, get: Iterable[str] = (), put: Iterable[str] = (), store_copy: bool = True
    ) -> None:
        self.get = list(get)
        self.put = list(put)
        self.store_copy = store_copy

    def to_runplane(self) -> sdk.Catalog:
        """The runplane catalog settings of a task."""
        return sdk.Catalog(get=self.get, put=self.put if self.store_copy else ())


class BaseTask(BaseTraversal):
    """What runnable's tasks share: returns, catalog, secrets, overrides."""

    def __init__(
        self,
        name: str,
        *,
        returns: Sequence[Return] = (),
        catalog: Catalog | None = None,
        secrets: Sequence[str] = (),
        overrides: Mapping[str, Any] | None = None,
        terminate_with_success: bool = False,
        terminate_with_failure: bool = False,
        on_failure: Pipeline | None = None,
    ) -> None:
        super().__init__(
            name,
            terminate_with_success=terminate_with_success,
            terminate_with_failure=terminate_with_failure,
            on_failure=on_failure,
        )
        if isinstance(returns, str):
            raise PipelineDefinitionError(
                f"step {name!r}: returns must be a list of names, got the string {returns!r}"
            )
        self.returns = list(returns)
        self.catalog = catalog
        self.secrets = list(secrets)
        self.overrides = plain_overrides(name, overrides)

    def _options(self, exported: Exported) -> dict[str, Any]:
        return {
            "name": self.name,
            "returns": self.returns,
            "catalog": self.catalog.to_runplane() if self.catalog else None,
            "secrets": self.secrets,
            "on_failure": self._handler(exported),
            "overrides": self.overrides,
        }


class PythonTask(BaseTask):
    """Calls `function` with parameters by argument name (runnable's PythonTask)."""

    def __init__(
        self, *, function: Callable[..., Any], name: str | None = None, **options: Any
    ) -> None:
        if not callable(function):
            raise PipelineDefinitionError(f"PythonTask needs a function, got {function!r}")
        super().__init__(name or function.__name__, **options)
        self.function = function

    def to_runplane(self, exported: Exported) -> sdk._Step:  # noqa: D102
        return sdk.PythonTask(exporting(self.function, exported), **self._options(exported))


class ShellTask(BaseTask):
    """Runs `command`, parameters as environment variables by their bare names.

    The names in `returns` are read from the variables the command exported.
    """

    def __init__(self, *, command: str, name: str, **options: Any) -> None:
        super().__init__(name, **options)
        self.command = command

    def to_runplane(self, exported: Exported) -> sdk._Step:  # noqa: D102
        names = [r if isinstance(r, str) else r.name for r in self.returns]
        return sdk.ShellTask(shell_command(self.command, names), **self._options(exported))


class NotebookTask(BaseTask):
    """Runs a notebook, parameters injected after its `parameters` cell."""

    def __init__(
        self,
        *,
        notebook: str,
        name: str,
        optional_ploomber_args: Mapping[str, Any] | None = None,
        **options: Any,
    ) -> None:
        if optional_ploomber_args:
            raise PipelineDefinitionError(
                f"step {name!r}: optional_ploomber_args is runnable's (ploomber-engine); "
                "runplane runs notebooks with papermill: remove it"
            )
        super().__init__(name, **options)
        self.notebook = notebook
        self.executed_as = runnable_executed_name(notebook, name)

    def to_runplane(self, exported: Exported) -> sdk._Step:  # noqa: D102
        return sdk.NotebookTask(
            self.notebook, executed_as=self.executed_as, **self._options(exported)
        )


def runnable_executed_name(notebook: str, tag: str) -> str:
    """The executed copy runnable 0.50 writes: `<notebook's folder>/<stem>-<tag>_out.ipynb`.

    runnable keeps only the letters and digits of the step name as `tag`; inside a map it
    puts the item first, here `{branch}` does (the iteration, `map_3`), empty at the top.
    A notebook outside the working directory gets its copy in the working directory, where
    the catalog can take it.
    """
    path = PurePosixPath(notebook)
    kept = "".join(c for c in tag if c.isalnum())
    folder = PurePosixPath() if path.is_absolute() or ".." in path.parts else path.parent
    return str(folder / f"{path.stem}-{BRANCH}{kept}_out.ipynb")


class Stub(BaseTraversal):
    """A step that does nothing and succeeds; other arguments are accepted and ignored."""

    def __init__(
        self,
        *,
        name: str,
        terminate_with_success: bool = False,
        terminate_with_failure: bool = False,
        on_failure: Pipeline | None = None,
        **ignored: Any,
    ) -> None:
        super().__init__(
            name,
            terminate_with_success=terminate_with_success,
            terminate_with_failure=terminate_with_failure,
            on_failure=on_failure,
        )

    def to_runplane(self, exported: Exported) -> sdk._Step:  # noqa: D102
        return sdk.Stub(self.name)


class Success(BaseTraversal):
    """Ends the run successfully when reached."""

    def __init__(self, name: str = "success") -> None:
        super().__init__(name)

    def to_runplane(self, exported: Exported) -> sdk._Step:  # noqa: D102
        return sdk.Success(self.name)


class Fail(BaseTraversal):
    """Ends the run as failed when reached."""

    def __init__(self, name: str = "fail") -> None:
        super().__init__(name)

    def to_runplane(self, exported: Exported) -> sdk._Step:  # noqa: D102
        return sdk.Fail(self.name)
