"""Secrets from a dotenv file (KEY=value lines), read when a secret is asked for."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from pydantic import BaseModel, ConfigDict

from runplane.domain.errors import SecretError, SecretNotFoundError


class DotenvSecretsConfig(BaseModel):
    """Settings of the dotenv secrets provider."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    location: str = ".env"


class DotenvSecrets:
    """Secret `name` is the key `name` of the dotenv file at `location`."""

    Config: ClassVar[type[DotenvSecretsConfig]] = DotenvSecretsConfig

    def __init__(self, config: DotenvSecretsConfig | None = None) -> None:
        self._path = Path((config or DotenvSecretsConfig()).location)

    def get(self, name: str) -> str:
        from dotenv import dotenv_values  # noqa: PLC0415  (only runs that use dotenv pay for it)

        if not self._path.is_file():
            raise SecretError(
                f"dotenv file '{self._path}' not found (secrets: dotenv, location); "
                "create it or point 'location' at it"
            )
        value = dotenv_values(self._path).get(name)
        if value is None:
            raise SecretNotFoundError(name, f"dotenv file '{self._path}'")
        return value
