"""The seed example through the CLI, in a subprocess, on S3 (moto) and Vault (fake) configs.

The shipped files in config/ are used as they are; only the endpoints are pointed at the
loopback servers with RUNPLANE_* variables, as a user would point them at a staging stack.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.integration.conftest import needs_hvac, needs_s3
from tests.integration.fake_vault import FakeVault

pytestmark = [pytest.mark.integration, needs_s3, needs_hvac]

ROOT = Path(__file__).resolve().parents[2]
SEED = ROOT / "examples" / "seed" / "pipeline.py"
VAULT_VALUE = "value-from-vault-7f3a"


def runplane(cwd: Path, env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    command = [str(Path(sys.executable).with_name("runplane")), *args]
    done = subprocess.run(
        command, cwd=cwd, env=env, capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, f"{args} failed:\n{done.stdout}\n{done.stderr}"
    return done


def seed_folder(tmp_path: Path, name: str) -> Path:
    folder = tmp_path / name
    folder.mkdir()
    shutil.copy(SEED, folder / "pipeline.py")
    return folder


def comparable(run_log: dict[str, Any]) -> dict[str, Any]:
    """What must not depend on where the run was recorded: steps, returns, hashes."""
    steps = {}
    for path, step in run_log["steps"].items():
        steps[path] = {
            "kind": step["kind"],
            "status": step["status"],
            "attempts": [(a["number"], a["status"]) for a in step["attempts"]],
            "parameters": step["parameters"],
            "returns": step["returns"],
            "metrics": step["metrics"],
            "data_catalog": step["data_catalog"],
        }
    return {"status": run_log["status"], "parameters": run_log["parameters"], "steps": steps}


@pytest.fixture
def cloud_env(s3_endpoint: str, s3_client: Any, vault: FakeVault) -> dict[str, str]:
    s3_client.create_bucket(Bucket="team-runs")
    s3_client.create_bucket(Bucket="team-data")
    vault.write("secret", "team/pipeline", {"secret_key": VAULT_VALUE})
    env = {k: v for k, v in os.environ.items() if not k.startswith(("RUNPLANE_", "VAULT_"))}
    env.pop("secret_key", None)
    env["VAULT_TOKEN"] = vault.root_token
    # Variables merge into the file's sections; each config gets only its sections' ones.
    env["S3_ENDPOINT"] = s3_endpoint
    env["VAULT_URL"] = vault.url
    return env


def point_at_servers(env: dict[str, str], config: str) -> dict[str, str]:
    env = dict(env)
    if config in {"s3.yaml", "team.yaml"}:
        env["RUNPLANE_RUN_LOG_STORE__CONFIG__ENDPOINT_URL"] = env["S3_ENDPOINT"]
        env["RUNPLANE_CATALOG__CONFIG__ENDPOINT_URL"] = env["S3_ENDPOINT"]
    if config in {"vault.yaml", "team.yaml"}:
        env["RUNPLANE_SECRETS__CONFIG__URL"] = env["VAULT_URL"]
    else:
        env["secret_key"] = "env-secret"  # s3.yaml keeps the default env secrets
    return env


@pytest.fixture
def local_run(tmp_path: Path) -> dict[str, Any]:
    folder = seed_folder(tmp_path, "local")
    env = {k: v for k, v in os.environ.items() if not k.startswith("RUNPLANE_")}
    env["secret_key"] = "local-secret"
    runplane(folder, env, "run", "pipeline.py", "--run-id", "local-1")
    shown = runplane(folder, env, "runs", "show", "local-1", "--json")
    return comparable(json.loads(shown.stdout))


@pytest.mark.parametrize("config", ["s3.yaml", "team.yaml", "vault.yaml"])
def test_seed_run_log_matches_the_local_run(
    config: str,
    cloud_env: dict[str, str],
    local_run: dict[str, Any],
    s3_client: Any,
    tmp_path: Path,
) -> None:
    folder = seed_folder(tmp_path, "cloud")
    cloud_env = point_at_servers(cloud_env, config)
    config_file = str(ROOT / "config" / config)
    runplane(folder, cloud_env, "run", "pipeline.py", "-c", config_file, "--run-id", "cloud-1")
    shown = runplane(folder, cloud_env, "runs", "show", "cloud-1", "--json", "-c", config_file)
    assert VAULT_VALUE not in shown.stdout
    assert comparable(json.loads(shown.stdout)) == local_run
    assert local_run["steps"]["generate"]["returns"] == {"x": 3, "y": 4}
    listed = runplane(folder, cloud_env, "runs", "list", "-c", config_file)
    assert "cloud-1" in listed.stdout
    if config != "vault.yaml":
        # `runs list` keeps an index of finished runs' summaries beside the run folders.
        assert sorted(keys(s3_client, "team-runs")) == [
            "run_logs/.runs-index.json",
            "run_logs/cloud-1/run.json",
            "run_logs/cloud-1/steps/consume.json",
            "run_logs/cloud-1/steps/generate.json",
        ]
        # The file the seed puts, and what `consume` printed (its captured output); each
        # also kept as a version by its sha256 (what a retry restores).
        data = sorted(keys(s3_client, "team-data"))
        assert [key for key in data if not key.startswith("catalog/.versions/")] == [
            "catalog/cloud-1/data.csv",
            "catalog/cloud-1/logs/consume/attempt-1.log",
        ]
        assert len([key for key in data if key.startswith("catalog/.versions/")]) == 2
        assert not (folder / ".run_log_store").exists()


def keys(s3_client: Any, bucket: str) -> list[str]:
    return [o["Key"] for o in s3_client.list_objects_v2(Bucket=bucket).get("Contents", [])]


def test_missing_vault_secret_stops_the_run_before_any_step(
    cloud_env: dict[str, str], vault: FakeVault, s3_client: Any, tmp_path: Path
) -> None:
    vault.write("secret", "team/pipeline", {"other": "x"})
    folder = seed_folder(tmp_path, "cloud")
    command = [str(Path(sys.executable).with_name("runplane")), "run", "pipeline.py"]
    config_file = str(ROOT / "config" / "team.yaml")
    done = subprocess.run(
        [*command, "-c", config_file, "--run-id", "c2"],
        cwd=folder,
        env=point_at_servers(cloud_env, "team.yaml"),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode != 0
    assert "Traceback" not in done.stderr
    assert "step 'generate' needs a secret" in " ".join(done.stderr.split())
    assert "secret_key" in done.stderr
    assert "team/pipeline" in done.stderr
    assert keys(s3_client, "team-data") == []
