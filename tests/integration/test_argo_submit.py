"""`runplane submit` against a loopback server that checks what the Argo Server API expects."""

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from tests.integration.argo_support import ARGO_CONFIG, ARGO_PIPELINES, schema_errors
from tests.integration.conftest import Cli

pytestmark = pytest.mark.integration


@dataclass
class FakeArgoServer:
    """Answers POST /api/v1/workflows/{ns} and GET /api/v1/workflows/{ns}/{name}."""

    phases: list[str] = field(default_factory=lambda: ["Running", "Succeeded"])
    create_status: int = 200
    requests: list[dict[str, Any]] = field(default_factory=list)
    url: str = ""

    def handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                server.requests.append(
                    {
                        "method": "POST",
                        "path": self.path,
                        "headers": dict(self.headers),
                        "body": body,
                    }
                )
                if server.create_status != 200:
                    return self._reply(
                        server.create_status, {"code": 6, "message": "workflow already exists"}
                    )
                workflow = body["workflow"]
                workflow["metadata"] = {
                    **workflow["metadata"],
                    "name": "linear-abc12",
                    "namespace": "ml",
                }
                return self._reply(200, workflow)

            def do_GET(self) -> None:
                server.requests.append(
                    {"method": "GET", "path": self.path, "headers": dict(self.headers)}
                )
                phase = server.phases.pop(0) if len(server.phases) > 1 else server.phases[0]
                nodes = {
                    "n1": {
                        "id": "n1",
                        "name": "linear-abc12",
                        "displayName": "linear-abc12",
                        "phase": phase,
                        "type": "DAG",
                    }
                }
                self._reply(
                    200,
                    {
                        "metadata": {"name": "linear-abc12"},
                        "spec": {},
                        "status": {"phase": phase, "nodes": nodes},
                    },
                )

            def _reply(self, status: int, payload: dict[str, Any]) -> None:
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, format: str, *args: Any) -> None:  # keep test output quiet
                pass

        return Handler


@pytest.fixture
def argo_server() -> Iterator[FakeArgoServer]:
    fake = FakeArgoServer()
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), fake.handler())
    fake.url = f"http://127.0.0.1:{httpd.server_address[1]}"
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield fake
    httpd.shutdown()
    httpd.server_close()


def submit(cli: Cli, server: FakeArgoServer, *extra: str, env: dict[str, str] | None = None) -> Any:
    pipeline = str(ARGO_PIPELINES / "linear.py")
    return cli("submit", pipeline, "-c", str(ARGO_CONFIG), "--server", server.url, *extra, env=env)


def test_submit_posts_the_rendered_workflow_with_the_token_and_prints_its_name(
    cli: Cli, argo_server: FakeArgoServer
) -> None:
    result = submit(
        cli,
        argo_server,
        "--namespace",
        "ml",
        "--token-env",
        "ARGO_TOKEN",
        env={"ARGO_TOKEN": "s3cret"},
    )
    assert result.code == 0, result.stderr
    assert result.stdout.strip() == "linear-abc12"
    [request] = argo_server.requests
    assert (request["method"], request["path"]) == ("POST", "/api/v1/workflows/ml")
    assert request["headers"]["Authorization"] == "Bearer s3cret"
    assert request["headers"]["Content-Type"] == "application/json"
    workflow = request["body"]["workflow"]
    assert workflow["kind"] == "Workflow"
    assert workflow["metadata"]["generateName"] == "linear-"
    assert schema_errors(workflow) == []
    assert workflow["spec"]["entrypoint"] == "runplane"


def test_watch_follows_node_phases_until_the_workflow_ends(
    cli: Cli, argo_server: FakeArgoServer
) -> None:
    result = submit(cli, argo_server, "--watch", "--interval", "0")
    assert result.code == 0, result.stderr
    assert "linear-abc12: Running" in result.stderr
    assert "workflow linear-abc12: Succeeded" in result.stderr
    gets = [r for r in argo_server.requests if r["method"] == "GET"]
    assert [r["path"] for r in gets] == ["/api/v1/workflows/argo/linear-abc12"] * 2
    assert "Authorization" not in gets[0]["headers"]


def test_watch_exits_1_when_the_workflow_fails(cli: Cli, argo_server: FakeArgoServer) -> None:
    argo_server.phases = ["Failed"]
    result = submit(cli, argo_server, "--watch", "--interval", "0")
    assert result.code == 1
    assert "workflow linear-abc12: Failed" in result.stderr


def test_a_refused_submission_names_the_server_and_its_message(
    cli: Cli, argo_server: FakeArgoServer
) -> None:
    argo_server.create_status = 409
    result = submit(cli, argo_server)
    assert result.code == 2
    assert argo_server.url in result.stderr
    assert "workflow already exists" in result.stderr


def test_an_unreachable_server_is_an_error_not_a_traceback(cli: Cli, tmp_path: Path) -> None:
    result = cli(
        "submit",
        str(ARGO_PIPELINES / "linear.py"),
        "-c",
        str(ARGO_CONFIG),
        "--server",
        "http://127.0.0.1:9",
    )
    assert result.code == 2
    assert "could not create the workflow on Argo server http://127.0.0.1:9" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_token_variable_that_is_not_set_is_refused_before_anything_is_sent(
    cli: Cli, argo_server: FakeArgoServer
) -> None:
    result = submit(cli, argo_server, "--token-env", "NO_SUCH_TOKEN")
    assert result.code == 2
    assert "'NO_SUCH_TOKEN', which is not set" in result.stderr
    assert argo_server.requests == []
