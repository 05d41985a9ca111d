"""The CLI in a subprocess: check, mocked runs, jobs, async examples, tracing."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import ClassVar

import jsonschema
import pytest

from tests.integration.conftest import REPO, Cli

pytestmark = pytest.mark.integration

EXAMPLES = REPO / "examples"
SCHEMA = json.loads((REPO / "schemas" / "run_log.schema.json").read_text())


@pytest.fixture
def examples(workdir: Path) -> Path:
    for name in ("wiring", "jobs", "async_llm"):
        shutil.copytree(EXAMPLES / name, workdir / name)
    return workdir


def test_check_is_clean_with_parameters_and_lists_problems_without(
    cli: Cli, examples: Path
) -> None:
    folder = examples / "wiring"
    clean = cli("check", "pipeline.py", "-p", "params.yaml", cwd=folder)
    assert clean.code == 0, clean.stderr
    assert "every step's inputs are provided" in clean.stdout
    missing = cli("check", "pipeline.py", cwd=folder, env={"RUNPLANE_PRM_threshold": "5"})
    assert missing.code == 1
    lines = [line for line in missing.stderr.splitlines() if line.startswith("step ")]
    assert [line.split(":")[0] for line in lines] == [
        "step 'list_files'",
        "step 'sizes_of.*.measure'",
    ]
    assert "available: file, files" in " ".join(missing.stderr.split())
    assert not (folder / ".run_log_store").exists()  # nothing ran


def test_check_of_a_missing_file_is_bad_input(cli: Cli) -> None:
    result = cli("check", "absent.py")
    assert result.code == 2
    assert "not found" in result.stderr


def test_mocked_run_walks_everything_and_runs_only_patches(cli: Cli, examples: Path) -> None:
    folder = examples / "wiring"
    config = (folder / "mocked.yaml").read_text().replace("type: buffered", "type: file-system")
    (folder / "mocked.yaml").write_text(config)
    result = cli(
        "run", "pipeline.py", "-p", "params.yaml", "-c", "mocked.yaml", "--run-id", "m", cwd=folder
    )
    assert result.code == 0, result.stderr
    assert "would publish big-model" in result.stdout
    log = cli("runs", "show", "m", "-c", "mocked.yaml", "--json", cwd=folder).json()
    jsonschema.validate(log, SCHEMA)
    assert log["steps"]["list_files"]["attempts"][0]["message"].startswith("mocked:")
    assert log["steps"]["decide"]["returns"] == {"size": "large"}
    assert log["steps"]["decide"]["attempts"][0]["message"] == ""
    assert log["steps"]["train"]["branches"] == {"large": "success"}
    assert log["steps"]["sizes_of"]["returns"] == {"sizes": [60, 60, 60]}


def test_mocked_run_with_a_wrong_patch_path_is_bad_input(cli: Cli, examples: Path) -> None:
    folder = examples / "wiring"
    (folder / "bad.yaml").write_text(
        "executor:\n  type: mocked\n  config:\n    patches:\n      sizes_of.0.measure: {}\n"
    )
    result = cli("run", "pipeline.py", "-p", "params.yaml", "-c", "bad.yaml", cwd=folder)
    assert result.code == 2
    assert "patches.sizes_of.0.measure: the pipeline has no task" in result.stderr


@pytest.mark.parametrize("executor", ["local", "local-subprocess"])
def test_job_runs_as_a_one_step_run(cli: Cli, examples: Path, executor: str) -> None:
    folder = examples / "jobs"
    (folder / "config.yaml").write_text(f"executor: {{type: {executor}}}\n")
    result = cli(
        "job",
        "train.py",
        "-p",
        "params.yaml",
        "-c",
        "config.yaml",
        "--run-id",
        "j",
        "--json",
        cwd=folder,
    )
    assert result.code == 0, result.stderr
    log = result.json()
    jsonschema.validate(log, SCHEMA)
    assert list(log["steps"]) == ["train"]
    assert log["steps"]["train"]["returns"] == {"accuracy": 0.657, "loss": 0.343}
    assert log["steps"]["train"]["metrics"] == {"loss": 0.343}
    assert (folder / ".catalog" / "j" / "model.txt").is_file()


def test_job_command_refuses_a_pipeline_file(cli: Cli, examples: Path) -> None:
    result = cli("job", "pipeline.py", cwd=examples / "wiring")
    assert result.code == 2
    assert "must define `job`" in result.stderr


def test_python_job_example_and_async_example_run_as_scripts(examples: Path) -> None:
    for script, expected in (
        (examples / "jobs" / "train.py", "{'accuracy': 0.657, 'loss': 0.343} {'loss': 0.343}"),
        (examples / "async_llm" / "pipeline.py", "[answer: 9 tokens]"),
    ):
        done = subprocess.run(
            [sys.executable, str(script)],
            cwd=script.parent,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        assert expected in done.stdout


def test_import_and_untraced_run_never_import_opentelemetry(workdir: Path) -> None:
    code = (
        "import sys, runplane\n"
        "assert not [m for m in sys.modules if m.startswith('opentelemetry')]\n"
        "runplane.Pipeline([runplane.Stub('s')]).execute()\n"
        "print(sorted(m for m in sys.modules if m.startswith('opentelemetry')))\n"
    )
    env = {"PATH": "/usr/bin:/bin", "HOME": str(workdir)}
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=workdir,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


class _Collector(BaseHTTPRequestHandler):
    bodies: ClassVar[list[bytes]] = []

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length", 0))
        _Collector.bodies.append(self.rfile.read(length))
        self.send_response(200)
        self.send_header("Content-Type", "application/x-protobuf")
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def collector() -> Iterator[str]:
    pytest.importorskip("opentelemetry.exporter.otlp.proto.http")
    _Collector.bodies = []
    server = HTTPServer(("127.0.0.1", 0), _Collector)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_spans_reach_an_otlp_collector_from_step_processes_too(
    cli: Cli, examples: Path, collector: str
) -> None:
    from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (  # noqa: PLC0415  (optional extra)
        ExportTraceServiceRequest,
    )

    folder = examples / "jobs"
    (folder / "traced.yaml").write_text(
        f"executor: {{type: local-subprocess}}\ntelemetry: {{endpoint: '{collector}'}}\n"
    )
    result = cli(
        "job", "train.py", "-p", "params.yaml", "-c", "traced.yaml", "--run-id", "tr", cwd=folder
    )
    assert result.code == 0, result.stderr
    spans = []
    for body in _Collector.bodies:
        request = ExportTraceServiceRequest.FromString(body)
        for resource in request.resource_spans:
            for scope in resource.scope_spans:
                spans.extend(scope.spans)
    names = sorted(span.name for span in spans)
    assert names == ["attempt 1", "run", "step train"]
    assert len({span.trace_id for span in spans}) == 1  # the step process joined the trace
    run_span = next(s for s in spans if s.name == "run")
    step_span = next(s for s in spans if s.name == "step train")
    assert step_span.parent_span_id == run_span.span_id
    attributes = {a.key: a.value.string_value for a in step_span.attributes}
    assert attributes["runplane.run_id"] == "tr"
    assert attributes["runplane.executor"] == "local-subprocess"


def test_notebook_job_runs_the_notebook_as_a_one_step_run(cli: Cli, examples: Path) -> None:
    pytest.importorskip("papermill")
    folder = examples / "jobs"
    result = cli("job", "explore.py", "-p", "params.yaml", "--run-id", "nb", cwd=folder)
    assert result.code == 0, result.stderr
    log = cli("runs", "show", "nb", "--json", cwd=folder).stdout
    step = json.loads(log)["steps"]["explore"]
    assert step["returns"] == {"steps": 3}
    assert [c["name"] for c in step["data_catalog"]] == ["explore-explore.executed.ipynb"]


def test_async_steps_run_to_completion_in_step_processes(cli: Cli, examples: Path) -> None:
    folder = examples / "async_llm"
    (folder / "sub.yaml").write_text("executor: {type: local-subprocess}\n")
    result = cli(
        "run",
        "pipeline.py",
        "-p",
        "params.yaml",
        "-c",
        "sub.yaml",
        "--run-id",
        "a",
        "--json",
        cwd=folder,
    )
    assert result.code == 0, result.stderr
    step = result.json()["steps"]["answer"]
    assert step["returns"]["reply"].endswith("forty-two.")
    assert step["metrics"] == {"tokens": 9}
