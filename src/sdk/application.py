"""The SDK's one way into the application: build it from a configuration file."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from runplane.ports.application import Application


def service(
    configuration_file: str | None = None,
    on_event: Callable[[dict[str, Any]], None] | None = None,
) -> Application:
    """The application service, built by the container from a configuration file.

    The one place the SDK (and the console script) reaches the composition root: it gives
    the root what app must not import, the loader of pipeline and job files.
    """
    # Both only when a service is built: `import runplane` stays free of dependency-injector,
    # pydantic-settings and the adapters, and the loader imports the Pipeline that imports us.
    from runplane.app.container import create_container  # noqa: PLC0415
    from runplane.sdk.loader import FileDefinitions  # noqa: PLC0415

    return create_container(
        configuration_file, on_event=on_event, definitions=FileDefinitions()
    ).service()
