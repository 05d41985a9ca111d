"""Configuration and wiring of the S3 and Vault adapters (no servers, no network)."""

from __future__ import annotations

import importlib
import sys
from typing import Any

import pytest

from runplane.adapters.catalogs.s3 import S3Catalog, S3CatalogConfig
from runplane.adapters.run_log_stores.s3 import S3RunLogStore, S3RunLogStoreConfig
from runplane.adapters.secrets.vault import AppRoleAuth, VaultSecrets, VaultSecretsConfig
from runplane.app import plugins
from runplane.domain.errors import ConfigurationError

ADAPTER_MODULES = [
    "runplane.adapters._shared.s3",
    "runplane.adapters.run_log_stores.s3",
    "runplane.adapters.catalogs.s3",
    "runplane.adapters.secrets.vault",
]


@pytest.mark.parametrize(
    ("section", "type_name", "config", "cls"),
    [
        ("run_log_store", "s3", {"bucket": "team-runs"}, S3RunLogStore),
        ("catalog", "s3", {"bucket": "team-data", "multipart_threshold": 16777216}, S3Catalog),
        ("secrets", "vault", {"url": "http://127.0.0.1:1", "path": "team/p"}, VaultSecrets),
    ],
)
def test_registered_and_built_without_any_io(
    section: str, type_name: str, config: dict[str, Any], cls: type
) -> None:
    # Port 1 on loopback and no credentials: building must not touch either.
    adapter = plugins.build(section, {"type": type_name, "config": config}, "test.yaml")
    assert isinstance(adapter, cls)


def test_misspelt_s3_key_is_named_with_the_valid_ones() -> None:
    raw = {"type": "s3", "config": {"bucket": "team-runs", "endpoint": "http://x"}}
    with pytest.raises(ConfigurationError, match=r"run_log_store\.config\.endpoint.*endpoint_url"):
        plugins.build("run_log_store", raw, "test.yaml")


@pytest.mark.parametrize(
    ("given", "normalised"),
    [("", ""), ("run_logs", "run_logs/"), ("/run_logs/", "run_logs/"), ("a/b/", "a/b/")],
)
def test_prefix_is_a_folder(given: str, normalised: str) -> None:
    assert S3RunLogStoreConfig(bucket="team-runs", prefix=given).prefix == normalised


def test_s3_locations_are_urls() -> None:
    store = S3RunLogStore(S3RunLogStoreConfig(bucket="team-runs", prefix="logs"))
    catalog = S3Catalog(S3CatalogConfig(bucket="team-data"))
    assert store.location("r1") == "s3://team-runs/logs/r1/"
    assert catalog.location("r1") == "s3://team-data/r1/"


@pytest.mark.parametrize(
    "config",
    [
        {"bucket": "b"},  # S3 bucket names have 3 to 63 characters
        {"bucket": "team-data", "multipart_threshold": 1024},  # S3's part minimum is 5 MiB
        {"bucket": "team-data", "addressing_style": "sideways"},
        {"bucket": "team-data", "max_attempts": 0},
    ],
)
def test_invalid_s3_settings_are_refused(config: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match="validation error"):
        S3CatalogConfig.model_validate(config)


def test_vault_auth_is_chosen_by_method() -> None:
    config = VaultSecretsConfig.model_validate(
        {"path": "p", "auth": {"method": "approle", "role_id": "r"}}
    )
    assert isinstance(config.auth, AppRoleAuth)
    assert config.auth.secret_id_env == "VAULT_SECRET_ID"
    assert VaultSecretsConfig(path="p").auth.method == "token"


@pytest.mark.parametrize(
    "config",
    [
        {"path": "p", "auth": {"method": "token", "token": "hvs.secret"}},  # never in a file
        {"path": "p", "auth": {"method": "approle", "role_id": "r", "secret_id": "s"}},
        {"path": "p", "auth": {"method": "ldap"}},
        {"path": "p", "kv_version": 3},
        {"path": ""},
    ],
)
def test_invalid_vault_settings_are_refused(config: dict[str, Any]) -> None:
    with pytest.raises(ValueError, match="validation error"):
        VaultSecretsConfig.model_validate(config)


def test_adapter_modules_import_without_the_sdks(monkeypatch: pytest.MonkeyPatch) -> None:
    for sdk in ("boto3", "botocore", "hvac"):
        monkeypatch.setitem(sys.modules, sdk, None)  # makes `import <sdk>` fail
    for name in ADAPTER_MODULES:
        monkeypatch.delitem(sys.modules, name)
    for name in ADAPTER_MODULES:
        importlib.import_module(name)


def test_missing_boto3_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "boto3", None)
    store = S3RunLogStore(S3RunLogStoreConfig(bucket="team-runs"))
    with pytest.raises(ConfigurationError, match=r"pip install 'runplane\[s3\]'"):
        store.list_runs()


def test_missing_hvac_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "hvac", None)
    secrets = VaultSecrets(VaultSecretsConfig(url="http://127.0.0.1:1", path="p"))
    with pytest.raises(ConfigurationError, match=r"pip install 'runplane\[vault\]'"):
        secrets.get("x")
