"""A fault-injecting HTTP proxy on loopback, standard library only, for S3 fault tests.

Put it between boto3 (`endpoint_url` = the proxy) and an S3 server (moto). It forwards
every request, except that a share of them, chosen by a seeded random generator, fails:

- `500` / `503`: answered by the proxy with an S3-style XML error, never forwarded;
- `reset-before`: the connection is reset (RST) before the request reaches the server;
- `reset-after`: the request is forwarded and done by the server, then the connection is
  reset instead of answering: the client cannot tell it from `reset-before`, and a retry
  repeats a request that already took effect (the hard case for conditional writes).

`faults` counts what was injected, by kind; `forwarded` counts requests that reached S3.
A test may pass `decide(method, path, headers)` to pick the fault of particular requests
instead (return a kind, or None to forward).
"""

from __future__ import annotations

import http.client
import random
import socket
import struct
import threading
from collections import Counter
from collections.abc import Callable, Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

KINDS = ("500", "503", "reset-before", "reset-after")
_HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "proxy-connection", "te"}


class FaultProxy(ThreadingHTTPServer):
    """Serves on a free loopback port; `url` is what clients use as their endpoint."""

    daemon_threads = True

    def __init__(
        self,
        upstream: str,
        rate: float = 0.0,
        seed: int = 6,
        decide: Callable[[str, str, Mapping[str, str]], str | None] | None = None,
    ) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        parts = urlsplit(upstream)
        self.upstream = (parts.hostname or "127.0.0.1", parts.port or 80)
        self.rate = rate
        self.decide = decide
        self.faults: Counter[str] = Counter()
        self.forwarded = 0
        self._random = random.Random(seed)
        self._lock = threading.Lock()
        host, port = self.server_address[:2]
        self.url = f"http://{host!s}:{port}"
        self._thread = threading.Thread(target=self.serve_forever, name="fault-proxy", daemon=True)

    def __enter__(self) -> FaultProxy:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.shutdown()
        self.server_close()
        self._thread.join(timeout=5)

    def draw(self, method: str, path: str, headers: Mapping[str, str]) -> str | None:
        """The fault for this request, or None to forward it untouched."""
        with self._lock:
            if self.decide is not None:
                kind = self.decide(method, path, headers)
            elif self._random.random() < self.rate:
                kind = self._random.choice(KINDS)
            else:
                kind = None
            if kind is not None:
                self.faults[kind] += 1
            return kind

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Clients drop connections we reset or they retried away from: not news here."""

    def count_forwarded(self) -> None:
        with self._lock:
            self.forwarded += 1


class _Handler(BaseHTTPRequestHandler):
    server: FaultProxy
    protocol_version = "HTTP/1.1"  # keep-alive, as botocore's connection pool expects

    def _proxy(self) -> None:
        body = self._body()
        fault = self.server.draw(self.command, self.path, dict(self.headers.items()))
        if fault in {"500", "503"}:
            self._error(int(fault))
            return
        if fault == "reset-before":
            self._reset()
            return
        status, headers, payload = self._forward(body)
        if fault == "reset-after":
            self._reset()
            return
        self.send_response(status)
        for name, value in headers:
            if name.lower() not in _HOP_BY_HOP and name.lower() != "content-length":
                self.send_header(name, value)
        length = {k.lower(): v for k, v in headers}.get("content-length", "0")
        # A HEAD answer keeps the object's length and has no body.
        self.send_header("Content-Length", length if self.command == "HEAD" else str(len(payload)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(payload)

    do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = _proxy

    def _body(self) -> bytes:
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            chunks = []
            while size := int(self.rfile.readline().split(b";")[0].strip() or b"0", 16):
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
            while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                pass  # trailers
            return b"".join(chunks)
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _forward(self, body: bytes) -> tuple[int, list[tuple[str, str]], bytes]:
        connection = http.client.HTTPConnection(*self.server.upstream, timeout=60)
        headers = {k: v for k, v in self.headers.items() if k.lower() not in _HOP_BY_HOP}
        headers["Content-Length"] = str(len(body))
        try:
            connection.request(self.command, self.path, body=body or None, headers=headers)
            response = connection.getresponse()
            payload = response.read()
            self.server.count_forwarded()
            return response.status, response.getheaders(), payload
        finally:
            connection.close()

    def _error(self, status: int) -> None:
        code = "InternalError" if status == 500 else "SlowDown"
        payload = (
            f'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>{code}</Code>'
            f"<Message>injected by the fault proxy</Message></Error>"
        ).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/xml")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def _reset(self) -> None:
        # SO_LINGER with a zero timeout makes close() send RST instead of FIN.
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.close_connection = True
        self.connection.close()

    def log_message(self, format: str, *args: Any) -> None:
        """Keep test output quiet."""
