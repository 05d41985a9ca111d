"""`run --param`, the wiring check before a run, `--version` and help, in-process."""

from __future__ import annotations

import io
import json
import logging
from pathlib import Path
from typing import Any

import pytest
import typer
from rich.console import Console
from typer.testing import CliRunner, Result

from runplane.adapters.cli import commands
from runplane.adapters.cli.commands import cli
from runplane.adapters.cli.piped import PIPED_WIDTH, wide_when_piped
from runplane.adapters.cli.wiring import Wiring
from runplane.app.run_client import run_queries
from runplane.sdk import service

PIPELINE = """
from runplane import Pipeline, PythonTask


def train(epochs: int, lr: float, model: str, fail: bool = False) -> int:
    print(f"epochs={epochs!r} lr={lr!r} model={model!r}")
    if fail:
        raise RuntimeError("asked to fail")
    return epochs * 2


def report(steps: int, threshold: float) -> None:
    print(steps, threshold)


pipeline = Pipeline([PythonTask(train, returns=["steps"]), PythonTask(report)])
"""


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("RUNPLANE_CONFIGURATION_FILE", raising=False)
    (tmp_path / "pipeline.py").write_text(PIPELINE)
    return tmp_path


def invoke(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), obj=Wiring(service, None, run_queries))


def run_log(run_id: str) -> dict[str, Any]:
    shown = invoke("runs", "show", run_id, "--json")
    assert shown.exit_code == 0, shown.output
    data: dict[str, Any] = json.loads(shown.stdout)
    return data


def test_params_are_json_or_strings_and_recorded_with_their_source(workdir: Path) -> None:
    (workdir / "p.yaml").write_text("epochs: 1\nthreshold: 0.5\nmodel: from-file\n")
    done = invoke(
        "run", "pipeline.py", "-p", "p.yaml", "--run-id", "r1",
        "--param", "epochs=5", "--param", "lr=0.1", "--param", "model=resnet",
    )  # fmt: skip
    assert done.exit_code == 0, done.output
    log = run_log("r1")
    assert log["initial_parameters"] == {
        "epochs": 5, "threshold": 0.5, "model": "resnet", "lr": 0.1,
    }  # fmt: skip
    assert log["parameters_from"] == "parameters file 'p.yaml', then --param epochs, lr, model"
    assert log["pipeline"]["name"] == "pipeline"  # unnamed: named after its file
    assert "warning" not in done.stderr


def test_retry_keeps_the_params(workdir: Path) -> None:
    first = invoke(
        "run", "pipeline.py", "--run-id", "r1", "--param", "epochs=2", "--param", "lr=1",
        "--param", "model=m", "--param", "threshold=3", "--param", "fail=true",
    )  # fmt: skip
    assert first.exit_code == 1
    again = invoke("retry", "latest", "--run-id", "r2")
    assert again.exit_code == 1  # the same parameters, so the same failure
    log = run_log("r2")
    assert log["original_run_id"] == "r1"
    assert log["initial_parameters"] == {
        "epochs": 2, "lr": 1, "model": "m", "threshold": 3, "fail": True,
    }  # fmt: skip


def test_a_run_missing_inputs_is_refused_before_any_step(workdir: Path) -> None:
    refused = invoke("run", "pipeline.py", "--run-id", "r1", "--param", "epochs=1")
    assert refused.exit_code == 2
    assert "step 'train': argument 'lr' is not provided" in refused.stderr
    assert "step 'report': argument 'threshold' is not provided" in refused.stderr
    assert "3 unprovided input(s), so the run was not started" in refused.stderr
    assert "--no-check" in refused.stderr
    assert not (workdir / ".run_log_store" / "r1").exists()

    unchecked = invoke("run", "pipeline.py", "--run-id", "r2", "--param", "epochs=1", "--no-check")
    assert unchecked.exit_code == 1  # it ran, and the step failed on the missing argument
    assert "argument 'lr'" in unchecked.stderr


def test_parameters_no_step_reads_get_one_warning_line(workdir: Path) -> None:
    done = invoke(
        "run", "pipeline.py", "--param", "epochs=1", "--param", "lr=1", "--param", "model=m",
        "--param", "threshold=1", "--param", "epoch=3", "--param", "colour=red",
    )  # fmt: skip
    assert done.exit_code == 0, done.output
    warnings = [line for line in done.stderr.splitlines() if line.startswith("warning:")]
    assert warnings == ["warning: no step reads the parameter(s) colour, epoch"]


def test_check_takes_the_same_params(workdir: Path) -> None:
    args = ["check", "pipeline.py", "--param", "epochs=1", "--param", "lr=1"]
    missing = invoke(*args)
    assert missing.exit_code == 1
    assert "step 'train': argument 'model' is not provided" in missing.stderr
    assert invoke(*args, "--param", "model=m", "--param", "threshold=2").exit_code == 0


@pytest.mark.parametrize("bad", ["epochs", "=5", "two words=1"])
def test_a_malformed_param_is_wrong_input(workdir: Path, bad: str) -> None:
    done = invoke("run", "pipeline.py", "--param", bad)
    assert done.exit_code == 2
    assert f"--param {bad!r}: expected NAME=VALUE" in done.stderr


def test_version() -> None:
    done = invoke("--version")
    assert done.exit_code == 0
    assert done.stdout.startswith("runplane ")
    assert done.stdout.split()[1][0].isdigit()


def _commands(command: object, path: str) -> list[tuple[str, object]]:
    children = getattr(command, "commands", None)
    if children is None:
        return [(path, command)]
    return [pair for name, c in children.items() for pair in _commands(c, f"{path} {name}")]


def test_every_option_and_argument_has_help_text() -> None:
    missing = [
        f"{path} {param.name}"
        for path, command in _commands(typer.main.get_command(cli), "runplane")
        for param in getattr(command, "params", [])
        if not getattr(param, "help", None)
    ]
    assert missing == []


def test_flags_show_as_flags_in_help() -> None:
    shown = invoke("run", "--help").stdout
    assert "  --json  " in shown or "  --json\n" in shown or " --json " in shown
    assert "<bool>" not in shown
    assert "--param NAME=VALUE" in shown
    assert "-c, --config FILE" in shown


def test_piped_consoles_are_not_wrapped_at_80_columns(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("COLUMNS", raising=False)
    console = wide_when_piped(Console(file=io.StringIO()))
    assert console.width == PIPED_WIDTH
    console.print("x" * 300)
    assert console.file.getvalue() == "x" * 300 + "\n"  # type: ignore[attr-defined]
    monkeypatch.setenv("COLUMNS", "120")
    assert wide_when_piped(Console(file=io.StringIO())).width == 120


def test_a_job_takes_params_too(workdir: Path) -> None:
    (workdir / "job.py").write_text(
        "from runplane import PythonJob\n\n"
        "def train(epochs: int) -> int:\n    return epochs + 1\n\n"
        "job = PythonJob(train, returns=['next'])\n"
    )
    done = invoke("job", "job.py", "--run-id", "j1", "--param", "epochs=4")
    assert done.exit_code == 0, done.output
    assert run_log("j1")["steps"]["train"]["returns"] == {"next": 5}


def test_commands_run_again_in_one_process_keep_one_step_log_handler() -> None:
    logger = logging.getLogger("runplane")
    for _ in range(3):
        commands._log_steps()
    named = [h for h in logger.handlers if h.get_name() == commands._STEP_LOG]
    assert len(named) == 1


def test_step_lines_of_any_runplane_module_reach_the_step_log() -> None:
    # The CLI names no module of the layers below it: a lifecycle line logged by any
    # module of the package (wherever the use cases live) reaches its one handler.
    commands._log_steps()
    (handler,) = [
        h for h in logging.getLogger("runplane").handlers if h.get_name() == commands._STEP_LOG
    ]
    seen: list[str] = []
    handler.emit = lambda record: seen.append(record.getMessage())  # type: ignore[method-assign]
    try:
        logging.getLogger("runplane.app.some_use_case").info("step %s started", "a")
    finally:
        logging.getLogger("runplane").removeHandler(handler)
    assert seen == ["step a started"]
