"""What the command line is handed: factories of the application and of the read side."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

import typer

from runplane.ports.driving import Application
from runplane.ports.queries import RunQueries
from runplane.ports.tooling import Tooling


class WebAppFactory(Protocol):
    """Builds the web app of `runplane ui` over a read side (an ASGI application).

    Raises ImportError when the `ui` extra is not installed.
    """

    def __call__(
        self, queries: RunQueries, *, token: str | None, host: str, loopback: bool
    ) -> Any: ...


@dataclass(frozen=True)
class Wiring:
    """Called like the factory (`ctx.obj(config_file)`), and carries the other services."""

    make_app: Callable[[str | None], Application]
    tooling: Tooling | None = None
    make_queries: Callable[[str | None], RunQueries] | None = None
    #: The web app `runplane ui` serves; the console script hands over the UI adapter's.
    make_web_app: WebAppFactory | None = None

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


def web_app_of(ctx: typer.Context) -> WebAppFactory:
    """The web app factory the CLI was built with; a clear error when it was built without."""
    make: WebAppFactory | None = getattr(ctx.obj, "make_web_app", None)
    if make is None:
        raise typer.BadParameter("this command needs the CLI built with a web app factory")
    return make
