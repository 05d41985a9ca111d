"""The console script: builds the application per command and hands it to the CLI."""

from __future__ import annotations

import sys


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
        from runplane.app.loader import load_graph  # noqa: PLC0415

        sys.exit(build_step_command(steps, load_graph)(sys.argv[2:]))
    if sys.argv[1:2] == ["step-server"]:
        # The local-subprocess executor's helper: it imports the step path once and forks
        # one process per step, each running this same `execute-step` command.
        from runplane.adapters.cli.step import build_step_command  # noqa: PLC0415
        from runplane.adapters.executors.step_server import serve  # noqa: PLC0415
        from runplane.app.bootstrap.root import preload, steps  # noqa: PLC0415
        from runplane.app.loader import load_graph  # noqa: PLC0415

        serve(sys.argv[2:], build_step_command(steps, load_graph), preload)
    from runplane.adapters.cli.commands import build_cli  # noqa: PLC0415
    from runplane.app.bootstrap.root import application, queries  # noqa: PLC0415
    from runplane.app.tooling import ToolingService  # noqa: PLC0415

    build_cli(application, ToolingService(), queries)()
