"""A small Vault-compatible HTTP server for tests: the endpoints hvac calls for our adapter.

Implements, over real HTTP on 127.0.0.1 with Vault's documented status codes and JSON bodies:
token lookup-self, AppRole login, Kubernetes login, KV v2 read/write/soft-delete and KV v1
read/write. Errors are `{"errors": [...]}` with `Content-Type: application/json`, as Vault
sends them (hvac only reads the messages when that header is there).

Faults: `fail_after` makes every later request answer 503 "Vault is sealed" or, as an
expired token gets, 403.

Not implemented (and so not verified by the tests): policies beyond a per-token list of
readable paths, token TTLs and renewal, leases, response wrapping, namespaces as separate
trees (the `X-Vault-Namespace` header is only recorded), and every other endpoint.
"""

from __future__ import annotations

import json
import ssl
import threading
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

_DENIED = (403, {"errors": ["permission denied"]})
_SEALED = (503, {"errors": ["Vault is sealed"]})


@dataclass
class Seen:
    """One request the fake answered."""

    method: str
    path: str
    namespace: str | None
    token: str | None


@dataclass
class FakeVault:
    """State of the fake: tokens, auth roles, KV mounts. Mutate it from tests freely."""

    root_token: str = "root-token"
    #: token -> readable `<mount>/<path>` prefixes ("" means everything).
    tokens: dict[str, list[str]] = field(default_factory=dict)
    #: role_id -> secret_id, on the AppRole mount "approle".
    approles: dict[str, str] = field(default_factory=dict)
    #: role -> JWT accepted, on the Kubernetes mount "kubernetes".
    kubernetes_roles: dict[str, str] = field(default_factory=dict)
    #: mount -> KV version (1 or 2).
    mounts: dict[str, int] = field(default_factory=lambda: {"secret": 2, "kv": 1})
    #: (mount, path) -> list of versions; a deleted version is None.
    kv: dict[tuple[str, str], list[dict[str, Any] | None]] = field(default_factory=dict)
    seen: list[Seen] = field(default_factory=list)
    #: After this many requests, every request fails with `failure` (None: never).
    fail_after: int | None = None
    #: "sealed" (503, as a sealed Vault answers) or "expired" (403: the token ran out).
    failure: str = "sealed"
    url: str = ""
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        self.tokens.setdefault(self.root_token, [""])

    def write(self, mount: str, path: str, data: dict[str, Any]) -> None:
        """Store a new version of a secret (KV v1 keeps only the latest)."""
        with self._lock:
            versions = self.kv.setdefault((mount, path), [])
            if self.mounts[mount] == 1:
                versions.clear()
            versions.append(dict(data))

    def soft_delete_latest(self, mount: str, path: str) -> None:
        """KV v2 `DELETE data/<path>`: the latest version reads as deleted."""
        with self._lock:
            self.kv[(mount, path)][-1] = None

    def issue_token(self, readable: list[str]) -> str:
        token = f"hvs.{uuid.uuid4().hex}"
        with self._lock:
            self.tokens[token] = readable
        return token

    def revoke(self, token: str) -> None:
        with self._lock:
            self.tokens.pop(token, None)

    # -- request handling ------------------------------------------------------------

    def handle(self, method: str, path: str, token: str | None, body: Any) -> tuple[int, Any]:
        if self.fail_after is not None and len(self.seen) > self.fail_after:
            return _SEALED if self.failure == "sealed" else _DENIED
        if path == "/v1/auth/token/lookup-self" and method == "GET":
            return self._lookup_self(token)
        parts = path.removeprefix("/v1/").split("/")
        if len(parts) == 3 and parts[0] == "auth" and parts[2] == "login" and method == "POST":
            return self._login(parts[1], body if isinstance(body, dict) else {})
        return self._kv(method, parts[0], "/".join(parts[1:]), token, body)

    def _kv(
        self, method: str, mount: str, rest: str, token: str | None, body: Any
    ) -> tuple[int, Any]:
        if mount not in self.mounts or not rest:
            route = f"{mount}/{rest}"
            return 404, {"errors": [f"no handler for route '{route}'. route entry not found."]}
        if token not in self.tokens:
            return _DENIED
        if self.mounts[mount] == 1:
            return self._kv1(method, mount, rest, token, body)
        if not rest.startswith("data/"):
            return 404, {"errors": []}
        return self._kv2(method, mount, rest.removeprefix("data/"), token, body)

    def _lookup_self(self, token: str | None) -> tuple[int, Any]:
        if token not in self.tokens:
            return _DENIED
        return 200, {"data": {"id": token, "policies": ["default"], "ttl": 3600, "renewable": True}}

    def _login(self, mount: str, body: dict[str, Any]) -> tuple[int, Any]:
        if mount == "approle":
            role_id, secret_id = body.get("role_id"), body.get("secret_id")
            if not role_id or not secret_id:
                return 400, {"errors": ["missing role_id or secret_id"]}
            if self.approles.get(role_id) != secret_id:
                return 400, {"errors": ["invalid role or secret ID"]}
        elif mount == "kubernetes":
            role, jwt = body.get("role"), body.get("jwt")
            if not role or not jwt:
                return 400, {"errors": ["missing role or jwt"]}
            if self.kubernetes_roles.get(role) != jwt:
                return _DENIED
        else:
            return 400, {"errors": [f"no handler for route 'auth/{mount}/login'"]}
        token = self.issue_token([""])
        auth = {"client_token": token, "policies": ["default"], "lease_duration": 3600}
        return 200, {"auth": {**auth, "renewable": True, "accessor": uuid.uuid4().hex}}

    def _allowed(self, token: str | None, mount: str, path: str) -> bool:
        return any(f"{mount}/{path}".startswith(p) for p in self.tokens.get(token or "", []))

    def _kv2(
        self, method: str, mount: str, path: str, token: str | None, body: Any
    ) -> tuple[int, Any]:
        if method == "POST":
            self.write(mount, path, body["data"])
            return 200, {"data": {"version": len(self.kv[(mount, path)]), "deletion_time": ""}}
        if method == "DELETE":
            self.soft_delete_latest(mount, path)
            return 204, None
        if not self._allowed(token, mount, path):
            return _DENIED
        versions = self.kv.get((mount, path))
        if not versions:
            return 404, {"errors": []}
        metadata = {
            "version": len(versions),
            "destroyed": False,
            "created_time": "",
            "custom_metadata": None,
        }
        if versions[-1] is None:
            deleted = {**metadata, "deletion_time": "2026-01-01T00:00:00Z"}
            return 404, {"data": {"data": None, "metadata": deleted}}
        return 200, {"data": {"data": versions[-1], "metadata": {**metadata, "deletion_time": ""}}}

    def _kv1(
        self, method: str, mount: str, path: str, token: str | None, body: Any
    ) -> tuple[int, Any]:
        if method in {"POST", "PUT"}:
            self.write(mount, path, body)
            return 204, None
        if not self._allowed(token, mount, path):
            return _DENIED
        versions = self.kv.get((mount, path))
        if not versions or versions[-1] is None:
            return 404, {"errors": []}
        return 200, {"data": versions[-1], "lease_duration": 2764800, "renewable": False}


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            body = json.loads(raw) if raw else None
        except ValueError:
            self._send(400, {"errors": ["failed to parse JSON input"]})
            return
        fake = self.server.fake
        token = self.headers.get("X-Vault-Token")
        path = self.path.split("?", 1)[0]
        fake.seen.append(Seen(self.command, path, self.headers.get("X-Vault-Namespace"), token))
        self._send(*fake.handle(self.command, path, token, body))

    do_GET = do_POST = do_PUT = do_DELETE = _answer

    def _send(self, status: int, payload: Any) -> None:
        data = b"" if payload is None else json.dumps(payload).encode()
        self.send_response(status)
        if payload is not None:
            self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:
        """Keep test output quiet."""


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, fake: FakeVault) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.fake = fake


def start(
    fake: FakeVault, tls: tuple[Path, Path] | None = None
) -> tuple[_Server, threading.Thread]:
    """Serve `fake` on a free loopback port (its URL is set on `fake.url`).

    With `tls` (certificate file, key file) it serves HTTPS instead of HTTP.
    """
    server = _Server(fake)
    host, port = server.server_address[:2]
    scheme = "http"
    if tls is not None:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(*tls)
        server.socket = context.wrap_socket(server.socket, server_side=True)
        scheme = "https"
    fake.url = f"{scheme}://{host!s}:{port}"
    thread = threading.Thread(target=server.serve_forever, name="fake-vault", daemon=True)
    thread.start()
    return server, thread


def stop(server: _Server, thread: threading.Thread) -> None:
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)
