"""What the command line is handed: a factory of the application, and the tooling service."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import typer

from runplane.ports.application import Application
from runplane.ports.tooling import Tooling


@dataclass(frozen=True)
class Wiring:
    """Called like the factory (`ctx.obj(config_file)`), and carries the tooling service."""

    make_app: Callable[[str | None], Application]
    tooling: Tooling | None = None

    def __call__(self, configuration_file: str | None) -> Application:
        return self.make_app(configuration_file)


def tooling_of(ctx: typer.Context) -> Tooling:
    """The tooling service the CLI was built with; a clear error when it was built without."""
    tooling: Tooling | None = getattr(ctx.obj, "tooling", None)
    if tooling is None:
        raise typer.BadParameter("this command needs the CLI built with a tooling service")
    return tooling
