"""The SDK's one way into the application: build it from a configuration file."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from runplane.ports.application import Application
    from runplane.ports.definitions import PipelineDefinitions


def application(
    configuration_file: str | None = None,
    on_event: Callable[[dict[str, Any]], None] | None = None,
    definitions: PipelineDefinitions | None = None,
) -> Application:
    """The application service, built by the composition root from a configuration file.

    The one place the SDK (and the console script) reaches the root. `definitions` loads
    pipeline and job files; without it the application runs the graphs it is given, which
    is all `Pipeline.execute()` asks of it.
    """
    # Only when a service is built: `import runplane` stays free of dependency-injector,
    # pydantic-settings and the adapters.
    from runplane.app.container import create_container  # noqa: PLC0415

    return create_container(
        configuration_file, on_event=on_event, definitions=definitions
    ).service()
