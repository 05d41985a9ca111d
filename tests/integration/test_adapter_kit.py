"""The example in-house adapter package: installed into this venv, it passes our contract
suites and runs the seed example as `run_log_store: {type: sqlite}` through the CLI."""

import importlib.util
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.integration.conftest import REPO, Cli

pytestmark = pytest.mark.integration

PLUGIN = REPO / "examples" / "plugins" / "runplane-sqlite-runlog"
SEED = REPO / "examples" / "seed" / "pipeline.py"


def _pip(*args: str) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "pip", "--disable-pip-version-check", "-q", *args],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr


@pytest.fixture(scope="module")
def installed_plugin() -> Iterator[None]:
    """pip-install the package (no dependencies: runplane is already here), remove it after."""
    # Offline works when this venv can build it (setuptools older than 70.1 also needs wheel);
    # otherwise pip fetches a current setuptools into an isolated build environment.
    offline = importlib.util.find_spec("wheel") is not None
    isolation = ["--no-build-isolation"] if offline else []
    _pip("install", "--no-deps", *isolation, "-e", str(PLUGIN))
    try:
        yield
    finally:
        _pip("uninstall", "-y", "runplane-sqlite-runlog")


def test_plugin_passes_runplane_contract_suites(installed_plugin: None) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(PLUGIN / "tests")],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        cwd=PLUGIN,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert " passed" in done.stdout


def test_seed_runs_with_the_sqlite_run_log_store(
    installed_plugin: None, cli: Cli, workdir: Path
) -> None:
    (workdir / "sqlite.yaml").write_text(
        "run_log_store:\n  type: sqlite\n  config:\n    path: logs/runs.sqlite\n"
    )
    ran = cli("run", str(SEED), "-c", "sqlite.yaml", "--run-id", "sq1", env={"secret_key": "k"})
    assert ran.code == 0, ran.stderr
    assert "run log: logs/runs.sqlite#sq1" in ran.stderr
    assert (workdir / "logs" / "runs.sqlite").is_file()
    shown = cli("runs", "show", "sq1", "-c", "sqlite.yaml", "--json").json()
    assert shown["status"] == "success"
    assert list(shown["steps"]) == ["generate", "consume"]
    listed = cli("adapters", "list", "--json").json()
    sqlite = [a for a in listed if a["type"] == "sqlite"]
    assert sqlite[0]["distribution"] == "runplane-sqlite-runlog"
    assert sqlite[0]["section"] == "run_log_store"
    schema = cli("config", "schema", "--section", "run_log_store").json()
    assert "RunLogStoreSqlite" in schema["$defs"]
