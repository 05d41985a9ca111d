"""`runs get`, `runs files` and `latest` as a run id, through the CLI in-process."""

from __future__ import annotations

import hashlib
import json
import pickle
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from runplane.adapters.cli.commands import cli
from runplane.adapters.cli.wiring import Wiring
from runplane.app.run_client import run_queries
from runplane.sdk import service
from tests.unit.test_run_client import PIPELINE


@pytest.fixture
def config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("RUNPLANE_CONFIGURATION_FILE", raising=False)
    path = tmp_path / "runplane.yaml"
    path.write_text(
        "run_log_store: {type: file-system, config: {log_folder: logs}}\n"
        "catalog: {type: file-system, config: {catalog_location: files}}\n"
    )
    return str(path)


def invoke(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), obj=Wiring(service, None, run_queries))


def test_runs_get_prints_json_and_writes_objects_as_pickles(config: str, tmp_path: Path) -> None:
    PIPELINE.execute(configuration_file=config, run_id="r1")

    got = invoke("runs", "get", "r1", "items", "-c", config)
    assert got.exit_code == 0, got.output
    assert json.loads(got.stdout) == [1, 2]
    nested = invoke("runs", "get", "latest", "counted", "--step", "per_item.1.count", "-c", config)
    assert json.loads(nested.stdout) == 20

    pickled = invoke("runs", "get", "r1", "labels", "-c", config, "-o", "out/labels.pkl")
    assert pickled.exit_code == 0, pickled.output
    assert "wrote out/labels.pkl: a builtins.set" in pickled.stderr
    assert pickle.loads((tmp_path / "out" / "labels.pkl").read_bytes()) == {"a", "b"}
    assert pickled.stdout == ""

    missing = invoke("runs", "get", "r1", "count", "-c", config)
    assert missing.exit_code == 2
    assert "run 'r1' has no parameter 'count'; it has: items, labels, counted" in missing.stderr
    assert "--step PATH" in missing.stderr


def test_runs_files_lists_and_downloads_the_recorded_versions(config: str, tmp_path: Path) -> None:
    PIPELINE.execute(configuration_file=config, run_id="r1")

    listed = invoke("runs", "files", "latest", "-c", config, "--json")
    assert listed.exit_code == 0, listed.output
    rows = {row["name"]: row for row in json.loads(listed.stdout)}
    assert rows["summary.txt"]["step"] == "make_data"
    assert rows["summary.txt"]["sha256"] == hashlib.sha256(b"two files\n").hexdigest()
    assert {"data/a.csv", "data/b.csv"} <= set(rows)

    piped = invoke("runs", "files", "r1", "-c", config)
    assert any(line.startswith("summary.txt\t10\t") for line in piped.stdout.splitlines())

    downloaded = invoke("runs", "files", "r1", "-c", config, "--download", "dest")
    assert downloaded.exit_code == 0, downloaded.output
    assert (tmp_path / "dest" / "data" / "b.csv").read_text() == "x\n2\n3\n"
    assert f"downloaded {len(rows)} files to dest" in downloaded.stderr


def test_latest_names_the_newest_run_in_show_logs_and_diff(config: str) -> None:
    PIPELINE.execute(configuration_file=config, run_id="older")
    PIPELINE.execute(configuration_file=config, run_id="newer")

    shown = invoke("runs", "show", "latest", "-c", config, "--json")
    assert json.loads(shown.stdout)["run_id"] == "newer"
    logs = invoke("runs", "logs", "latest", "make_data", "-c", config)
    assert logs.stdout == "made the data\n"
    diff = invoke("runs", "diff", "older", "latest", "-c", config, "--json")
    assert diff.exit_code == 0, diff.output
    assert json.loads(diff.stdout)["after"] == "newer"


def test_latest_without_runs_says_so(config: str) -> None:
    shown = invoke("runs", "show", "latest", "-c", config)
    assert shown.exit_code == 2
    assert "'latest' names the newest run, and no run is recorded" in shown.stderr


def test_latest_cannot_name_a_new_run(config: str, tmp_path: Path) -> None:
    (tmp_path / "p.py").write_text(
        "from runplane import Pipeline, Stub\npipeline = Pipeline([Stub('s')])\n"
    )
    refused = invoke("run", "p.py", "--run-id", "latest", "-c", config)
    assert refused.exit_code == 2
    assert "run id 'latest' is reserved: it names the newest run" in refused.stderr
