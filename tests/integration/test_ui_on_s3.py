"""The web app over runs kept on S3 (moto): it reads through the same query side."""

from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from runplane import Catalog, Pipeline, PythonTask, metric
from runplane.adapters.ui.server import build_app
from runplane.app.run_client import run_queries
from runplane.sdk import service
from tests.integration.conftest import needs_s3

pytestmark = [pytest.mark.integration, needs_s3]


def measure() -> float:
    print("measuring on s3")
    Path("readings.csv").write_text("sensor,value\nt1,0.75\n")
    return 0.75


def test_runs_and_a_step_panel_come_from_s3(
    s3_endpoint: str, s3_client: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for bucket in ("ui-runs", "ui-data"):
        s3_client.create_bucket(Bucket=bucket)
    config = tmp_path / "s3.yaml"
    config.write_text(
        "run_log_store:\n  type: s3\n"
        f"  config: {{bucket: ui-runs, endpoint_url: '{s3_endpoint}'}}\n"
        "catalog:\n  type: s3\n"
        f"  config: {{bucket: ui-data, endpoint_url: '{s3_endpoint}'}}\n"
    )
    monkeypatch.chdir(tmp_path)
    app = service(str(config))
    pipeline = Pipeline(
        [PythonTask(measure, returns=[metric("m")], catalog=Catalog(put=["readings.csv"]))],
        name="on-s3",
    )
    app.run(pipeline.graph, run_id="s3-run", tag="cloud")

    client = TestClient(build_app(run_queries(str(config))))
    runs = client.get("/").text
    assert '<tr data-run="s3-run">' in runs
    assert "cloud" in runs
    panel = client.get("/runs/s3-run", params={"step": "measure"}).text
    assert "measuring on s3" in panel  # the captured output, read back from the S3 catalog
    assert "<th>m</th><td>0.75</td>" in panel
    assert f"{s3_endpoint}" in panel  # configuration shown (an endpoint is no secret)
    shown = client.get("/runs/s3-run/file", params={"step": "measure", "name": "readings.csv"})
    assert "<td>t1</td><td>0.75</td>" in shown.text  # previewed from the S3 catalog
    got = client.get(
        "/runs/s3-run/file", params={"step": "measure", "name": "readings.csv", "download": "1"}
    )
    assert got.content == b"sensor,value\nt1,0.75\n"
