"""The console script (`runplane`, `python -m runplane`): wires the layers, hands over to the CLI.

It is the top layer: the only module that brings the SDK's loader of pipeline files and
the application together for the command line.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from runplane.ports.driving import Application
    from runplane.ports.queries import RunQueries

# Every import below is inside a function: each command imports only what it needs (a
# step's process, started once per step, skips typer, rich and dependency-injector).


def main() -> None:
    """Entry point of `runplane`."""
    from runplane.app.capture import install  # noqa: PLC0415

    # Everything the command prints, runplane's lines and steps' output alike, goes through
    # the masking routers from the start (handlers made later write to them too).
    install()
    if sys.argv[1:2] == ["execute-step"]:
        # Executors start this command once per step: it skips typer and rich (a lean
        # parser of the same arguments) so a step's process imports what the step needs.
        # It builds only the step path, through the same root as every other command.
        from runplane.adapters.cli.step import build_step_command  # noqa: PLC0415
        from runplane.app.bootstrap.root import steps  # noqa: PLC0415
        from runplane.sdk.loader import FileDefinitions  # noqa: PLC0415

        sys.exit(build_step_command(steps, FileDefinitions().pipeline)(sys.argv[2:]))
    if sys.argv[1:2] == ["step-server"]:
        # The local-subprocess executor's helper: it imports the step path once and forks
        # one process per step, each running this same `execute-step` command.
        from runplane.adapters.cli.step import build_step_command  # noqa: PLC0415
        from runplane.adapters.executors.step_server import serve  # noqa: PLC0415
        from runplane.app.bootstrap.root import preload, steps  # noqa: PLC0415
        from runplane.sdk.loader import FileDefinitions  # noqa: PLC0415  (once, before forks)

        serve(sys.argv[2:], build_step_command(steps, FileDefinitions().pipeline), preload)
    from runplane.adapters.cli.commands import build_cli  # noqa: PLC0415
    from runplane.app.bootstrap.root import queries  # noqa: PLC0415
    from runplane.app.tooling import ToolingService  # noqa: PLC0415

    build_cli(cli_application, ToolingService(pipeline_schema), queries, web_app)()


def cli_application(configuration_file: str | None = None) -> Application:
    """The use cases for the command line, loading pipeline files with the SDK's loader."""
    from runplane.app.bootstrap.root import application  # noqa: PLC0415
    from runplane.sdk.loader import FileDefinitions  # noqa: PLC0415

    return application(configuration_file, definitions=FileDefinitions())


def web_app(queries: RunQueries, *, token: str | None, host: str, loopback: bool) -> Any:
    """The web app of `runplane ui`; starlette (the `ui` extra) is imported only here."""
    from runplane.adapters.ui.server import app_for  # noqa: PLC0415

    return app_for(queries, token=token, host=host, loopback=loopback)


def pipeline_schema() -> dict[str, Any]:
    """JSON schema of YAML pipeline files; pydantic's models only for this command."""
    from runplane.sdk.yaml_models import json_schema  # noqa: PLC0415

    return json_schema()
