"""Vault failing under a run: an expired token (403), a sealed server (503), no server.

Each gives an error naming the server and the auth method; during a run the step fails
cleanly: its function never runs, and no secret is left set for what runs next.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from runplane.adapters.secrets.vault import VaultSecrets, VaultSecretsConfig
from runplane.domain.errors import SecretError
from tests.integration.conftest import Cli, needs_hvac
from tests.integration.fake_vault import FakeVault
from tests.integration.moto_server import free_port

pytestmark = [pytest.mark.integration, needs_hvac]

VALUES = {"alpha": "alpha-value-91c2", "beta": "beta-value-5d7e"}


def secrets_at(url: str, **auth: Any) -> VaultSecrets:
    config = {
        "url": url,
        "path": "team/pipeline",
        "timeout": 2,
        "auth": auth or {"method": "token"},
    }
    return VaultSecrets(VaultSecretsConfig.model_validate(config))


@pytest.fixture
def token(vault: FakeVault, monkeypatch: pytest.MonkeyPatch) -> str:
    vault.write("secret", "team/pipeline", VALUES)
    monkeypatch.setenv("VAULT_TOKEN", vault.root_token)
    return vault.root_token


@pytest.mark.usefixtures("token")
def test_token_expiring_between_reads_names_server_and_method(vault: FakeVault) -> None:
    secrets = secrets_at(vault.url)
    assert secrets.get("alpha") == VALUES["alpha"]
    vault.fail_after, vault.failure = len(vault.seen), "expired"
    with pytest.raises(SecretError) as raised:
        secrets.get("beta")
    message = str(raised.value)
    assert f"Vault at {vault.url} denied reading" in message
    assert "secret/team/pipeline" in message
    assert "token auth" in message
    assert "expired" in message
    assert VALUES["beta"] not in message


@pytest.mark.usefixtures("token")
@pytest.mark.parametrize("fail_after", [0, 1], ids=["at-login", "at-read"])
def test_sealed_vault_names_server_and_method(vault: FakeVault, fail_after: int) -> None:
    vault.fail_after = fail_after
    with pytest.raises(SecretError, match=r"sealed or unavailable \(503\)") as raised:
        secrets_at(vault.url).get("alpha")
    assert f"Vault at {vault.url}" in str(raised.value)
    assert "token auth" in str(raised.value)


def test_sealed_vault_at_approle_login_names_role(
    vault: FakeVault, monkeypatch: pytest.MonkeyPatch
) -> None:
    vault.approles["role-1"] = "sid"
    monkeypatch.setenv("VAULT_SECRET_ID", "sid")
    vault.fail_after = 0
    with pytest.raises(SecretError, match=r"approle auth could not log in.*role_id 'role-1'"):
        secrets_at(vault.url, method="approle", role_id="role-1").get("alpha")


@pytest.mark.usefixtures("token")
def test_unreachable_vault_names_server_and_method() -> None:
    url = f"http://127.0.0.1:{free_port()}"
    with pytest.raises(SecretError) as raised:
        secrets_at(url).get("alpha")
    assert f"cannot reach Vault at {url} (token auth)" in str(raised.value)
    assert "secret/team/pipeline" in str(raised.value)


def write_config(folder: Path, url: str) -> None:
    section = {"url": url, "path": "team/pipeline", "timeout": 2}
    (folder / "vault.yaml").write_text(
        json.dumps({"secrets": {"type": "vault", "config": section}})
    )


@pytest.mark.parametrize(
    ("failure", "expected"),
    [("expired", "denied reading"), ("sealed", "sealed or unavailable (503)")],
)
@pytest.mark.usefixtures("token")
def test_vault_failing_mid_run_fails_the_step_cleanly(
    cli: Cli, vault: FakeVault, pipelines: Path, failure: str, expected: str
) -> None:
    write_config(pipelines.parent, vault.url)
    # Requests: token lookup, the preflight's two reads, `first`'s read, `both`'s first
    # read; `both`'s second read is the first to fail.
    vault.fail_after, vault.failure = 5, failure
    done = cli(
        "run", "pipelines/two_secrets.py", "-c", "vault.yaml", "--run-id", "v1",
        env={"VAULT_TOKEN": vault.root_token},
    )  # fmt: skip
    assert done.code == 1, done.stderr
    assert "Traceback" not in done.stderr
    log = cli("runs", "show", "v1", "--json").json()
    assert log["status"] == "fail"
    assert log["steps"]["first"]["status"] == "success"
    step = log["steps"]["both"]
    assert step["status"] == "fail"
    message = step["attempts"][0]["message"]
    assert f"Vault at {vault.url}" in message
    assert expected in message
    assert "token auth" in message
    assert step["returns"] == {}  # the function never ran
    handler = log["steps"]["inspect"]
    assert handler["returns"] == {"leaked": []}  # alpha, read before beta failed, was unset
    for value in VALUES.values():
        assert value not in done.stdout + done.stderr
        assert value not in json.dumps(log)


@pytest.mark.usefixtures("pipelines")
def test_unreachable_vault_stops_the_run_before_any_step(cli: Cli, workdir: Path) -> None:
    url = f"http://127.0.0.1:{free_port()}"
    write_config(workdir, url)
    done = cli("run", "pipelines/two_secrets.py", "-c", "vault.yaml", env={"VAULT_TOKEN": "t"})
    assert done.code == 2
    assert "Traceback" not in done.stderr
    flat = " ".join(done.stderr.split())
    assert f"cannot reach Vault at {url} (token auth)" in flat
    assert "step 'first' needs a secret" in flat
    assert not (workdir / ".run_log_store").exists()  # no run was started
