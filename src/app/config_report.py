"""The effective configuration, leaf by leaf, with secrets masked and each value's source."""

from __future__ import annotations

import re
from typing import Any

from pydantic import SecretStr

from runplane.app import registry
from runplane.app.config import (
    SectionVariables,
    Settings,
    load_settings,
    read_file,
    resolve_file,
)
from runplane.app.config_sections import AdapterSection
from runplane.ports.tooling import ConfigValue

MASK = "**********"

# Keys whose values are secrets whatever their type (a plain `str` token, say).
_SECRET_KEY = re.compile(
    r"(^|_)(password|passwd|token|secret|api_?key|access_key|private_key|secret_key|credentials?)$",
    re.IGNORECASE,
)


def effective_config(configuration_file: str | None = None) -> list[ConfigValue]:
    """Each leaf of each section, after environment overrides and adapter defaults."""
    path = resolve_file(configuration_file)
    from_file = read_file(path) if path else {}
    settings, _ = load_settings(configuration_file)
    from_env = SectionVariables(Settings)()  # what the RUNPLANE_* variables set, unvalidated
    values: list[ConfigValue] = []
    for section in registry.PORTS:
        typed: AdapterSection = getattr(settings, section)
        config = typed.adapter_config
        leaves = [(("type",), typed.type), *_leaves(config.model_dump(), ("config",))]
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
