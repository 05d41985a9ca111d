"""A secrets provider with no secrets: every request is a clear 'not found'."""

from __future__ import annotations

from typing import ClassVar

from pydantic import BaseModel, ConfigDict

from runplane.domain.errors import SecretNotFoundError


class DoNothingSecretsConfig(BaseModel):
    """The do-nothing provider takes no settings."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class DoNothingSecrets:
    """Has no secrets; `get` always raises SecretNotFoundError (never returns '')."""

    Config: ClassVar[type[DoNothingSecretsConfig]] = DoNothingSecretsConfig

    def __init__(self, config: DoNothingSecretsConfig | None = None) -> None:
        pass

    def get(self, name: str) -> str:
        raise SecretNotFoundError(name, "the 'do-nothing' secrets provider (it has no secrets)")
