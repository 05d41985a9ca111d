"""Fixtures for tests on real parts: the CLI in a subprocess, moto's S3 server, a fake Vault."""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.integration import fake_vault, moto_server, power_cut_fs

REPO = Path(__file__).resolve().parents[2]
PIPELINES = Path(__file__).parent / "pipelines"
RUNPLANE = str(Path(sys.executable).parent / "runplane")


@dataclass
class Result:
    code: int
    stdout: str
    stderr: str

    def json(self) -> Any:
        """The output parsed by a strict JSON parser (NaN or Infinity fail the test)."""
        return strict_json(self.stdout)


def strict_json(text: str) -> Any:
    """Parse JSON as JavaScript's JSON.parse or jq would: no NaN, Infinity or -Infinity."""
    return json.loads(text, parse_constant=_refuse_constant)


def _refuse_constant(constant: str) -> Any:
    raise ValueError(f"{constant} is not strict JSON")


Cli = Callable[..., Result]


@pytest.fixture
def workdir(tmp_path: Path) -> Path:
    work = tmp_path / "work"
    work.mkdir()
    return work


@pytest.fixture
def clean_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("RUNPLANE_")}
    env["COLUMNS"] = "200"  # rich tables must not wrap step names in assertions
    return env


@pytest.fixture
def cli(workdir: Path, clean_env: dict[str, str]) -> Cli:
    def run(*args: str, env: dict[str, str] | None = None, cwd: Path | None = None) -> Result:
        done = subprocess.run(
            [RUNPLANE, *args],
            cwd=cwd or workdir,
            env={**clean_env, **(env or {})},
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        return Result(done.returncode, done.stdout, done.stderr)

    return run


@pytest.fixture
def pipelines(workdir: Path) -> Path:
    """The test pipelines, copied into the scratch directory."""
    target = workdir / "pipelines"
    shutil.copytree(PIPELINES, target)
    return target


BUCKET = "runplane-test"
HAVE_MOTO = moto_server.moto_server_command() is not None and bool(importlib.util.find_spec("moto"))
HAVE_BOTO3 = importlib.util.find_spec("boto3") is not None
HAVE_HVAC = importlib.util.find_spec("hvac") is not None

needs_s3 = pytest.mark.skipif(
    not (HAVE_MOTO and HAVE_BOTO3),
    reason="needs boto3 and moto[server]: pip install -e '.[dev,s3]'",
)
needs_hvac = pytest.mark.skipif(not HAVE_HVAC, reason="needs hvac: pip install -e '.[vault]'")


@pytest.fixture(scope="session")
def moto_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """One moto server for the session; tests reset it through `s3_endpoint`."""
    if not (HAVE_MOTO and HAVE_BOTO3):
        pytest.skip("needs boto3 and moto[server]")
    log = tmp_path_factory.mktemp("moto") / "moto_server.log"
    with moto_server.running_moto(log) as url:
        yield url


@pytest.fixture
def aws_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """Test credentials only: no developer profile, no instance metadata, no proxy."""
    config = tmp_path / "aws-config"
    config.write_text("[profile runplane-test]\nregion = us-east-1\n")
    credentials = tmp_path / "aws-credentials"
    credentials.write_text(
        "[runplane-test]\naws_access_key_id = testing\naws_secret_access_key = testing\n"
    )
    env = {
        **moto_server.TEST_ENV,
        "AWS_CONFIG_FILE": str(config),
        "AWS_SHARED_CREDENTIALS_FILE": str(credentials),
        "NO_PROXY": "127.0.0.1,localhost",
    }
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return env


@pytest.fixture
def s3_endpoint(moto_url: str, aws_env: dict[str, str]) -> str:
    """A moto server with no buckets, and the environment set up to talk to it."""
    moto_server.reset(moto_url)
    return moto_url


@pytest.fixture
def s3_client(s3_endpoint: str) -> Any:
    """A plain boto3 client on the moto server, for arranging and inspecting state."""
    boto3 = pytest.importorskip("boto3")
    return boto3.client(
        "s3",
        endpoint_url=s3_endpoint,
        region_name="us-east-1",
        config=pytest.importorskip("botocore.config").Config(s3={"addressing_style": "path"}),
    )


@pytest.fixture
def bucket(s3_client: Any) -> str:
    s3_client.create_bucket(Bucket=BUCKET)
    return BUCKET


@pytest.fixture(scope="session")
def vault_server() -> Iterator[fake_vault.FakeVault]:
    """One fake Vault server for the session; `vault` gives each test fresh state."""
    fake = fake_vault.FakeVault()
    server, thread = fake_vault.start(fake)
    try:
        yield fake
    finally:
        fake_vault.stop(server, thread)


@pytest.fixture
def vault(
    vault_server: fake_vault.FakeVault, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> fake_vault.FakeVault:
    """The fake Vault, emptied; hvac's own VAULT_* defaults cleared so nothing leaks in."""
    fresh = fake_vault.FakeVault(url=vault_server.url)
    for name, value in vars(fresh).items():
        if name not in {"url", "_lock"}:
            setattr(vault_server, name, value)
    for name in ("VAULT_ADDR", "VAULT_TOKEN", "VAULT_NAMESPACE", "VAULT_SECRET_ID"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.setenv("HOME", str(tmp_path))  # hvac falls back to ~/.vault-token
    return vault_server


@pytest.fixture(scope="session")
def cut_fs_pool(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[list[power_cut_fs.PowerCutFs]]:
    """Two power-cut file systems (FUSE) for the session, one per core; skipped if none."""
    reason = power_cut_fs.unavailable()
    if reason:
        pytest.skip(reason)
    pool: list[power_cut_fs.PowerCutFs] = []
    try:
        for number in range(2):
            base = tmp_path_factory.mktemp(f"power-cut-{number}")
            fs = power_cut_fs.PowerCutFs(base / "mnt", base / "control.sock")
            try:
                fs.mount()
            except RuntimeError as exc:
                pytest.skip(f"cannot mount the power-cut file system here: {exc}")
            pool.append(fs)
        yield pool
    finally:
        for fs in pool:
            fs.unmount()


@pytest.fixture
def cut_fs(cut_fs_pool: list[power_cut_fs.PowerCutFs]) -> power_cut_fs.PowerCutFs:
    """A power-cut file system (FUSE) that forgets what was not synced when cut."""
    return cut_fs_pool[0]


@pytest.fixture
def cut_folder(cut_fs: power_cut_fs.PowerCutFs, request: pytest.FixtureRequest) -> Iterator[Path]:
    """A new folder on the power-cut file system, itself durable; the power is back after."""
    folder = cut_fs.mountpoint / f"{request.node.name}-{os.urandom(3).hex()}"
    folder.mkdir()
    power_cut_fs.fsync(cut_fs.mountpoint)
    try:
        yield folder
    finally:
        cut_fs.reboot()
