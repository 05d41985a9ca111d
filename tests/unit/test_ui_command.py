"""`runplane ui` in process: what it hands the web server, and what it warns about."""

from pathlib import Path
from typing import Any

import pytest
import uvicorn
from typer.testing import CliRunner

from runplane.adapters.cli.commands import cli
from runplane.adapters.cli.wiring import Wiring
from runplane.adapters.ui import server
from runplane.app.run_client import run_queries
from runplane.console import cli_application, web_app


@pytest.fixture
def served(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """Records what would be served instead of serving it."""
    monkeypatch.chdir(tmp_path)
    seen: dict[str, Any] = {}
    real_build = server.build_app

    def build(app: Any, **options: Any) -> Any:
        seen.update(options)
        return real_build(app, **options)

    def run(web: Any, **options: Any) -> None:
        seen.update(options)

    monkeypatch.setattr(server, "build_app", build)
    monkeypatch.setattr(uvicorn, "run", run)
    return seen


def invoke(*args: str) -> Any:
    return CliRunner().invoke(
        cli,
        ["ui", *args],
        obj=Wiring(cli_application, make_queries=run_queries, make_web_app=web_app),
    )


def test_loopback_by_default_answering_only_loopback_names(served: dict[str, Any]) -> None:
    result = invoke()
    assert result.exit_code == 0, result.output
    assert (served["host"], served["port"]) == ("127.0.0.1", 8265)
    assert "localhost" in served["hosts"]
    assert served["token"] is None
    assert "serving on http://localhost:8265/" in result.output
    assert "warning" not in result.output


def test_another_address_without_a_token_is_served_with_a_warning(
    served: dict[str, Any],
) -> None:
    result = invoke("--host", "0.0.0.0", "--port", "9000")
    assert result.exit_code == 0, result.output
    assert (served["host"], served["port"], served["hosts"]) == ("0.0.0.0", 9000, None)
    assert "warning: serving on 0.0.0.0 without --token" in result.output


def test_the_token_goes_to_the_app_and_into_the_address_printed(
    served: dict[str, Any],
) -> None:
    result = invoke("--host", "0.0.0.0", "--token", "t0k")
    assert served["token"] == "t0k"
    assert "serving on http://0.0.0.0:8265/?token=t0k" in result.output
    assert "warning" not in result.output
