"""The CLI's watching and inspecting commands, in a subprocess: progress, runs, graph, config."""

import json
import os
import pty
import subprocess
from pathlib import Path

import pytest

from tests.integration.conftest import REPO, RUNPLANE, Cli

pytestmark = pytest.mark.integration

MAP = REPO / "examples" / "map_files" / "pipeline.py"
SEED = REPO / "examples" / "seed" / "pipeline.py"


def test_plain_progress_lines_then_summary_and_locations(cli: Cli) -> None:
    result = cli("run", str(MAP), "--run-id", "m1")
    assert result.code == 0, result.stderr
    lines = result.stderr.splitlines()
    assert any(line.endswith("step per_file opened 3 branches") for line in lines)
    assert any("step per_file.2.count_words success (1 attempt, " in line for line in lines)
    assert any(line.endswith("run m1 ended: success") for line in lines)
    assert "┃ step" in result.stderr
    assert "attempts" in result.stderr
    assert "run log: .run_log_store/m1" in result.stderr
    assert "\x1b[" not in result.stderr  # not a terminal: no escape codes


def test_quiet_prints_nothing_on_success(cli: Cli) -> None:
    result = cli("run", str(MAP), "--run-id", "q1", "--quiet")
    assert result.code == 0, result.stderr
    assert result.stderr == ""


def test_live_progress_on_a_terminal(workdir: Path, clean_env: dict[str, str]) -> None:
    primary, secondary = pty.openpty()
    env = {**clean_env, "TERM": "xterm-256color", "COLUMNS": "120"}
    try:
        done = subprocess.run(
            [RUNPLANE, "run", str(MAP), "--run-id", "live"],
            cwd=workdir,
            env=env,
            stdout=subprocess.PIPE,
            stderr=secondary,
            timeout=120,
            check=False,
        )
        os.close(secondary)
        chunks = []
        while True:
            try:
                chunk = os.read(primary, 65536)
            except OSError:  # the pty is drained once the child has exited
                break
            if not chunk:
                break
            chunks.append(chunk)
    finally:
        os.close(primary)
    screen = b"".join(chunks).decode(errors="replace")
    assert done.returncode == 0, screen
    assert "\x1b[" in screen  # rich drew on the terminal
    assert "per_file: branches" in screen  # the map's iteration bar
    assert "run log: .run_log_store/live" in screen


def test_runs_list_filters_and_show_and_diff(cli: Cli) -> None:
    assert cli("run", str(SEED), "--run-id", "s1", "-q", env={"secret_key": "k"}).code == 0
    assert (
        cli("run", str(SEED), "--run-id", "s2", "-q", "--tag", "T", env={"secret_key": "k"}).code
        == 0
    )
    failed = cli("run", str(SEED), "--run-id", "s3", "-q")  # no secret: refused
    assert failed.code == 2
    listed = cli("runs", "list", "--json")
    assert [r["run_id"] for r in listed.json()] == ["s2", "s1"]
    assert [r["run_id"] for r in cli("runs", "list", "--tag", "T", "--json").json()] == ["s2"]
    assert cli("runs", "list", "--status", "fail", "--json").json() == []
    assert [r["run_id"] for r in cli("runs", "list", "-n", "1", "--json").json()] == ["s2"]
    assert len(cli("runs", "list", "--since", "2d", "--json").json()) == 2
    piped = cli("runs", "list").stdout.splitlines()  # not a terminal: one line per run
    assert [line.split()[:3] for line in piped[1:]] == [
        ["s2", "success", "T"],
        ["s1", "success", "-"],
    ]
    assert piped[0].split("  ")[0] == "run id"
    assert "duration" in piped[0]
    bad = cli("runs", "list", "--status", "nope")
    assert bad.code == 2
    assert "valid statuses" in bad.stderr

    shown = cli("runs", "show", "s1")
    assert "generate success" in shown.stdout
    assert "put data.csv sha256:" in shown.stdout
    step = cli("runs", "show", "s1", "--step", "consume", "--json")
    assert step.json()["path"] == "consume"
    missing = cli("runs", "show", "s1", "--step", "nope")
    assert missing.code == 2
    assert "recorded steps: generate, consume" in missing.stderr

    same = cli("runs", "diff", "s1", "s2")
    assert "no differences" in same.stdout


def test_show_step_prints_attempts_and_the_error(cli: Cli, tmp_path: Path) -> None:
    flaky = tmp_path / "flaky.py"
    flaky.write_text(
        "from runplane import Pipeline, PythonTask\n"
        "def boom():\n    raise RuntimeError('disk on fire')\n"
        "pipeline = Pipeline([PythonTask(boom, max_attempts=2)])\n"
    )
    assert cli("run", str(flaky), "--run-id", "f1", "-q").code == 1
    detail = cli("runs", "show", "f1", "--step", "boom")
    assert detail.code == 0, detail.stderr
    assert detail.stdout.count("RuntimeError: disk on fire") >= 2  # both attempts
    assert "Traceback" in detail.stdout


def test_graph_mermaid_dot_and_html_with_a_run(cli: Cli, workdir: Path) -> None:
    assert cli("run", str(MAP), "--run-id", "g1", "-q").code == 0
    mermaid = cli("graph", str(MAP), "--run", "g1")
    assert mermaid.stdout.startswith("flowchart TD")
    assert 'subgraph n_per_file["per_file' in mermaid.stdout
    assert "3 runs" in mermaid.stdout
    dot = cli("graph", str(MAP), "--format", "dot")
    assert "subgraph cluster_n_per_file" in dot.stdout
    written = cli("graph", str(MAP), "-f", "html", "-o", "g.html", "--run", "g1")
    assert written.code == 0, written.stderr
    assert 'data-status="success"' in (workdir / "g.html").read_text()


def test_config_schema_show_and_adapters_list(cli: Cli, workdir: Path) -> None:
    schema = cli("config", "schema").json()
    assert set(schema["properties"]) == {
        "executor",
        "run_log_store",
        "catalog",
        "secrets",
        "telemetry",
    }
    section = cli("config", "schema", "--section", "run_log_store").json()
    assert section["discriminator"]["propertyName"] == "type"
    (workdir / "c.yaml").write_text("run_log_store:\n  type: file-system\n")
    shown = cli(
        "config",
        "show",
        "-c",
        "c.yaml",
        "--json",
        env={"RUNPLANE_RUN_LOG_STORE__CONFIG__LOG_FOLDER": "/env/logs"},
    )
    rows = {r["key"]: (r["value"], r["source"]) for r in shown.json()}
    assert rows["run_log_store.config.log_folder"] == ("/env/logs", "env")
    assert rows["run_log_store.type"] == ("file-system", "file")
    adapters = cli("adapters", "list", "--json").json()
    local = [a for a in adapters if (a["section"], a["type"]) == ("executor", "local")]
    assert local[0]["distribution"] == "runplane"
    assert local[0]["version"]


def test_pipeline_schema_is_the_published_one(cli: Cli) -> None:
    printed = cli("pipeline", "schema")
    assert printed.code == 0, printed.stderr
    published = (REPO / "schemas" / "pipeline.schema.json").read_text()
    assert json.loads(printed.stdout) == json.loads(published)
