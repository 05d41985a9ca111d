"""Typed `{type, config}` sections: per port, a discriminated union of its adapters' Configs.

Each installed adapter contributes one member model, `{type: Literal[name], config:
<Adapter>.Config | None}`, built by `section_model`. `section_union` joins a port's
members into the discriminated union the JSON schema is made of; `validate_section`
validates with the same members, reading the discriminator first and building only the
member it names. Building the whole union would import every installed adapter (Argo,
S3, Vault...) in each step's process to configure the one it uses.
"""

import copy
from functools import cache
from typing import Annotated, Any, ClassVar, Literal, Optional, Union

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError, create_model
from pydantic_core import PydanticCustomError, core_schema

from runplane.app import registry
from runplane.domain.errors import ConfigurationError

#: The error type a section's problem carries inside the settings' ValidationError.
SECTION_ERROR = "runplane_section"


def _title(model: type) -> str:
    section: str = getattr(model, "section", "section")
    type_name: str = getattr(model, "type_name", model.__name__)
    return f"{section}: {type_name}"


class AdapterSection(BaseModel):
    """One validated section: an installed adapter's `type` and its validated `config`.

    Each adapter's member model subclasses this with `type: Literal[<name>]` and its own
    `Config`; the class variables say which adapter and section it stands for.
    """

    model_config = ConfigDict(extra="forbid", frozen=True, model_title_generator=_title)

    section: ClassVar[str]
    type_name: ClassVar[str]
    adapter_class: ClassVar[type]

    type: str
    config: BaseModel | None = None
    # The section as written (after merging sources): what the run log records and what
    # an orchestrator hands its pods, unchanged by defaults or secret masking.
    _raw: dict[str, Any] = PrivateAttr(default_factory=dict)

    @property
    def adapter_config(self) -> BaseModel:
        """The adapter's `Config`; a section without `config:` gets its defaults."""
        if self.config is not None:
            return self.config
        defaults: BaseModel = self.adapter_class.Config()  # type: ignore[attr-defined]
        return defaults

    def as_written(self) -> dict[str, Any]:
        """A copy of the raw section this was validated from."""
        return copy.deepcopy(self._raw)


def _camel(name: str) -> str:
    return "".join(part.capitalize() for part in name.replace("-", "_").split("_"))


@cache
def section_model(section: str, type_name: str) -> type[AdapterSection]:
    """The union member for one installed adapter; raises ConfigurationError if unloadable."""
    adapter = registry.load(section, type_name)
    doc = (adapter.__doc__ or "").strip().splitlines()
    # Built at runtime from installed adapters, so these are values, not static annotations.
    type_field: Any = Literal[type_name]
    config_field: Any = Optional[adapter.Config]  # type: ignore[attr-defined]  # noqa: UP045
    model: type[AdapterSection] = create_model(
        f"{_camel(section)}{_camel(type_name)}",
        __base__=AdapterSection,
        __doc__=doc[0] if doc else f"The {type_name} adapter.",
        __module__=__name__,
        type=(type_field, ...),
        config=(config_field, None),
    )
    model.section = section
    model.type_name = type_name
    model.adapter_class = adapter
    return model


def loadable_members(section: str) -> list[type[AdapterSection]]:
    """Every installed adapter's member model; adapters that fail to load are left out.

    `runplane adapters list` reports why one failed; a section naming it gets that error.
    """
    members = []
    for type_name in sorted(registry.installed(section)):
        try:
            members.append(section_model(section, type_name))
        except ConfigurationError:
            continue
    return members


def section_union(section: str) -> Any:
    """The discriminated union of a section's loadable adapters (the schema's `oneOf`)."""
    members = loadable_members(section)
    if not members:
        raise ConfigurationError(f"no adapters installed for section {section!r}")
    if len(members) == 1:
        return members[0]
    return Annotated[Union[tuple(members)], Field(discriminator="type")]  # noqa: UP007


class SectionError(Exception):
    """A section's problems as one line that starts with the section's name."""


def check_section(section: str, raw: object) -> AdapterSection:
    """Validate one raw section with the member its `type` names; raises SectionError."""
    if not isinstance(raw, dict):
        raise SectionError(f"{section} must be a mapping with 'type' and 'config'")
    type_name = raw.get("type")
    if not isinstance(type_name, str):
        valid = ", ".join(sorted(registry.installed(section)))
        raise SectionError(f"{section}.type is required; valid types: {valid}")
    try:
        model = section_model(section, type_name)
    except ConfigurationError as exc:
        raise SectionError(str(exc)) from exc.__cause__
    try:
        typed = model.model_validate(raw)
    except ValidationError as exc:
        raise SectionError(describe(model, exc)) from None
    typed._raw = copy.deepcopy(raw)
    return typed


def validate_section(section: str, raw: object, source: str) -> AdapterSection:
    """`check_section` with errors as ConfigurationError naming where the section came from."""
    try:
        return check_section(section, raw)
    except SectionError as exc:
        raise ConfigurationError(f"{source}: {exc}") from exc.__cause__


def describe(model: type[AdapterSection], exc: ValidationError) -> str:
    """A member's validation errors as one line: what, where (section.key), what is valid."""
    section, type_name = model.section, model.type_name
    config_model: type[BaseModel] = model.adapter_class.Config  # type: ignore[attr-defined]
    fields = ", ".join(config_model.model_fields) or "none"
    problems = []
    unknown = [
        str(error["loc"][0])
        for error in exc.errors()
        if error["type"] == "extra_forbidden" and len(error["loc"]) == 1
    ]
    if unknown:
        problems.append(
            f"{section}: unknown key(s) {', '.join(unknown)}; a section has 'type' and 'config'"
        )
    for error in exc.errors():
        loc = [str(part) for part in error["loc"]]
        if loc[:1] != ["config"]:
            if error["type"] != "extra_forbidden":
                problems.append(f"{section}.{'.'.join(loc)}: {error['msg']}")
            continue
        where = ".".join([section, *loc])
        if error["type"] == "extra_forbidden":
            problems.append(f"{where}: unknown key for type '{type_name}'; valid keys: {fields}")
        else:
            problems.append(f"{where}: {error['msg']}")
    return "; ".join(problems)


class SectionOf:
    """Marks a settings field as one port's section: `Annotated[AdapterSection, SectionOf(...)]`.

    Validation goes through `check_section`; a problem becomes one error at the section's
    location whose message is already a full sentence.
    """

    def __init__(self, section: str) -> None:
        self.section = section

    def __get_pydantic_core_schema__(self, source: Any, handler: Any) -> core_schema.CoreSchema:
        def validate(raw: object) -> AdapterSection:
            if isinstance(raw, AdapterSection) and raw.section == self.section:
                return raw
            try:
                return check_section(self.section, raw)
            except SectionError as exc:
                raise PydanticCustomError(SECTION_ERROR, str(exc)) from None

        return core_schema.no_info_plain_validator_function(validate)
