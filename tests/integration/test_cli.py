import hashlib
import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.integration.conftest import REPO, Cli

pytestmark = pytest.mark.integration

SEED = REPO / "examples" / "seed" / "pipeline.py"


def run_id_of(stderr: str) -> str:
    for line in stderr.splitlines():
        if line.startswith("run log: "):
            return Path(line.removeprefix("run log: ").strip()).name
    raise AssertionError(f"no run log line in:\n{stderr}")


def test_seed_runs_end_to_end_and_says_where_its_run_log_is(cli: Cli, workdir: Path) -> None:
    result = cli("run", str(SEED), "--run-id", "seed-1", env={"secret_key": "xyz"})
    assert result.code == 0, result.stderr
    assert "run log: .run_log_store/seed-1" in result.stderr
    assert "catalog: .catalog/seed-1" in result.stderr
    assert "2 rows, sum of cells 10, x * y = 12" in result.stdout + result.stderr

    shown = cli("runs", "show", "seed-1", "--json")
    assert shown.code == 0, shown.stderr
    log = shown.json()
    assert {"run_id", "tag", "status", "parameters", "code_identity", "steps"} <= set(log)
    assert log["status"] == "success"
    assert log["parameters"] == {"x": 3, "y": 4}
    assert list(log["steps"]) == ["generate", "consume"]
    generate = log["steps"]["generate"]
    assert generate["returns"] == {"x": 3, "y": 4}
    attempt = generate["attempts"][0]
    assert {"status", "start_time", "end_time", "message"} <= set(attempt)
    entry = generate["data_catalog"][0]
    data = (workdir / ".catalog" / "seed-1" / "data.csv").read_bytes()
    assert entry == {
        "name": "data.csv",
        "stage": "put",
        "size": len(data),
        "sha256": hashlib.sha256(data).hexdigest(),
    }
    consumed = log["steps"]["consume"]["data_catalog"][0]
    assert (consumed["stage"], consumed["sha256"]) == ("get", entry["sha256"])
    assert "xyz" not in shown.stdout


def test_seed_runs_as_a_plain_python_script(workdir: Path, clean_env: dict[str, str]) -> None:
    done = subprocess.run(
        [sys.executable, str(SEED)],
        cwd=workdir,
        env={**clean_env, "secret_key": "xyz"},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "success; run log: .run_log_store/" in done.stderr
    runs = list((workdir / ".run_log_store").iterdir())
    assert len(runs) == 1
    header = json.loads((runs[0] / "run.json").read_text())
    assert header["status"] == "success"
    assert header["pipeline_file"] == str(SEED)


def test_failing_step_exits_1_and_shows_the_users_traceback(cli: Cli, pipelines: Path) -> None:
    result = cli("run", str(pipelines / "failing.py"), "--run-id", "f1")
    assert result.code == 1
    assert "step 'explode' failed: ZeroDivisionError: cannot divide 41 by zero" in result.stderr
    assert "failing.py" in result.stderr
    assert "raise ZeroDivisionError" in result.stderr
    assert "runplane/app" not in result.stderr
    log = cli("runs", "show", "f1", "--json").json()
    assert log["status"] == "fail"
    assert log["steps"]["explode"]["status"] == "fail"
    assert "never" not in log["steps"]
    assert "Traceback" in log["steps"]["explode"]["attempts"][0]["traceback"]


def test_parameters_file_and_env_override(cli: Cli, pipelines: Path, workdir: Path) -> None:
    (workdir / "params.yaml").write_text("alpha: 0.5\nname: base\nitems: [1, 2, 3]\n")
    result = cli(
        "run",
        str(pipelines / "params.py"),
        "-p",
        "params.yaml",
        "--run-id",
        "p1",
        env={"RUNPLANE_PRM_name": "from-env", "RUNPLANE_PRM_items": "[10, 20]"},
    )
    assert result.code == 0, result.stderr
    assert json.loads((workdir / "seen.json").read_text()) == {
        "alpha": 0.5,
        "name": "from-env",
        "items": [10, 20],
    }
    log = cli("runs", "show", "p1", "--json").json()
    assert log["steps"]["double"]["returns"] == {"doubled": 60}
    assert log["parameters"]["total"] == 30


def test_dotenv_secret_reaches_the_step_and_never_the_log(
    cli: Cli, pipelines: Path, workdir: Path
) -> None:
    (workdir / ".env").write_text("team_token=correct-horse-battery\n")
    (workdir / "dotenv.yaml").write_text("secrets: {type: dotenv, config: {location: .env}}\n")
    result = cli("run", str(pipelines / "needs_secret.py"), "-c", "dotenv.yaml", "--run-id", "s1")
    assert result.code == 0, result.stderr
    log_text = cli("runs", "show", "s1", "--json").stdout
    assert json.loads(log_text)["parameters"]["note"] == "token has 21 characters"
    assert "correct-horse-battery" not in log_text
    for path in (workdir / ".run_log_store").rglob("*"):
        if path.is_file():
            assert b"correct-horse-battery" not in path.read_bytes()


def test_missing_secret_is_named_without_a_value(cli: Cli, pipelines: Path) -> None:
    result = cli("run", str(pipelines / "needs_secret.py"), env={"unrelated": "v"})
    assert result.code == 2
    assert "secret 'team_token' not found" in result.stderr
    assert "step 'use_token'" in result.stderr
    assert "Traceback" not in result.stderr


def test_missing_parameter_names_step_argument_and_available(cli: Cli, pipelines: Path) -> None:
    refused = cli("run", str(pipelines / "missing_parameter.py"))
    assert refused.code == 2  # the wiring check, before any step
    assert "argument 'threshold' is not provided" in refused.stderr
    result = cli("run", str(pipelines / "missing_parameter.py"), "--no-check")
    assert result.code == 1
    assert "argument 'threshold'" in result.stderr
    assert "parameters available: count" in result.stderr


@pytest.mark.parametrize(
    ("config", "expected"),
    [
        (None, "configuration file 'absent.yaml' not found"),
        (
            "run_log_store: {type: s4}\n",
            "unknown type 's4'; valid types: buffered, chunked-fs, file-system",
        ),
        (
            "catalog:\n  type: file-system\n  config: {location: x}\n",
            "catalog.config.location: unknown key for type 'file-system'; "
            "valid keys: catalog_location",
        ),
        ("executor:\n  type: local\n   bad: [\n", "not valid YAML at line 3"),
    ],
)
def test_bad_configuration_exits_2_with_a_clear_message(
    cli: Cli, workdir: Path, config: str | None, expected: str
) -> None:
    name = "absent.yaml"
    if config is not None:
        name = "bad.yaml"
        (workdir / name).write_text(config)
    result = cli("run", str(SEED), "-c", name)
    assert result.code == 2
    assert expected in result.stderr
    assert "Traceback" not in result.stderr
    assert not (workdir / ".run_log_store").exists()  # nothing ran


@pytest.mark.parametrize(
    ("pipeline", "expected"),
    [
        ("no_pipeline.py", "must define `pipeline`"),
        ("duplicate.py", "duplicate step name 'load'"),
        ("escaping.py", "'../outside.csv' escapes the working directory"),
        ("absent.py", "pipeline file"),
    ],
)
def test_bad_pipeline_files_exit_2(cli: Cli, pipelines: Path, pipeline: str, expected: str) -> None:
    result = cli("run", str(pipelines / pipeline))
    assert result.code == 2
    assert expected in result.stderr
    assert "Traceback" not in result.stderr


def test_debug_shows_the_traceback(cli: Cli, pipelines: Path) -> None:
    result = cli("run", str(pipelines / "duplicate.py"), "--debug")
    assert result.code == 2
    assert "Traceback" in result.stderr


def test_configuration_file_variable(cli: Cli, workdir: Path) -> None:
    (workdir / "mem.yaml").write_text("run_log_store: {type: s4}\n")
    result = cli("run", str(SEED), env={"RUNPLANE_CONFIGURATION_FILE": "mem.yaml"})
    assert result.code == 2
    assert "mem.yaml" in result.stderr


def test_execute_step_runs_one_step_of_an_existing_run(cli: Cli, pipelines: Path) -> None:
    first = cli("run", str(pipelines / "failing.py"), "--run-id", "e1")
    assert first.code == 1
    again = cli("execute-step", str(pipelines / "failing.py"), "explode", "--run-id", "e1")
    assert again.code == 1
    log = cli("runs", "show", "e1", "--json").json()
    assert [a["number"] for a in log["steps"]["explode"]["attempts"]] == [1, 2]
    unknown = cli("execute-step", str(pipelines / "failing.py"), "nope", "--run-id", "e1")
    assert unknown.code == 2
    assert "no step 'nope'; steps are: prepare, explode, never" in unknown.stderr


def test_runs_list_shows_newest_first(cli: Cli) -> None:
    for run_id in ("first", "second"):
        assert cli("run", str(SEED), "--run-id", run_id, env={"secret_key": "k"}).code == 0
    listed = cli("runs", "list").stdout
    assert listed.index("second") < listed.index("first")


def test_runs_show_unknown_run(cli: Cli) -> None:
    result = cli("runs", "show", "ghost")
    assert result.code == 2
    assert "run 'ghost' not found" in result.stderr


def test_config_validate(cli: Cli, workdir: Path) -> None:
    good = cli("config", "validate", str(REPO / "config" / "argo.yaml"))
    assert good.code == 0, good.stderr
    assert "valid" in good.stdout
    (workdir / "bad.yaml").write_text("secrets: {type: vaultt}\n")
    bad = cli("config", "validate", "bad.yaml")
    assert bad.code == 2
    assert "unknown type 'vaultt'" in bad.stderr


def test_run_id_already_used_is_refused(cli: Cli) -> None:
    assert cli("run", str(SEED), "--run-id", "same", env={"secret_key": "k"}).code == 0
    again = cli("run", str(SEED), "--run-id", "same", env={"secret_key": "k"})
    assert again.code == 2
    assert "run 'same' already exists" in again.stderr


def test_import_runplane_stays_light(clean_env: dict[str, str]) -> None:
    code = (
        "import sys, runplane\n"
        "heavy = {'boto3', 'hvac', 'hera', 'papermill', 'typer', 'rich', 'dependency_injector',"
        " 'pydantic_settings', 'yaml'}\n"
        "print(sorted(heavy & set(sys.modules)))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=clean_env, check=True
    )
    assert done.stdout.strip() == "[]"


def test_a_run_on_the_default_configuration_imports_no_cloud_sdk_or_cli(
    clean_env: dict[str, str], tmp_path: Path
) -> None:
    code = (
        "import sys\n"
        "from runplane import Pipeline, PythonTask\n"
        "Pipeline([PythonTask(lambda: 1, name='one', returns=['x'])]).execute()\n"
        "heavy = {'boto3', 'hvac', 'hera', 'papermill', 'typer', 'rich', 'opentelemetry'}\n"
        "print(sorted(heavy & set(sys.modules)))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env=clean_env,
        cwd=tmp_path,
        check=True,
    )
    assert done.stdout.strip().splitlines()[-1] == "[]", done.stderr


def test_runs_logs_prints_what_a_step_printed(cli: Cli) -> None:
    result = cli("run", str(SEED), "--run-id", "logs-1", env={"secret_key": "k"})
    assert result.code == 0, result.stderr
    printed = cli("runs", "logs", "logs-1", "consume")
    assert printed.code == 0, printed.stderr
    assert printed.stdout == "2 rows, sum of cells 10, x * y = 12\n"
    log = cli("runs", "show", "logs-1", "--json").json()
    assert log["steps"]["consume"]["attempts"][0]["log"] == "logs/consume/attempt-1.log"
    missing = cli("runs", "logs", "logs-1", "consume", "--attempt", "4")
    assert missing.code == 2
    assert "no attempt 4; attempts: 1" in missing.stderr


def test_quiet_hides_step_output_but_keeps_it(cli: Cli) -> None:
    result = cli("run", str(SEED), "--run-id", "quiet-1", "--quiet", env={"secret_key": "k"})
    assert result.code == 0, result.stderr
    assert "x * y = 12" not in result.stdout + result.stderr
    assert (
        cli("runs", "logs", "quiet-1", "consume").stdout == "2 rows, sum of cells 10, x * y = 12\n"
    )


def test_json_keeps_stdout_for_the_run_log(cli: Cli) -> None:
    result = cli("run", str(SEED), "--run-id", "json-1", "--json", env={"secret_key": "k"})
    assert result.code == 0, result.stderr
    assert result.json()["run_id"] == "json-1"  # stdout parses: step output went to stderr
    assert "x * y = 12" in result.stderr
