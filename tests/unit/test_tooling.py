"""Configuration schema from installed adapters, the effective-config report, adapter listing."""

from pathlib import Path

import jsonschema
import pytest
import yaml
from pydantic import SecretStr

from runplane.app import plugins
from runplane.app.config_report import MASK, mask_value
from runplane.app.tooling import ToolingService
from runplane.console import pipeline_schema
from runplane.domain.errors import ConfigurationError

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def tooling() -> ToolingService:
    return ToolingService(pipeline_schema)


def test_schema_offers_every_installed_type_per_section(tooling: ToolingService) -> None:
    schema = tooling.config_schema()
    assert set(schema["properties"]) == {*plugins.PORTS, "telemetry"}
    for section in plugins.PORTS:
        branch = tooling.config_schema(section)
        types = {
            option["properties"]["type"]["const"]
            for option in branch["$defs"].values()
            if "type" in option.get("properties", {}) and "const" in option["properties"]["type"]
        }
        assert set(plugins.installed(section)) <= types | {None}, section
        assert branch["discriminator"]["propertyName"] == "type"


@pytest.mark.parametrize("name", sorted(p.name for p in (REPO / "config").glob("*.yaml")))
def test_shipped_configurations_validate_against_the_schema(
    tooling: ToolingService, name: str
) -> None:
    document = yaml.safe_load((REPO / "config" / name).read_text()) or {}
    jsonschema.validate(document, tooling.config_schema())


def test_schema_rejects_unknown_types_and_misspelt_keys(tooling: ToolingService) -> None:
    schema = tooling.config_schema()
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({"run_log_store": {"type": "file-systen"}}, schema)
    with pytest.raises(jsonschema.ValidationError, match="log_foldr"):
        jsonschema.validate(
            {"run_log_store": {"type": "file-system", "config": {"log_foldr": "x"}}}, schema
        )


def test_unknown_section_names_the_valid_ones(tooling: ToolingService) -> None:
    with pytest.raises(ConfigurationError, match="valid sections: executor, run_log_store"):
        tooling.config_schema("run_logs")


def test_effective_config_says_where_each_value_came_from(
    tooling: ToolingService, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "c.yaml"
    config.write_text(
        "run_log_store:\n  type: file-system\n  config:\n    log_folder: logs\n"
        "catalog:\n  type: file-system\n"
    )
    monkeypatch.setenv("RUNPLANE_RUN_LOG_STORE__CONFIG__LOG_FOLDER", "/from/env")
    monkeypatch.setenv("RUNPLANE_CATALOG__CONFIG__CATALOG_LOCATION", "/cat")
    values = {v.path: (v.value, v.source) for v in tooling.effective_config(str(config))}
    assert values["run_log_store.type"] == ("file-system", "file")
    assert values["run_log_store.config.log_folder"] == ("/from/env", "env")
    assert values["catalog.config.catalog_location"] == ("/cat", "env")
    assert values["executor.type"] == ("local", "default")
    assert values["executor.config.max_workers"] == (1, "default")


def test_effective_config_of_a_bad_file_is_a_configuration_error(
    tooling: ToolingService, tmp_path: Path
) -> None:
    config = tmp_path / "c.yaml"
    config.write_text("catalog:\n  type: file-system\n  config:\n    catalog_locaton: x\n")
    with pytest.raises(ConfigurationError, match=r"catalog\.config\.catalog_locaton"):
        tooling.effective_config(str(config))


@pytest.mark.parametrize(
    ("key", "value", "shown"),
    [
        ("token", SecretStr("t0k"), MASK),
        ("anything", SecretStr("x"), MASK),
        ("password", "hunter2", MASK),
        ("aws_secret_access_key", "abc", MASK),
        ("api_key", "abc", MASK),
        ("secret_name", "postgres", "postgres"),  # names a secret, is not one
        ("token_env", "VAULT_TOKEN", "VAULT_TOKEN"),
        ("password", "", ""),
    ],
)
def test_secret_values_are_masked(key: str, value: object, shown: object) -> None:
    assert mask_value(key, value) == shown


def test_adapters_are_listed_with_their_distribution(tooling: ToolingService) -> None:
    found = {(a.section, a.type): a for a in tooling.adapters()}
    local = found[("executor", "local")]
    assert local.distribution == "runplane"
    assert local.target == "runplane.adapters.executors.local:LocalExecutor"
    assert not local.error
    assert {("run_log_store", "file-system"), ("secrets", "vault")} <= set(found)
