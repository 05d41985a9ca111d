"""`runplane.service()`: the application, loading pipeline and job files with the SDK's loader."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from runplane.sdk.application import application

if TYPE_CHECKING:
    from runplane.ports.application import Application


def service(
    configuration_file: str | None = None,
    on_event: Callable[[dict[str, Any]], None] | None = None,
) -> Application:
    """The application service, built by the container from a configuration file."""
    # Speed: `import runplane` (once per step's process) skips the loader and what it imports.
    from runplane.sdk.loader import FileDefinitions  # noqa: PLC0415

    return application(configuration_file, on_event, definitions=FileDefinitions())
