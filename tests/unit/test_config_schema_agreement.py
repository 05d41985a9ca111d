"""The JSON schema and the loader agree: a section loads iff it satisfies the schema.

Sections are generated around every installed adapter: its type or a wrong one, its
config keys or misspelt ones, each value its default or an arbitrary JSON value. The
loader is lax where the schema is not (a YAML `max_workers: true` loads as 1, and
variables arrive as strings), so values that lax mode converts are left out of the
pool: strings that read as numbers or booleans, and booleans (pydantic turns them
into numbers). RUNPLANE_LONG_TESTS=1 draws ten times as many sections.
"""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st
from pydantic import TypeAdapter

from runplane.app import config_sections, registry
from runplane.app.config import load_settings
from runplane.app.config_schema import config_schema
from runplane.app.telemetry import telemetry_config
from runplane.domain.errors import ConfigurationError

EXAMPLES = 1000 if os.environ.get("RUNPLANE_LONG_TESTS") == "1" else 100

#: Values a lax loader and a JSON schema read alike.
JSON_VALUES = st.one_of(
    st.none(),
    st.integers(-3, 3),
    st.sampled_from([0.5, -2.5]),
    st.sampled_from(["x", "", "s3://bucket", "/tmp/p", "argo"]),
    st.lists(st.sampled_from(["x", 1]), max_size=2),
    st.dictionaries(st.sampled_from(["a", "name"]), st.sampled_from(["x", 1]), max_size=2),
)


@cache
def validator(section: str) -> jsonschema.protocols.Validator:
    schema = config_schema(section)
    cls = jsonschema.validators.validator_for(schema)
    return cls(schema, format_checker=None)


def defaults(section: str, type_name: str) -> dict[str, Any]:
    """Each config key's default as JSON, or an example string for a required key."""
    model = config_sections.section_model(section, type_name)
    config = model.adapter_class.Config  # type: ignore[attr-defined]
    values: dict[str, Any] = {}
    for name, field in config.model_fields.items():
        if field.is_required():
            values[name] = "x"
        else:
            value = field.get_default(call_default_factory=True)
            values[name] = TypeAdapter(field.annotation).dump_python(value, mode="json")
    return values


@st.composite
def sections(draw: st.DrawFn, section: str) -> object:
    """A raw section near an installed adapter's: mostly right, sometimes wrong in one way."""
    types = sorted(registry.installed(section))
    type_name = draw(st.sampled_from(types))
    shape = draw(st.sampled_from(["section"] * 8 + ["not-a-mapping", "no-type", "bad-type"]))
    if shape == "not-a-mapping":
        return draw(st.sampled_from([3, "local", [], None]))
    raw: dict[str, Any] = {}
    if shape == "bad-type":
        raw["type"] = draw(st.sampled_from(["s4", "", 3, None, type_name.upper()]))
    elif shape == "section":
        raw["type"] = type_name
    config_shape = draw(st.sampled_from(["absent", "null", "mapping", "mapping", "mapping"]))
    if config_shape == "null":
        raw["config"] = None
    elif config_shape == "mapping":
        known = defaults(section, type_name)
        keys = draw(st.lists(st.sampled_from([*known, "bogus_key"]), unique=True, max_size=4))
        raw["config"] = {
            key: draw(st.just(known[key]) | JSON_VALUES) if key in known else "x" for key in keys
        }
    if draw(st.booleans()) and draw(st.booleans()):
        raw["settings"] = {}
    return raw


def loads(section: str, raw: object) -> bool:
    try:
        config_sections.check_section(section, raw)
    except config_sections.SectionError as exc:
        note(f"loader: {exc}")
        return False
    return True


@pytest.mark.parametrize("section", list(registry.PORTS))
@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_a_section_loads_iff_it_satisfies_the_schema(section: str, data: st.DataObject) -> None:
    raw: Any = data.draw(sections(section))
    errors = [e.message for e in validator(section).iter_errors(raw)]
    note(f"schema: {errors}")
    assert loads(section, raw) == (not errors), raw


def test_the_generator_reaches_both_outcomes() -> None:
    """Guards the property above against a generator that only ever draws valid sections."""
    seen: set[bool] = set()

    @settings(max_examples=60, deadline=None)
    @given(raw=sections("executor"))
    def record(raw: object) -> None:
        seen.add(loads("executor", raw))

    record()
    assert seen == {True, False}


@pytest.mark.parametrize(
    "document",
    [
        {"telemetry": {"endpoint": "http://collector:4318"}},
        {"telemetry": {"endpoint": 3}},
        {"telemetry": {"endpont": "http://collector:4318"}},
        {"executr": {"type": "local"}},
        {"executor": {"type": "local"}, "secrets": {"type": "do-nothing", "config": None}},
    ],
)
def test_a_whole_file_loads_iff_it_satisfies_the_schema(
    document: dict[str, Any], tmp_path: Path
) -> None:
    path = tmp_path / "c.yaml"
    path.write_text(yaml.safe_dump(document))
    try:
        settings, source = load_settings(str(path))
        telemetry_config(settings.telemetry, source)  # validated where tracing is set up
        loaded = True
    except ConfigurationError:
        loaded = False
    assert loaded == jsonschema.Draft202012Validator(config_schema()).is_valid(document)
