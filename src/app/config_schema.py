"""The JSON schema of configuration files, built from the installed adapters' Config models."""

from __future__ import annotations

from typing import Annotated, Any, Literal, Optional, Union

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, create_model

from runplane.app import plugins
from runplane.domain.errors import ConfigurationError

_SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"


def _camel(name: str) -> str:
    return "".join(part.capitalize() for part in name.replace("-", "_").split("_"))


def _section_model(section: str, type_name: str, adapter: type) -> type[BaseModel]:
    """`{type: Literal[type_name], config: <Adapter>.Config | None}` for one adapter."""
    doc = (adapter.__doc__ or "").strip().splitlines()
    config_model: type[BaseModel] = adapter.Config  # type: ignore[attr-defined]
    # Built at runtime from installed adapters, so these are values, not static annotations.
    type_field: Any = Literal[type_name]
    config_field: Any = Optional[config_model]  # noqa: UP045
    return create_model(
        f"{_camel(section)}{_camel(type_name)}",
        __config__=ConfigDict(extra="forbid", title=f"{section}: {type_name}"),
        __doc__=doc[0] if doc else f"The {type_name} adapter.",
        type=(type_field, ...),
        config=(config_field, None),
    )


def section_type(section: str) -> Any:
    """The discriminated union of every loadable adapter of a section; broken ones are left out."""
    models = []
    for type_name in sorted(plugins.installed(section)):
        try:
            adapter = plugins.load(section, type_name)
        except ConfigurationError:
            continue  # `runplane adapters list` reports why; the schema covers what works
        models.append(_section_model(section, type_name, adapter))
    if not models:
        raise ConfigurationError(f"no adapters installed for section {section!r}")
    if len(models) == 1:
        return models[0]
    return Annotated[Union[tuple(models)], Field(discriminator="type")]  # noqa: UP007


def config_schema(section: str | None = None) -> dict[str, Any]:
    """The schema of a whole configuration file, or of one section when `section` is given."""
    if section is not None:
        if section not in plugins.PORTS:
            valid = ", ".join(plugins.PORTS)
            raise ConfigurationError(f"unknown section {section!r}; valid sections: {valid}")
        schema = TypeAdapter(section_type(section)).json_schema()
        schema.setdefault("title", section)
    else:
        fields: dict[str, Any] = {
            name: (Optional[section_type(name)], None)  # noqa: UP045
            for name in plugins.PORTS
        }
        model = create_model(
            "RunplaneConfiguration",
            __config__=ConfigDict(extra="forbid", title="runplane configuration"),
            **fields,
        )
        schema = model.model_json_schema()
    return {"$schema": _SCHEMA_DIALECT, **schema}
