"""The secrets port: credentials a step receives as environment variables."""

from __future__ import annotations

from typing import Protocol, runtime_checkable


@runtime_checkable
class Secrets(Protocol):
    """Gives a step its secrets."""

    def get(self, name: str) -> str:
        """Return the value of `name`; raise SecretNotFoundError (value-free) when absent."""
        ...
