"""Secrets from HashiCorp Vault's KV engine (v1 or v2), with token, AppRole or Kubernetes auth.

The keys of one Vault secret (`<mount_point>/<path>`) are the secret names a step asks for.
Credentials never sit in the configuration: tokens and AppRole secret ids are read from the
environment variables the configuration names, the Kubernetes JWT from its file.
"""

from __future__ import annotations

import json
import logging
import os
import threading
from pathlib import Path
from typing import Annotated, Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr

from runplane.domain.errors import ConfigurationError, SecretError, SecretNotFoundError

logger = logging.getLogger(__name__)

_INSTALL = "pip install 'runplane[vault]'"
_SERVICE_ACCOUNT_JWT = "/var/run/secrets/kubernetes.io/serviceaccount/token"


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class TokenAuth(_Section):
    """A Vault token taken from an environment variable."""

    method: Literal["token"] = "token"
    token_env: str = "VAULT_TOKEN"


class AppRoleAuth(_Section):
    """AppRole login: the role id in config, the secret id from an environment variable."""

    method: Literal["approle"]
    role_id: str
    secret_id_env: str = "VAULT_SECRET_ID"
    mount_point: str = "approle"


class KubernetesAuth(_Section):
    """Kubernetes login with the pod's service-account token."""

    method: Literal["kubernetes"]
    role: str
    jwt_path: str = _SERVICE_ACCOUNT_JWT
    mount_point: str = "kubernetes"


Auth = Annotated[TokenAuth | AppRoleAuth | KubernetesAuth, Field(discriminator="method")]


class VaultSecretsConfig(_Section):
    """Settings of the Vault secrets provider; `url` falls back to $VAULT_ADDR."""

    url: str | None = None
    auth: Auth = TokenAuth()
    mount_point: str = "secret"
    path: str = Field(min_length=1)
    kv_version: Literal[1, 2] = 2
    namespace: str | None = None
    verify: bool = True
    ca_bundle: str | None = None
    timeout: float = Field(default=30.0, gt=0)


class VaultSecrets:
    """Reads the configured secret from Vault on every `get`; only the token stays in memory."""

    Config: ClassVar[type[VaultSecretsConfig]] = VaultSecretsConfig

    def __init__(self, config: VaultSecretsConfig) -> None:
        self._config = config
        self._client: Any = None
        self._lock = threading.Lock()

    def get(self, name: str) -> str:
        data = self._read(name)
        if name not in data:
            raise SecretNotFoundError(name, self._where())
        value = data[name]
        return value if isinstance(value, str) else json.dumps(value, allow_nan=False)

    # -- reading ---------------------------------------------------------------------

    def _read(self, name: str) -> dict[str, Any]:
        hvac_exceptions, transport_error = _sdk_errors()
        try:
            try:
                return self._read_once()
            except hvac_exceptions.Forbidden:
                if isinstance(self._config.auth, TokenAuth):
                    raise
                # A login token may have expired since the last read: log in again, once.
                logger.debug("Vault refused the %s token; logging in again", self._method)
                self._reset()
                return self._read_once()
        except hvac_exceptions.Forbidden:
            raise SecretError(
                f"Vault at {self._url()} denied reading {self._where()} with {self._method} "
                "auth: the token's policies do not allow reading this path, or the token "
                "expired (log in again, or renew or replace the token)"
            ) from None
        except hvac_exceptions.InvalidPath:
            where = f"{self._where()}, which does not exist (or its latest version is deleted)"
            raise SecretNotFoundError(name, where) from None
        except hvac_exceptions.VaultDown:
            raise SecretError(
                f"Vault at {self._url()} is sealed or unavailable (503) reading "
                f"{self._where()} with {self._method} auth; unseal it or try again later"
            ) from None
        except hvac_exceptions.VaultError as exc:
            raise SecretError(
                f"Vault at {self._url()} failed reading {self._where()} with {self._method} "
                f"auth: {exc}"
            ) from None
        except transport_error as exc:
            raise SecretError(
                f"cannot reach Vault at {self._url()} ({self._method} auth) to read "
                f"{self._where()}: {type(exc).__name__}; check the url and that Vault is up"
            ) from None

    def _read_once(self) -> dict[str, Any]:
        client = self._connected()
        kv = client.secrets.kv
        if self._config.kv_version == 1:
            response = kv.v1.read_secret(path=self._config.path, mount_point=self._mount())
            data = response["data"]
        else:
            response = kv.v2.read_secret_version(
                path=self._config.path, mount_point=self._mount(), raise_on_deleted_version=True
            )
            data = response["data"]["data"]
        if not isinstance(data, dict):
            raise SecretError(f"Vault returned no key-value data for {self._where()}")
        return data

    # -- connecting ------------------------------------------------------------------

    def _connected(self) -> Any:
        with self._lock:
            if self._client is None:
                self._client = self._login()
            return self._client

    def _reset(self) -> None:
        with self._lock:
            self._client = None

    def _login(self) -> Any:
        hvac = _import_hvac()
        client = hvac.Client(
            url=self._url(),
            namespace=self._config.namespace,
            verify=self._config.ca_bundle or self._config.verify,
            timeout=self._config.timeout,
        )
        auth = self._config.auth
        try:
            if isinstance(auth, TokenAuth):
                client.token = _from_env(auth.token_env).get_secret_value()
                if not client.is_authenticated():
                    raise SecretError(f"the token from ${auth.token_env} was rejected")
            elif isinstance(auth, AppRoleAuth):
                secret_id = _from_env(auth.secret_id_env)
                client.auth.approle.login(
                    role_id=auth.role_id,
                    secret_id=secret_id.get_secret_value(),
                    mount_point=auth.mount_point,
                )
            else:
                client.auth.kubernetes.login(
                    role=auth.role, jwt=_jwt(auth.jwt_path), mount_point=auth.mount_point
                )
        except hvac.exceptions.VaultDown:
            raise SecretError(
                f"Vault at {self._url()} is sealed or unavailable (503): {self._method} auth "
                f"could not log in{self._auth_detail()}; unseal it or try again later"
            ) from None
        except (SecretError, hvac.exceptions.VaultError) as exc:
            raise SecretError(
                f"Vault {self._method} auth failed at {self._url()}{self._auth_detail()}: {exc}"
            ) from None
        logger.debug("logged in to Vault at %s with %s auth", self._url(), self._method)
        return client

    # -- naming ----------------------------------------------------------------------

    @property
    def _method(self) -> str:
        return self._config.auth.method

    def _auth_detail(self) -> str:
        auth = self._config.auth
        if isinstance(auth, AppRoleAuth):
            return f" (mount '{auth.mount_point}', role_id '{auth.role_id}')"
        if isinstance(auth, KubernetesAuth):
            return f" (mount '{auth.mount_point}', role '{auth.role}')"
        return ""

    def _mount(self) -> str:
        return self._config.mount_point.strip("/")

    def _where(self) -> str:
        namespace = f" namespace '{self._config.namespace}'" if self._config.namespace else ""
        version = f"KV v{self._config.kv_version}"
        return f"Vault secret '{self._mount()}/{self._config.path}' ({version}{namespace})"

    def _url(self) -> str:
        url = self._config.url or os.environ.get("VAULT_ADDR")
        if not url:
            raise ConfigurationError("secrets: vault needs 'url' in its config or $VAULT_ADDR set")
        return url


def _from_env(variable: str) -> SecretStr:
    value = os.environ.get(variable)
    if not value:
        raise SecretError(f"environment variable ${variable} is not set")
    return SecretStr(value)


def _jwt(path: str) -> str:
    try:
        return Path(path).read_text().strip()
    except OSError as exc:
        raise SecretError(f"cannot read the service-account JWT '{path}': {exc.strerror}") from None


def _import_hvac() -> Any:
    try:
        import hvac  # noqa: PLC0415  (the vault extra is optional: only its users pay for it)
    except ImportError as exc:
        raise ConfigurationError(f"the vault secrets adapter needs hvac: {_INSTALL}") from exc
    return hvac


def _sdk_errors() -> tuple[Any, type[Exception]]:
    """The exception module of hvac, and the base error of requests (hvac's HTTP library)."""
    hvac = _import_hvac()
    from requests.exceptions import RequestException  # noqa: PLC0415  (installed with hvac)

    return hvac.exceptions, RequestException
