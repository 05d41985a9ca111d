"""What the command line is handed: factories of the application and of the read side."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import typer

from runplane.ports.driving import Application
from runplane.ports.queries import RunQueries
from runplane.ports.tooling import Tooling


@dataclass(frozen=True)
class Wiring:
    """Called like the factory (`ctx.obj(config_file)`), and carries the other services."""

    make_app: Callable[[str | None], Application]
    tooling: Tooling | None = None
    make_queries: Callable[[str | None], RunQueries] | None = None

    def __call__(self, configuration_file: str | None) -> Application:
        return self.make_app(configuration_file)


def tooling_of(ctx: typer.Context) -> Tooling:
    """The tooling service the CLI was built with; a clear error when it was built without."""
    tooling: Tooling | None = getattr(ctx.obj, "tooling", None)
    if tooling is None:
        raise typer.BadParameter("this command needs the CLI built with a tooling service")
    return tooling


def queries_of(ctx: typer.Context, configuration_file: str | None) -> RunQueries:
    """The read side for a configuration file; a clear error when the CLI has none."""
    make: Callable[[str | None], RunQueries] | None = getattr(ctx.obj, "make_queries", None)
    if make is None:
        raise typer.BadParameter("this command needs the CLI built with a run query factory")
    return make(configuration_file)
