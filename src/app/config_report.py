"""The effective configuration, leaf by leaf, with secrets masked and each value's source."""

from __future__ import annotations

import re
from typing import Any

from pydantic import BaseModel, SecretStr
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource

from runplane.app import plugins
from runplane.app.config import Settings, load_settings, read_file, resolve_file
from runplane.ports.tooling import ConfigValue

MASK = "**********"

# Keys whose values are secrets whatever their type (a plain `str` token, say).
_SECRET_KEY = re.compile(
    r"(^|_)(password|passwd|token|secret|api_?key|access_key|private_key|secret_key|credentials?)$",
    re.IGNORECASE,
)


class _EnvOnly(Settings):
    """The RUNPLANE_* variables alone, to tell which values they set."""

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (env_settings,)


def effective_config(configuration_file: str | None = None) -> list[ConfigValue]:
    """Each leaf of each section, after environment overrides and adapter defaults."""
    path = resolve_file(configuration_file)
    from_file = read_file(path) if path else {}
    settings, source = load_settings(configuration_file)
    env_settings = _EnvOnly()
    from_env = {name: getattr(env_settings, name) for name in env_settings.model_fields_set}
    values: list[ConfigValue] = []
    for section in plugins.PORTS:
        raw: dict[str, Any] = getattr(settings, section)
        adapter = plugins.build(section, raw, source)  # validates, so the report is what runs
        config: BaseModel = adapter.Config.model_validate(raw.get("config") or {})
        leaves = [(("type",), raw["type"]), *_leaves(config.model_dump(), ("config",))]
        for key, value in leaves:
            parts = (section, *key)
            name = ".".join(parts).replace(".[", "[")
            where = _source(parts, from_file, from_env)
            values.append(ConfigValue(name, mask_value(parts[-1], value), where))
    return values


def _leaves(value: Any, prefix: tuple[str, ...]) -> list[tuple[tuple[str, ...], Any]]:
    if isinstance(value, dict) and value:
        return [leaf for k, v in value.items() for leaf in _leaves(v, (*prefix, str(k)))]
    if isinstance(value, list) and value:
        return [leaf for i, v in enumerate(value) for leaf in _leaves(v, (*prefix, f"[{i}]"))]
    return [(prefix, value)]


def _source(parts: tuple[str, ...], from_file: dict[str, Any], from_env: dict[str, Any]) -> str:
    if _has(from_env, parts):
        return "env"
    if _has(from_file, parts):
        return "file"
    return "default"


def _has(data: Any, parts: tuple[str, ...]) -> bool:
    for part in parts:
        if isinstance(data, dict) and part in data:
            data = data[part]
        elif isinstance(data, list) and part.startswith("[") and int(part[1:-1]) < len(data):
            data = data[int(part[1:-1])]
        else:
            return False
    return True


def mask_value(key: str, value: Any) -> Any:
    """`value` as shown to people: SecretStr and values of secret-looking keys masked."""
    if isinstance(value, SecretStr):
        return MASK if value.get_secret_value() else ""
    if _SECRET_KEY.search(key) and isinstance(value, str) and value:
        return MASK
    return value
