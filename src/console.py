"""The console script (`runplane`, `python -m runplane`): wires the layers, hands over to the CLI.

It is the top layer: the only module that brings the SDK's loader of pipeline files and
the application together for the command line.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from runplane.ports.application import Application

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
        # It builds the service by plain calls (`step_service`), not through the container.
        from runplane.adapters.cli.step import build_step_command  # noqa: PLC0415

        sys.exit(build_step_command(_step_service)(sys.argv[2:]))
    if sys.argv[1:2] == ["step-server"]:
        # The local-subprocess executor's helper: it imports the step path once and forks
        # one process per step, each running this same `execute-step` command.
        from runplane.adapters.cli.step import build_step_command  # noqa: PLC0415
        from runplane.adapters.executors.step_server import serve  # noqa: PLC0415
        from runplane.app.step_service import preload  # noqa: PLC0415
        from runplane.sdk import loader  # noqa: PLC0415, F401  (imported once, before forks)

        serve(sys.argv[2:], build_step_command(_step_service), preload)
    from runplane.adapters.cli.commands import build_cli  # noqa: PLC0415
    from runplane.app.run_client import run_queries  # noqa: PLC0415
    from runplane.app.tooling import ToolingService  # noqa: PLC0415
    from runplane.sdk.service import service  # noqa: PLC0415

    build_cli(service, ToolingService(pipeline_schema), run_queries)()


def _step_service(configuration_file: str | None = None) -> Application:
    """The service a step's process builds: plain calls, the files' loader given from here."""
    from runplane.app.step_service import build_service  # noqa: PLC0415
    from runplane.sdk.loader import FileDefinitions  # noqa: PLC0415

    return build_service(configuration_file, definitions=FileDefinitions())


def pipeline_schema() -> dict[str, Any]:
    """JSON schema of YAML pipeline files; pydantic's models only for this command."""
    from runplane.sdk.yaml_models import json_schema  # noqa: PLC0415

    return json_schema()
