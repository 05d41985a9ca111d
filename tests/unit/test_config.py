import json
import os
from pathlib import Path

import pytest
from dependency_injector import providers

from runplane import Pipeline, PythonTask
from runplane.adapters.catalogs.do_nothing import DoNothingCatalog
from runplane.adapters.catalogs.file_system import FileSystemCatalog
from runplane.adapters.executors.argo import ArgoExecutor
from runplane.adapters.executors.local import LocalExecutor
from runplane.adapters.executors.local_subprocess import LocalSubprocessExecutor
from runplane.adapters.run_log_stores.buffered import BufferedRunLogStore
from runplane.adapters.run_log_stores.file_system import FileSystemRunLogStore
from runplane.adapters.secrets.env import EnvSecrets
from runplane.app.config import load_settings
from runplane.app.container import create_container
from runplane.domain.errors import ConfigurationError
from tests.fakes import DictSecrets

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("RUNPLANE_CONFIGURATION_FILE", "RUNPLANE_RUN_LOG_STORE__CONFIG__LOG_FOLDER"):
        monkeypatch.delenv(name, raising=False)


def write(tmp_path: Path, text: str) -> str:
    path = tmp_path / "config.yaml"
    path.write_text(text)
    return str(path)


def test_no_file_gives_the_embedded_default() -> None:
    c = create_container()
    assert isinstance(c.executor(), LocalExecutor)
    assert isinstance(c.run_log_store(), FileSystemRunLogStore)
    assert isinstance(c.catalog(), FileSystemCatalog)
    assert isinstance(c.secrets(), EnvSecrets)


def test_local_yaml_spells_out_the_default() -> None:
    settings, _ = load_settings(str(REPO / "config" / "local.yaml"))
    default, _ = load_settings()
    assert settings.model_dump() == default.model_dump()


def test_design_md_argo_example_loads() -> None:
    c = create_container(str(REPO / "config" / "argo.yaml"))
    executor = c.executor()
    assert isinstance(executor, ArgoExecutor)
    assert executor._config.persistent_volumes[0].mount_path == "/mnt"
    assert executor._config.secrets_from_k8s[0].secret_name == "postgres"


def test_sections_the_file_omits_keep_their_defaults(tmp_path: Path) -> None:
    c = create_container(write(tmp_path, "run_log_store: {type: buffered}\n"))
    assert isinstance(c.run_log_store(), BufferedRunLogStore)
    assert isinstance(c.catalog(), FileSystemCatalog)


def test_in_memory_config(tmp_path: Path) -> None:
    c = create_container(str(REPO / "config" / "in-memory.yaml"))
    assert isinstance(c.catalog(), DoNothingCatalog)


def test_missing_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match=r"configuration file '.*nope\.yaml' not found"):
        create_container(str(tmp_path / "nope.yaml"))


def test_unknown_type_lists_the_valid_ones(tmp_path: Path) -> None:
    path = write(tmp_path, "run_log_store:\n  type: s4\n")
    with pytest.raises(ConfigurationError) as caught:
        create_container(path)
    message = str(caught.value)
    assert "config.yaml" in message
    assert "run_log_store: unknown type 's4'" in message
    assert "valid types: buffered, chunked-fs, file-system" in message


def test_unknown_key_in_a_section_names_key_and_valid_keys(tmp_path: Path) -> None:
    path = write(tmp_path, "run_log_store:\n  type: file-system\n  config:\n    log_foldr: x\n")
    with pytest.raises(
        ConfigurationError,
        match=r"run_log_store\.config\.log_foldr: unknown key for type 'file-system'; "
        r"valid keys: log_folder",
    ):
        create_container(path)


def test_unknown_key_beside_type_and_config(tmp_path: Path) -> None:
    path = write(tmp_path, "catalog:\n  type: do-nothing\n  settings: {}\n")
    with pytest.raises(ConfigurationError, match=r"catalog: unknown key.*settings"):
        create_container(path)


def test_unknown_section_lists_the_sections(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match=r"unknown section 'run_log_stor'.*valid sections"):
        create_container(write(tmp_path, "run_log_stor: {type: buffered}\n"))


def test_malformed_yaml_names_the_line(tmp_path: Path) -> None:
    path = write(tmp_path, "executor:\n  type: local\n catalog: [\n")
    with pytest.raises(ConfigurationError, match=r"not valid YAML at line 3"):
        create_container(path)


def test_file_that_is_not_a_mapping(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="must be a mapping"):
        create_container(write(tmp_path, "- a\n- b\n"))


def test_missing_required_key_is_named(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match=r"executor\.config\.image: Field required"):
        create_container(write(tmp_path, "executor: {type: argo, config: {}}\n"))


def test_missing_type_lists_valid_types(tmp_path: Path) -> None:
    with pytest.raises(
        ConfigurationError, match=r"secrets\.type is required; valid types: .*dotenv"
    ):
        create_container(write(tmp_path, "secrets: {config: {}}\n"))


def test_environment_overrides_the_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write(
        tmp_path, "run_log_store:\n  type: file-system\n  config: {log_folder: from-file}\n"
    )
    monkeypatch.setenv("RUNPLANE_RUN_LOG_STORE__CONFIG__LOG_FOLDER", "from-env")
    store = create_container(path).run_log_store()
    assert store.location("r") == str(Path("from-env") / "r")


def test_configuration_file_variable_names_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(
        "RUNPLANE_CONFIGURATION_FILE", write(tmp_path, "run_log_store: {type: buffered}\n")
    )
    assert isinstance(create_container().run_log_store(), BufferedRunLogStore)


def test_parameter_variables_do_not_disturb_configuration(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RUNPLANE_PRM_x", "1")
    assert isinstance(create_container().executor(), LocalExecutor)


def test_container_ports_can_be_overridden_with_fakes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    c = create_container()
    fake = DictSecrets({"a": "from the fake"})
    seen = {}

    def read_secret() -> None:
        seen["a"] = os.environ["a"]

    with c.secrets.override(providers.Object(fake)):
        c.service().run(Pipeline([PythonTask(read_secret, secrets=["a"])]).graph)
    assert seen == {"a": "from the fake"}
    assert fake.asked == ["a", "a"]  # checked before the run, then given to the step


def test_one_key_from_the_environment_merges_into_the_default_section(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("RUNPLANE_RUN_LOG_STORE__CONFIG__LOG_FOLDER", str(tmp_path / "logs"))
    store = create_container().run_log_store()
    assert isinstance(store, FileSystemRunLogStore)
    assert store.location("r") == str(tmp_path / "logs" / "r")


@pytest.mark.parametrize(
    ("variable", "value", "expected"),
    [
        ("RUNPLANE_EXECUTOR", "not json", "RUNPLANE_EXECUTOR is not valid JSON"),
        ("RUNPLANE_SECRETS", "[1, 2]", "RUNPLANE_SECRETS must be a JSON object"),
        ("runplane_run_log_store", "{bad", "runplane_run_log_store is not valid JSON"),
    ],
)
def test_a_section_variable_that_is_not_a_json_object_is_named(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str, expected: str
) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(ConfigurationError, match=expected):
        load_settings()


def test_a_section_variable_holding_a_json_object_still_applies(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("RUNPLANE_EXECUTOR", '{"type": "local-subprocess"}')
    settings, _ = load_settings()
    assert settings.executor.as_written() == {"type": "local-subprocess"}
    assert isinstance(settings.executor.adapter_config, LocalSubprocessExecutor.Config)


def test_a_whole_section_of_another_type_from_the_environment_replaces_the_section(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """As an Argo pod gets its store: no file, RUNPLANE_RUN_LOG_STORE of another type."""
    s3 = {"type": "s3", "config": {"bucket": "runs", "prefix": "logs/"}}
    monkeypatch.setenv("RUNPLANE_RUN_LOG_STORE", json.dumps(s3))
    assert load_settings()[0].sections()["run_log_store"] == s3
    path = write(tmp_path, "run_log_store: {type: file-system, config: {log_folder: here}}\n")
    assert load_settings(path)[0].sections()["run_log_store"] == s3
    monkeypatch.setenv("RUNPLANE_RUN_LOG_STORE", '{"type": "file-system", "config": {}}')
    same_type = load_settings(path)[0].run_log_store  # keys of the same adapter still merge
    assert same_type.as_written() == {"type": "file-system", "config": {"log_folder": "here"}}


def test_a_section_error_names_the_variables_that_set_it(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("RUNPLANE_EXECUTOR__TYPE", "bogus")
    path = write(tmp_path, "executor: {type: local}\n")
    with pytest.raises(ConfigurationError) as caught:
        load_settings(path)
    assert str(caught.value) == (
        f"configuration file '{path}': executor: unknown type 'bogus'; valid types: argo, "
        "local, local-subprocess, mocked (set by RUNPLANE_EXECUTOR__TYPE)"
    )
