"""Typed construction: a validated section becomes its port's adapter, or a one-line error."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any, ClassVar, Literal

import pytest
from pydantic import BaseModel, ConfigDict

from runplane.adapters.catalogs.do_nothing import DoNothingCatalog
from runplane.adapters.executors.local import LocalExecutor
from runplane.adapters.run_log_stores.buffered import BufferedRunLogStore
from runplane.adapters.secrets.env import EnvSecrets
from runplane.app import plugins
from runplane.app.config import load_settings
from runplane.app.config_sections import AdapterSection, check_section, section_model
from runplane.domain.errors import ConfigurationError
from runplane.ports.executor import Executor


def test_build_port_returns_each_ports_adapter(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    path.write_text("run_log_store: {type: buffered}\ncatalog: {type: do-nothing}\n")
    settings, source = load_settings(str(path))
    executor: Executor = plugins.build_port(plugins.EXECUTOR, settings.executor, source)
    assert isinstance(executor, LocalExecutor)
    store = plugins.build_port(plugins.RUN_LOG_STORE, settings.run_log_store, source)
    assert isinstance(store, BufferedRunLogStore)
    assert isinstance(
        plugins.build_port(plugins.CATALOG, settings.catalog, source), DoNothingCatalog
    )
    assert isinstance(plugins.build_port(plugins.SECRETS, settings.secrets, source), EnvSecrets)


def test_a_section_of_another_port_is_refused() -> None:
    settings, source = load_settings()
    with pytest.raises(
        ConfigurationError, match="a 'catalog' section cannot configure the executor port"
    ):
        plugins.build_port(plugins.EXECUTOR, settings.catalog, source)


def test_the_section_gets_the_adapters_config_with_its_defaults() -> None:
    settings, _ = load_settings()
    assert settings.executor.config is None  # `config:` left out
    assert settings.executor.adapter_config == LocalExecutor.Config()
    assert type(settings.run_log_store).adapter_class.__name__ == "FileSystemRunLogStore"


class _NotASecretsStore:
    """Configurable, but has no `get`."""

    class Config(BaseModel):
        model_config = ConfigDict(extra="forbid")

    def __init__(self, config: Config) -> None:
        self.config = config


class _Section(AdapterSection):
    section: ClassVar[str] = "secrets"
    type_name: ClassVar[str] = "not-secrets"
    adapter_class: ClassVar[type] = _NotASecretsStore
    type: Literal["not-secrets"]


def test_an_adapter_missing_its_ports_methods_is_named() -> None:
    with pytest.raises(
        ConfigurationError,
        match=r"f\.yaml: secrets type 'not-secrets' does not implement "
        r"Secrets: missing get",
    ):
        plugins.build_port(plugins.SECRETS, _Section(type="not-secrets"), "f.yaml")


def test_the_thin_wrapper_still_builds_from_a_raw_section() -> None:
    raw: dict[str, Any] = {"type": "buffered"}
    assert isinstance(plugins.build("run_log_store", raw, "f.yaml"), BufferedRunLogStore)
    with pytest.raises(ConfigurationError, match=r"f\.yaml: run_log_store: unknown type 's4'"):
        plugins.build("run_log_store", {"type": "s4"}, "f.yaml")


def test_the_validated_section_keeps_what_was_written() -> None:
    raw: dict[str, Any] = {"type": "file-system", "config": {"log_folder": "logs"}}
    typed = check_section("run_log_store", raw)
    raw["config"]["log_folder"] = "changed later"
    assert typed.as_written() == {"type": "file-system", "config": {"log_folder": "logs"}}
    assert isinstance(typed, section_model("run_log_store", "file-system"))


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ([], "executor must be a mapping with 'type' and 'config'"),
        ({"type": "local", "extra": 1}, "executor: unknown key(s) extra; a section has"),
        ({"type": "local", "config": [1]}, "executor.config: Input should be"),
        ({"type": "local", "config": {"max_workers": "many"}}, "executor.config.max_workers: "),
    ],
)
def test_section_errors_are_one_line_naming_the_key(raw: object, expected: str) -> None:
    with pytest.raises(ConfigurationError) as caught:
        plugins.build("executor", raw, "f.yaml")  # type: ignore[arg-type]
    message = str(caught.value)
    assert message.startswith(f"f.yaml: {expected}")
    assert "\n" not in message


def test_loading_imports_only_the_configured_adapters() -> None:
    """Validation reads the discriminator first; the schema's whole union is never built.

    A fresh process, as each step's is: this one has imported every adapter already.
    """
    code = (
        "import sys; from runplane.app.config import load_settings; load_settings(); "
        "print(sorted(m for m in sys.modules if m.startswith('runplane.adapters.')))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=os.environ
    )
    imported = done.stdout
    assert "runplane.adapters.executors.local'" in imported
    for other in ("executors.argo", "run_log_stores.s3", "secrets.vault", "catalogs.s3"):
        assert f"runplane.adapters.{other}" not in imported, other
