import functools
from collections.abc import Callable
from pathlib import Path

import pytest

from runplane.adapters.catalogs.do_nothing import DoNothingCatalog
from runplane.adapters.catalogs.file_system import FileSystemCatalog, FileSystemCatalogConfig
from runplane.adapters.run_log_stores.buffered import BufferedRunLogStore
from runplane.adapters.run_log_stores.chunked_fs import (
    ChunkedFileSystemRunLogStore,
    ChunkedFileSystemRunLogStoreConfig,
)
from runplane.adapters.run_log_stores.file_system import (
    FileSystemRunLogStore,
    FileSystemRunLogStoreConfig,
)
from runplane.adapters.secrets.do_nothing import DoNothingSecrets
from runplane.adapters.secrets.dotenv import DotenvSecrets, DotenvSecretsConfig
from runplane.adapters.secrets.env import EnvSecrets, EnvSecretsConfig
from runplane.domain.errors import SecretError, SecretNotFoundError
from runplane.domain.run_log import Status
from runplane.ports.catalog import Catalog
from runplane.ports.run_log_store import RunLogStore
from runplane.ports.secrets import Secrets
from runplane.testing.catalog import CatalogContract, CatalogStorageContract
from runplane.testing.leases import RunLeasesContract
from runplane.testing.run_log_store import (
    RunLogStoreConcurrencyContract,
    RunLogStoreContract,
    make_run,
    make_step,
)
from runplane.testing.secrets import SecretsContract
from tests.fakes import DictSecrets, MemoryCatalog


class TestBufferedRunLogStore(RunLogStoreContract, RunLeasesContract):
    @pytest.fixture
    def store(self) -> RunLogStore:
        return BufferedRunLogStore()


class TestFileSystemRunLogStore(RunLogStoreContract, RunLeasesContract):
    @pytest.fixture
    def store(self, tmp_path: Path) -> RunLogStore:
        return FileSystemRunLogStore(FileSystemRunLogStoreConfig(log_folder=str(tmp_path / "logs")))


class TestChunkedFileSystemRunLogStore(RunLogStoreContract, RunLeasesContract):
    @pytest.fixture
    def store(self, tmp_path: Path) -> RunLogStore:
        return ChunkedFileSystemRunLogStore(
            ChunkedFileSystemRunLogStoreConfig(log_folder=str(tmp_path / "logs"))
        )


class TestFileSystemCatalog(CatalogStorageContract):
    @pytest.fixture
    def catalog(self, tmp_path: Path) -> Catalog:
        return FileSystemCatalog(FileSystemCatalogConfig(catalog_location=str(tmp_path / "cat")))


class TestMemoryCatalogFake(CatalogStorageContract):
    @pytest.fixture
    def catalog(self) -> Catalog:
        return MemoryCatalog()


class TestDoNothingCatalog(CatalogContract):
    @pytest.fixture
    def catalog(self) -> Catalog:
        return DoNothingCatalog()


class TestDoNothingSecrets(SecretsContract):
    @pytest.fixture
    def known(self) -> dict[str, str]:
        return {}

    @pytest.fixture
    def secrets(self) -> Secrets:
        return DoNothingSecrets()

    def test_known_secrets_have_their_values(self, secrets: Secrets, known: dict[str, str]) -> None:
        """It holds none: every name, even a common one, is not found."""
        for name in ("api_key", "password", "HOME"):
            with pytest.raises(SecretNotFoundError, match=name):
                secrets.get(name)


class TestEnvSecrets(SecretsContract):
    @pytest.fixture
    def known(self) -> dict[str, str]:
        return {"db_password": "hunter2", "token": "t0k=n with spaces"}

    @pytest.fixture
    def secrets(self, monkeypatch: pytest.MonkeyPatch, known: dict[str, str]) -> Secrets:
        for name, value in known.items():
            monkeypatch.setenv(f"APP_{name}", value)
        monkeypatch.setenv("no_such_secret_zz", "unprefixed must not count")
        return EnvSecrets(EnvSecretsConfig(prefix="APP_"))


class TestDotenvSecrets(SecretsContract):
    @pytest.fixture
    def known(self) -> dict[str, str]:
        return {"api_key": "abc#123", "quoted": "two words"}

    @pytest.fixture
    def secrets(self, tmp_path: Path) -> Secrets:
        env = tmp_path / "team.env"
        env.write_text("# a comment\napi_key='abc#123'\nexport quoted=\"two words\"\n")
        return DotenvSecrets(DotenvSecretsConfig(location=str(env)))


class TestDictSecretsFake(SecretsContract):
    @pytest.fixture
    def known(self) -> dict[str, str]:
        return {"a": "1"}

    @pytest.fixture
    def secrets(self, known: dict[str, str]) -> Secrets:
        return DictSecrets(known)


def test_chunked_store_writes_one_file_per_step(tmp_path: Path) -> None:
    store = ChunkedFileSystemRunLogStore(
        ChunkedFileSystemRunLogStoreConfig(log_folder=str(tmp_path))
    )
    store.create_run(make_run())
    for name in ("a", "b", "c"):
        store.put_step("run-1", make_step(name))
    assert sorted(p.name for p in (tmp_path / "run-1" / "steps").iterdir()) == [
        "a.json",
        "b.json",
        "c.json",
    ]
    assert not list(tmp_path.rglob("*.tmp"))  # no temp files left behind


def test_dotenv_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    secrets = DotenvSecrets(DotenvSecretsConfig(location=str(tmp_path / "absent.env")))
    with pytest.raises(SecretError, match=r"absent\.env.*not found"):
        secrets.get("x")


def test_file_system_store_survives_a_torn_journal_line(tmp_path: Path) -> None:
    store = FileSystemRunLogStore(FileSystemRunLogStoreConfig(log_folder=str(tmp_path)))
    store.create_run(make_run())
    store.put_step("run-1", make_step("a"))
    journal = tmp_path / "run-1" / "steps.jsonl"
    with journal.open("ab") as f:  # a writer killed half-way through a record
        f.write(b'{"path": "b", "kind": "ta')
    assert list(store.get_run("run-1").steps) == ["a"]
    later = FileSystemRunLogStore(FileSystemRunLogStoreConfig(log_folder=str(tmp_path)))
    later.put_step("run-1", make_step("c", "2026-01-01T00:00:09.000000+00:00"))
    assert list(later.get_run("run-1").steps) == ["a", "c"]


def test_file_system_journal_writes_into_zeroed_space_and_is_trimmed_at_the_end(
    tmp_path: Path,
) -> None:
    config = FileSystemRunLogStoreConfig(log_folder=str(tmp_path))
    store = FileSystemRunLogStore(config)
    run = make_run()
    store.create_run(run)
    store.put_step("run-1", make_step("a"))
    journal = tmp_path / "run-1" / "steps.jsonl"
    assert journal.read_bytes().endswith(b"\0")  # room for the next records, already synced
    other = FileSystemRunLogStore(config)  # a second writer (another process) finds the end
    other.put_step("run-1", make_step("b", "2026-01-01T00:00:02.000000+00:00"))
    store.put_step("run-1", make_step("c", "2026-01-01T00:00:03.000000+00:00"))
    assert list(other.get_run("run-1").steps) == ["a", "b", "c"]
    run.status = Status.SUCCESS
    store.update_run(run)
    data = journal.read_bytes()
    assert b"\0" not in data
    assert data.count(b"\n") == 3


class TestFileSystemStoreConcurrency(RunLogStoreConcurrencyContract):
    @pytest.fixture
    def store_factory(self, tmp_path: Path) -> Callable[[], RunLogStore]:
        config = FileSystemRunLogStoreConfig(log_folder=str(tmp_path))
        return functools.partial(FileSystemRunLogStore, config)


class TestChunkedStoreConcurrency(RunLogStoreConcurrencyContract):
    @pytest.fixture
    def store_factory(self, tmp_path: Path) -> Callable[[], RunLogStore]:
        config = ChunkedFileSystemRunLogStoreConfig(log_folder=str(tmp_path))
        return functools.partial(ChunkedFileSystemRunLogStore, config)
