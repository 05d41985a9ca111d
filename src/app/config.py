"""The configuration file, loaded with pydantic-settings: file < RUNPLANE_* variables < args."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any

from pydantic import ValidationError
from pydantic.fields import FieldInfo
from pydantic_settings import (
    BaseSettings,
    EnvSettingsSource,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    SettingsError,
)

from runplane.app import registry
from runplane.app.config_sections import SECTION_ERROR, AdapterSection, SectionOf
from runplane.domain.errors import ConfigurationError

#: Names the configuration file when no file is given explicitly.
CONFIGURATION_FILE_VARIABLE = "RUNPLANE_CONFIGURATION_FILE"

#: The embedded default, used for every section the file does not set.
DEFAULTS: dict[str, dict[str, Any]] = {
    "executor": {"type": "local"},
    "run_log_store": {"type": "file-system", "config": {"log_folder": ".run_log_store"}},
    "catalog": {"type": "file-system", "config": {"catalog_location": ".catalog"}},
    "secrets": {"type": "env-secrets-manager"},
    # Not a port: OpenTelemetry tracing, off unless an endpoint is set (app/telemetry.py).
    "telemetry": {},
}


#: A port's section, typed: validated by the member of its union that its `type` names.
ExecutorSection = Annotated[AdapterSection, SectionOf("executor")]
RunLogStoreSection = Annotated[AdapterSection, SectionOf("run_log_store")]
CatalogSection = Annotated[AdapterSection, SectionOf("catalog")]
SecretsSection = Annotated[AdapterSection, SectionOf("secrets")]


class Settings(BaseSettings):
    """The four port sections, each a typed `{type, config}`, and the optional `telemetry`.

    Sources, highest first: `RUNPLANE_*` variables, then the configuration file, which
    `load_settings` passes as the constructor's arguments (parsed beforehand, so errors
    name the file and the line).
    """

    model_config = SettingsConfigDict(
        env_prefix="RUNPLANE_",
        env_nested_delimiter="__",
        extra="forbid",
        frozen=True,
        validate_default=True,
    )

    executor: ExecutorSection = DEFAULTS["executor"]  # type: ignore[assignment]
    run_log_store: RunLogStoreSection = DEFAULTS["run_log_store"]  # type: ignore[assignment]
    catalog: CatalogSection = DEFAULTS["catalog"]  # type: ignore[assignment]
    secrets: SecretsSection = DEFAULTS["secrets"]  # type: ignore[assignment]
    telemetry: dict[str, Any] = DEFAULTS["telemetry"]

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        """RUNPLANE_* variables win over the file (the constructor's arguments)."""
        return SectionVariables(settings_cls), init_settings

    def sections(self) -> dict[str, Any]:
        """Every section as written (after merging sources), as the run log records it."""
        written: dict[str, Any] = {
            name: getattr(self, name).as_written() for name in registry.PORTS
        }
        return {**written, "telemetry": dict(self.telemetry)}


class SectionVariables(EnvSettingsSource):
    """`RUNPLANE_*` variables, read as for untyped sections.

    A nested variable (`RUNPLANE_EXECUTOR__CONFIG__RETRIES=3`) is decoded as JSON where it
    parses, whatever the adapter's field; typed sections would otherwise decode only what
    the `AdapterSection` base declares, changing what a variable means.
    """

    def explode_env_vars(
        self, field_name: str, field: FieldInfo, env_vars: Mapping[str, str | None]
    ) -> dict[str, Any]:
        """The nested variables of one field, port sections read as plain mappings."""
        if field_name in registry.PORTS:
            field = FieldInfo(annotation=dict[str, Any])
        return super().explode_env_vars(field_name, field, env_vars)


def resolve_file(configuration_file: str | None) -> Path | None:
    """The file to load: the argument, else $RUNPLANE_CONFIGURATION_FILE, else none."""
    name = configuration_file or os.environ.get(CONFIGURATION_FILE_VARIABLE)
    return Path(name) if name else None


def read_file(path: Path) -> dict[str, Any]:
    """Parse a configuration file; errors name the file (and the line for bad YAML)."""
    if not path.is_file():
        raise ConfigurationError(f"configuration file '{path}' not found")
    # Imported here: a run on the embedded default reads no YAML and skips the import.
    from runplane.app.yaml_files import read_yaml  # noqa: PLC0415

    data = read_yaml(path, "configuration file", ConfigurationError)
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigurationError(
            f"configuration file '{path}' must be a mapping with sections "
            f"{', '.join(DEFAULTS)}; got {type(data).__name__}"
        )
    return data


def load_settings(configuration_file: str | None = None) -> tuple[Settings, str]:
    """Load the settings and say where they came from (for error messages)."""
    whole = check_section_variables(os.environ)
    path = resolve_file(configuration_file)
    # Sections the file leaves out start from the embedded default, so a RUNPLANE_* variable
    # that sets one key merges into the default section instead of replacing it.
    data = {**DEFAULTS, **(read_file(path) if path else {})}
    # A whole section from the environment that names another adapter type replaces the
    # section: merged (as pydantic-settings merges sources), the other adapter's keys would
    # be invalid for this one (an Argo pod's S3 store met the default's `log_folder`).
    for section, value in whole.items():
        below = data.get(section)
        if "type" in value and isinstance(below, dict) and below.get("type") != value["type"]:
            data = {key: item for key, item in data.items() if key != section}
    source = f"configuration file '{path}'" if path else "the default configuration"
    # Checked before the constructor sees them: it would take `_env_file` and the like as
    # its own options rather than refuse them as sections.
    unknown = [name for name in data if name not in Settings.model_fields]
    if unknown:
        valid = ", ".join(DEFAULTS)
        raise ConfigurationError(
            f"{source}: unknown section '{unknown[0]}'; valid sections: {valid}"
        )
    try:
        return Settings(**data), source
    except ValidationError as exc:
        raise ConfigurationError(f"{source}: {_describe(exc)}") from None
    except SettingsError as exc:  # a source that could not be read at all
        raise ConfigurationError(f"{source}: {exc}") from None


def check_section_variables(environ: Mapping[str, str]) -> dict[str, dict[str, Any]]:
    """The `RUNPLANE_<SECTION>` variables by section; one that is not a JSON object is refused.

    pydantic-settings parses such a variable as JSON and, when it is not, fails with a
    traceback that names neither the variable nor what it should hold.
    """
    sections: dict[str, dict[str, Any]] = {}
    for variable, text in environ.items():
        section = variable.upper().removeprefix("RUNPLANE_").lower()
        if not variable.upper().startswith("RUNPLANE_") or section not in DEFAULTS:
            continue
        try:
            value = json.loads(text)
        except ValueError as exc:
            raise ConfigurationError(
                f"environment variable {variable} is not valid JSON ({exc}); it must be a JSON "
                f"object for the '{section}' section, e.g. {json.dumps(DEFAULTS[section])}, or "
                f"set one key with {variable}__<KEY>"
            ) from None
        if not isinstance(value, dict):
            raise ConfigurationError(
                f"environment variable {variable} must be a JSON object for the '{section}' "
                f"section, e.g. {json.dumps(DEFAULTS[section])}; got {type(value).__name__}"
            )
        sections[section] = value
    return sections


def _describe(exc: ValidationError) -> str:
    problems = []
    for error in exc.errors():
        where = ".".join(str(part) for part in error["loc"])
        if error["type"] == SECTION_ERROR:
            variables = section_variables(str(error["loc"][0]), os.environ)
            # The file may be right and a variable wrong: say which ones shaped the section.
            set_by = f" (set by {', '.join(variables)})" if variables else ""
            problems.append(f"{error['msg']}{set_by}")
        elif error["type"] == "extra_forbidden":
            problems.append(f"unknown section '{where}'; valid sections: {', '.join(DEFAULTS)}")
        else:
            problems.append(f"{where}: {error['msg']}")
    return "; ".join(problems)


def section_variables(section: str, environ: Mapping[str, str]) -> list[str]:
    """The `RUNPLANE_*` variables that set (part of) a section, sorted."""
    whole = f"RUNPLANE_{section.upper()}"
    return sorted(
        name for name in environ if name.upper() == whole or name.upper().startswith(f"{whole}__")
    )
