"""What the SDK's `service()` still calls; the composition root is `app/bootstrap/root.py`.

Kept only until the SDK (moving to `runplane.sdk`) calls `bootstrap.root.application`.
"""

from __future__ import annotations

from runplane.adapters.tasks.asynchronous import EventCallback
from runplane.app.bootstrap.root import application
from runplane.app.service import RunService


class _Built:
    def __init__(self, configuration_file: str | None, on_event: EventCallback | None) -> None:
        self._app = application(configuration_file, on_event)

    def service(self) -> RunService:
        return RunService.of(self._app)


def create_container(
    configuration_file: str | None = None, on_event: EventCallback | None = None
) -> _Built:
    """The use cases for a configuration file, as the SDK's one service object."""
    return _Built(configuration_file, on_event)
