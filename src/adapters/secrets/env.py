"""Secrets from this process's environment variables."""

from __future__ import annotations

import os
from typing import ClassVar

from pydantic import BaseModel, ConfigDict

from runplane.domain.errors import SecretNotFoundError


class EnvSecretsConfig(BaseModel):
    """Settings of the environment secrets provider."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    prefix: str = ""


class EnvSecrets:
    """Secret `name` is the environment variable `<prefix><name>`."""

    Config: ClassVar[type[EnvSecretsConfig]] = EnvSecretsConfig

    def __init__(self, config: EnvSecretsConfig | None = None) -> None:
        self._prefix = (config or EnvSecretsConfig()).prefix

    def get(self, name: str) -> str:
        try:
            return os.environ[self._prefix + name]
        except KeyError:
            raise SecretNotFoundError(
                name, f"the environment (variable '{self._prefix}{name}' is not set)"
            ) from None
