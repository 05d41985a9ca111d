"""The Vault secrets adapter driving the real hvac over HTTP against the fake Vault server."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from runplane.adapters.secrets.vault import VaultSecrets, VaultSecretsConfig
from runplane.domain.errors import ConfigurationError, SecretError, SecretNotFoundError
from runplane.ports.secrets import Secrets
from runplane.testing.secrets import SecretsContract
from tests.integration import fake_vault
from tests.integration.conftest import needs_hvac
from tests.integration.fake_vault import FakeVault
from tests.integration.moto_server import free_port

pytestmark = [pytest.mark.integration, needs_hvac]

KNOWN = {"db_password": "hunter2-ü", "api_key": "k-123", "secret_key": "s3cr3t"}
MOUNTS = {2: "secret", 1: "kv"}


def make_secrets(vault: FakeVault, **config: Any) -> VaultSecrets:
    settings = {"url": vault.url, "path": "team/pipeline", **config}
    return VaultSecrets(VaultSecretsConfig.model_validate(settings))


def with_auth(vault: FakeVault, method: str, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """Set up `method` on the fake and in the environment; return the `auth` config."""
    if method == "token":
        monkeypatch.setenv("VAULT_TOKEN", vault.root_token)
        return {"method": "token"}
    vault.approles["role-abc"] = "secret-id-xyz"
    monkeypatch.setenv("PIPELINE_SECRET_ID", "secret-id-xyz")
    return {"method": "approle", "role_id": "role-abc", "secret_id_env": "PIPELINE_SECRET_ID"}


@pytest.mark.parametrize("method", ["token", "approle"])
@pytest.mark.parametrize("kv_version", [2, 1])
class TestVaultSecrets(SecretsContract):
    @pytest.fixture
    def secrets(
        self, vault: FakeVault, monkeypatch: pytest.MonkeyPatch, method: str, kv_version: int
    ) -> Secrets:
        mount = MOUNTS[kv_version]
        vault.write(mount, "team/pipeline", KNOWN)
        auth = with_auth(vault, method, monkeypatch)
        return make_secrets(vault, auth=auth, mount_point=mount, kv_version=kv_version)

    @pytest.fixture
    def known(self) -> dict[str, str]:
        return KNOWN

    def test_auth_and_reads_hit_the_documented_endpoints(
        self, secrets: Secrets, vault: FakeVault, method: str, kv_version: int
    ) -> None:
        secrets.get("api_key")
        read = "/v1/secret/data/team/pipeline" if kv_version == 2 else "/v1/kv/team/pipeline"
        login = "/v1/auth/token/lookup-self" if method == "token" else "/v1/auth/approle/login"
        assert [(s.method, s.path) for s in vault.seen] == [
            ("GET" if method == "token" else "POST", login),
            ("GET", read),
        ]


def test_every_get_reads_vault_again(vault: FakeVault, monkeypatch: pytest.MonkeyPatch) -> None:
    vault.write("secret", "team/pipeline", {"token": "v1"})
    secrets = make_secrets(vault, auth=with_auth(vault, "token", monkeypatch))
    assert secrets.get("token") == "v1"
    vault.write("secret", "team/pipeline", {"token": "v2"})  # rotated between two steps
    assert secrets.get("token") == "v2"


def test_latest_kv2_version_is_read(vault: FakeVault, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("VAULT_TOKEN", vault.root_token)
    hvac = pytest.importorskip("hvac")  # seed through hvac's own write call, as an operator would

    client = hvac.Client(url=vault.url, token=vault.root_token)
    client.secrets.kv.v2.create_or_update_secret(path="app", secret={"k": "old"})
    client.secrets.kv.v2.create_or_update_secret(path="app", secret={"k": "new", "n": 3})
    secrets = make_secrets(vault, path="app")
    assert secrets.get("k") == "new"
    assert secrets.get("n") == "3"  # non-text values come as JSON text


def test_soft_deleted_secret_is_not_found(
    vault: FakeVault, monkeypatch: pytest.MonkeyPatch
) -> None:
    vault.write("secret", "team/pipeline", {"password": "p"})
    vault.soft_delete_latest("secret", "team/pipeline")
    secrets = make_secrets(vault, auth=with_auth(vault, "token", monkeypatch))
    with pytest.raises(SecretNotFoundError, match=r"'password'.*secret/team/pipeline"):
        secrets.get("password")


def test_missing_path_names_key_and_path(vault: FakeVault, monkeypatch: pytest.MonkeyPatch) -> None:
    secrets = make_secrets(vault, auth=with_auth(vault, "token", monkeypatch), path="nowhere/x")
    with pytest.raises(SecretNotFoundError, match=r"'db_password'.*secret/nowhere/x") as caught:
        secrets.get("db_password")
    assert caught.value.name == "db_password"


def test_missing_key_never_shows_a_value(vault: FakeVault, monkeypatch: pytest.MonkeyPatch) -> None:
    vault.write("secret", "team/pipeline", KNOWN)
    secrets = make_secrets(vault, auth=with_auth(vault, "token", monkeypatch))
    with pytest.raises(SecretNotFoundError) as caught:
        secrets.get("DB_PASSWORD")
    message = str(caught.value)
    assert "DB_PASSWORD" in message
    assert "team/pipeline" in message
    assert not any(value in message for value in KNOWN.values())


def test_rejected_token_says_token_auth_failed(
    vault: FakeVault, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("VAULT_TOKEN", "hvs.not-a-real-token")
    with pytest.raises(
        SecretError, match=r"Vault token auth failed.*\$VAULT_TOKEN was rejected"
    ) as e:
        make_secrets(vault).get("x")
    assert "hvs.not-a-real-token" not in str(e.value)


def test_token_read_from_the_named_variable(
    vault: FakeVault, monkeypatch: pytest.MonkeyPatch
) -> None:
    vault.write("secret", "team/pipeline", {"a": "1"})
    monkeypatch.setenv("TEAM_VAULT_TOKEN", vault.root_token)
    auth = {"method": "token", "token_env": "TEAM_VAULT_TOKEN"}
    assert make_secrets(vault, auth=auth).get("a") == "1"
    monkeypatch.delenv("TEAM_VAULT_TOKEN")
    with pytest.raises(SecretError, match=r"token auth failed.*\$TEAM_VAULT_TOKEN is not set"):
        make_secrets(vault, auth=auth).get("a")


def test_bad_approle_secret_id_says_approle_failed(
    vault: FakeVault, monkeypatch: pytest.MonkeyPatch
) -> None:
    vault.approles["role-abc"] = "right"
    monkeypatch.setenv("VAULT_SECRET_ID", "wrong-secret-id")
    secrets = make_secrets(vault, auth={"method": "approle", "role_id": "role-abc"})
    with pytest.raises(
        SecretError, match=r"Vault approle auth failed.*role-abc.*invalid role"
    ) as e:
        secrets.get("x")
    assert "wrong-secret-id" not in str(e.value)


def test_expired_approle_token_logs_in_again(
    vault: FakeVault, monkeypatch: pytest.MonkeyPatch
) -> None:
    vault.write("secret", "team/pipeline", {"a": "1"})
    secrets = make_secrets(vault, auth=with_auth(vault, "approle", monkeypatch))
    assert secrets.get("a") == "1"
    for token in [t for t in vault.tokens if t != vault.root_token]:
        vault.revoke(token)  # the login token expired between two steps
    assert secrets.get("a") == "1"
    logins = [s for s in vault.seen if s.path == "/v1/auth/approle/login"]
    assert len(logins) == 2


def test_policy_denial_names_path_and_method(
    vault: FakeVault, monkeypatch: pytest.MonkeyPatch
) -> None:
    vault.write("secret", "team/pipeline", {"a": "1"})
    monkeypatch.setenv("VAULT_TOKEN", vault.issue_token(["secret/other/"]))
    with pytest.raises(SecretError, match=r"denied reading.*secret/team/pipeline.*token auth"):
        make_secrets(vault).get("a")


def test_kubernetes_login_with_the_service_account_jwt(vault: FakeVault, tmp_path: Path) -> None:
    vault.write("secret", "team/pipeline", {"a": "1"})
    jwt = tmp_path / "token"
    jwt.write_text("eyJhbGciOi.payload.signature\n")
    vault.kubernetes_roles["pipelines"] = "eyJhbGciOi.payload.signature"
    auth = {"method": "kubernetes", "role": "pipelines", "jwt_path": str(jwt)}
    assert make_secrets(vault, auth=auth).get("a") == "1"
    jwt.write_text("another.service.account")
    with pytest.raises(SecretError, match=r"kubernetes auth failed.*role 'pipelines'"):
        make_secrets(vault, auth=auth).get("a")
    with pytest.raises(SecretError, match=r"cannot read the service-account JWT"):
        make_secrets(vault, auth={**auth, "jwt_path": str(tmp_path / "absent")}).get("a")


def test_namespace_is_sent_with_every_request(
    vault: FakeVault, monkeypatch: pytest.MonkeyPatch
) -> None:
    vault.write("secret", "team/pipeline", {"a": "1"})
    secrets = make_secrets(vault, auth=with_auth(vault, "token", monkeypatch), namespace="ns1/")
    secrets.get("a")
    assert [s.namespace for s in vault.seen] == ["ns1/", "ns1/"]


def test_url_falls_back_to_vault_addr(vault: FakeVault, monkeypatch: pytest.MonkeyPatch) -> None:
    vault.write("secret", "team/pipeline", {"a": "1"})
    auth = with_auth(vault, "token", monkeypatch)
    with pytest.raises(ConfigurationError, match=r"VAULT_ADDR"):
        make_secrets(vault, auth=auth, url=None).get("a")
    monkeypatch.setenv("VAULT_ADDR", vault.url)
    assert make_secrets(vault, auth=auth, url=None).get("a") == "1"


def test_unreachable_vault_is_a_secret_error(
    vault: FakeVault, monkeypatch: pytest.MonkeyPatch
) -> None:
    auth = with_auth(vault, "token", monkeypatch)
    secrets = make_secrets(vault, auth=auth, url=f"http://127.0.0.1:{free_port()}", timeout=2)
    with pytest.raises(SecretError, match=r"cannot reach Vault at http://127.0.0.1"):
        secrets.get("a")


@pytest.fixture
def tls_vault(tmp_path: Path) -> Any:
    """The fake Vault behind HTTPS with a self-signed certificate for 127.0.0.1."""
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("needs the openssl command to make a test certificate")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        [openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
         "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
         "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )  # fmt: skip
    fake = FakeVault()
    server, thread = fake_vault.start(fake, tls=(cert, key))
    try:
        yield fake, cert
    finally:
        fake_vault.stop(server, thread)


def test_tls_with_a_ca_bundle(tls_vault: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    fake, cert = tls_vault
    fake.write("secret", "team/pipeline", {"a": "1"})
    monkeypatch.setenv("VAULT_TOKEN", fake.root_token)
    assert fake.url.startswith("https://")
    assert make_secrets(fake, ca_bundle=str(cert)).get("a") == "1"
    with pytest.raises(SecretError, match=r"cannot reach Vault at https://"):
        make_secrets(fake).get("a")  # the system CAs do not trust the test certificate
