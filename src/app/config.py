"""The configuration: the embedded default < the file < RUNPLANE_* variables."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from runplane.app.yaml_files import read_yaml
from runplane.domain.errors import ConfigurationError

#: Names the configuration file when no file is given explicitly.
CONFIGURATION_FILE_VARIABLE = "RUNPLANE_CONFIGURATION_FILE"

#: Variables `RUNPLANE_<SECTION>` (a JSON object) and `RUNPLANE_<SECTION>__<KEY>__...`.
ENV_PREFIX = "runplane_"
ENV_NESTED_DELIMITER = "__"

#: The embedded default, used for every section the file does not set.
DEFAULTS: dict[str, dict[str, Any]] = {
    "executor": {"type": "local"},
    "run_log_store": {"type": "file-system", "config": {"log_folder": ".run_log_store"}},
    "catalog": {"type": "file-system", "config": {"catalog_location": ".catalog"}},
    "secrets": {"type": "env-secrets-manager"},
    # Not a port: OpenTelemetry tracing, off unless an endpoint is set (app/telemetry.py).
    "telemetry": {},
}


class Settings(BaseModel):
    """The four port sections, each `{type, config}`, and the optional `telemetry` section."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    executor: dict[str, Any] = DEFAULTS["executor"]
    run_log_store: dict[str, Any] = DEFAULTS["run_log_store"]
    catalog: dict[str, Any] = DEFAULTS["catalog"]
    secrets: dict[str, Any] = DEFAULTS["secrets"]
    telemetry: dict[str, Any] = DEFAULTS["telemetry"]


def from_environment(environ: Mapping[str, str]) -> dict[str, Any]:
    """Sections set by variables, case-insensitively (the rules pydantic-settings applied).

    `RUNPLANE_EXECUTOR='{"type": "local"}'` sets a whole section (it must be a JSON object);
    `RUNPLANE_RUN_LOG_STORE__CONFIG__LOG_FOLDER=x` sets one key inside it (JSON when the
    value parses as JSON, else the string). Keys set that way go over the whole-section
    value. Variables that name no section (`RUNPLANE_PRM_x`) are not configuration.
    """
    whole: dict[str, Any] = {}
    keys: dict[str, Any] = {}
    for variable, raw in environ.items():
        name = variable.lower()
        if not name.startswith(ENV_PREFIX):
            continue
        section, *path = name[len(ENV_PREFIX) :].split(ENV_NESTED_DELIMITER)
        if section not in DEFAULTS:
            continue
        if not path:
            whole[section] = _json_object(variable, raw)
            continue
        target = keys.setdefault(section, {})
        for key in path[:-1]:
            target = target.setdefault(key, {})
            if not isinstance(target, dict):
                break
        else:
            target[path[-1]] = _json_or_text(raw)
    return merge(whole, keys)


def merge(base: Mapping[str, Any], over: Mapping[str, Any]) -> dict[str, Any]:
    """`over` on top of `base`, mappings merged key by key at every depth."""
    out = dict(base)
    for key, value in over.items():
        below = out.get(key)
        both_maps = isinstance(below, Mapping) and isinstance(value, Mapping)
        out[key] = merge(below, value) if both_maps else value  # type: ignore[arg-type]
    return out


def _json_object(variable: str, raw: str) -> dict[str, Any]:
    try:
        value = json.loads(raw)
    except ValueError:
        value = None
    if not isinstance(value, dict):
        raise ConfigurationError(
            f"variable {variable} must be a JSON object such as "
            '\'{"type": "...", "config": {...}}\' (or set one key with '
            f"{variable}__CONFIG__<KEY>)"
        )
    return value


def _json_or_text(raw: str) -> Any:
    try:
        return json.loads(raw)
    except ValueError:
        return raw


def resolve_file(configuration_file: str | None) -> Path | None:
    """The file to load: the argument, else $RUNPLANE_CONFIGURATION_FILE, else none."""
    name = configuration_file or os.environ.get(CONFIGURATION_FILE_VARIABLE)
    return Path(name) if name else None


def read_file(path: Path) -> dict[str, Any]:
    """Parse a configuration file; errors name the file (and the line for bad YAML)."""
    if not path.is_file():
        raise ConfigurationError(f"configuration file '{path}' not found")
    try:
        data = read_yaml(path, "configuration file", ConfigurationError)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f" line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise ConfigurationError(
            f"configuration file '{path}' is not valid YAML at{where}: {exc.problem}"
        ) from None
    except yaml.YAMLError as exc:
        raise ConfigurationError(f"configuration file '{path}' is not valid YAML: {exc}") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigurationError(
            f"configuration file '{path}' must be a mapping with sections "
            f"{', '.join(DEFAULTS)}; got {type(data).__name__}"
        )
    return data


def load_settings(configuration_file: str | None = None) -> tuple[Settings, str]:
    """Load the settings and say where they came from (for error messages).

    Precedence: RUNPLANE_* variables over the file over the embedded default, merged key by
    key (a variable that sets one key keeps the file's other keys of that section).
    """
    path = resolve_file(configuration_file)
    data = read_file(path) if path else {}
    source = f"configuration file '{path}'" if path else "the default configuration"
    try:
        return Settings.model_validate(merge(data, from_environment(os.environ))), source
    except ValidationError as exc:
        raise ConfigurationError(f"{source}: {_describe(exc)}") from None


def _describe(exc: ValidationError) -> str:
    problems = []
    for error in exc.errors():
        where = ".".join(str(part) for part in error["loc"])
        if error["type"] == "extra_forbidden":
            problems.append(f"unknown section '{where}'; valid sections: {', '.join(DEFAULTS)}")
        else:
            problems.append(f"{where}: {error['msg']}")
    return "; ".join(problems)
