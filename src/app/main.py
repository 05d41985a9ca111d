"""The console script: builds the application per command and hands it to the CLI."""

from __future__ import annotations

from runplane.adapters.cli.commands import build_cli
from runplane.app.sdk import service
from runplane.app.tooling import ToolingService


def main() -> None:
    """Entry point of `runplane`."""
    build_cli(service, ToolingService())()
