"""`runplane.Run` on S3 (moto's server): objects and files come back from the bucket."""

from __future__ import annotations

from pathlib import Path

import pytest

import runplane
from tests.integration.conftest import needs_s3
from tests.unit.test_run_client import PIPELINE

pytestmark = [pytest.mark.integration, needs_s3]


def test_a_run_on_s3_reads_back_objects_output_and_files(
    s3_endpoint: str, bucket: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    config = tmp_path / "s3.yaml"
    config.write_text(
        f"run_log_store: {{type: s3, config: {{bucket: {bucket}, prefix: logs/, "
        f"endpoint_url: '{s3_endpoint}'}}}}\n"
        f"catalog: {{type: s3, config: {{bucket: {bucket}, prefix: files/, "
        f"endpoint_url: '{s3_endpoint}'}}}}\n"
    )
    PIPELINE.execute(configuration_file=str(config), run_id="s3-run", tag="nightly")

    run = runplane.Run.latest(tag="nightly", configuration_file=str(config))
    assert run.run_id == "s3-run"
    assert run.parameters["labels"] == {"a", "b"}
    assert run.steps["per_item.1.count"].attempts[-1].output == "counting 2\n"
    with run.open("summary.txt") as handle:
        assert handle.read() == "two files\n"
    written = run.download("data", tmp_path / "dest")
    assert sorted(p.name for p in written) == ["a.csv", "b.csv"]
    assert (tmp_path / "dest" / "data" / "b.csv").read_text() == "x\n2\n3\n"
